"""Named system-prompt presets, kept as TOML in the user's config directory.

File ``presets.toml``::

    [[preset]]
    name = "polite"
    prompt = "あなたは親切なAIです。"

A broken file is reported in one line and treated as empty, and it is never overwritten: saving
refuses until the user fixes or moves it, so a typo cannot cost them their presets.

A few presets are built in (:data:`BUILTIN_PRESETS`, English and Japanese), so the README's
``compare --preset polite --preset terse`` works on a fresh install. They are listed after the
user's own, marked ``builtin``, and never written to the file nor deleted. A user's preset of
the same name (in the file) is the user's, and wins while it exists; the F2 dialog saves an
edited built-in preset as a copy (:func:`copy_name`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from tui.core.errors import ConfigError
from tui.core.paths import config_dir
from tui.core.private_file import write_private_text

PRESETS_FILE = "presets.toml"
MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    prompt: str
    builtin: bool = False


BUILTIN_PRESETS: tuple[Preset, ...] = (
    Preset(
        "polite",
        "You are a polite and helpful assistant. Answer courteously, in complete sentences.",
        builtin=True,
    ),
    Preset("terse", "Answer as briefly as possible, in a few words.", builtin=True),
    Preset(
        "丁寧",
        "あなたは親切で丁寧なアシスタントです。敬語を使い、わかりやすく答えてください。",
        builtin=True,
    ),
    Preset("簡潔", "できるだけ短く、一言で答えてください。", builtin=True),
)
"""Shipped with the program (see the module docstring); English first, then Japanese."""


def copy_name(name: str, taken: list[str] | set[str]) -> str:
    """A free name for an edited copy of preset ``name``: "polite (copy)", "polite (copy 2)"…"""
    candidate, n = f"{name} (copy)", 2
    while candidate in taken:
        candidate, n = f"{name} (copy {n})", n + 1
    return candidate[:MAX_NAME]


class PresetsNotSaved(ConfigError):
    """The presets file could not be written: the change holds for this session only."""


class PresetStore:
    """Load, save, add, remove presets. ``problem`` holds the message when the file is broken.

    Several running instances share the file: every save or delete re-reads it and applies
    only this change (so one instance never drops what another saved), and the list is read
    again whenever the file changed on disk. A change that cannot be written (a read-only
    config directory, a full disk) is kept in memory for the session, retried with the next
    write, and reported as :class:`PresetsNotSaved`.
    """

    def __init__(
        self, path: Path | None = None, builtins: tuple[Preset, ...] = BUILTIN_PRESETS
    ) -> None:
        self.path = path or config_dir() / PRESETS_FILE
        self.builtins = builtins
        self.problem: str | None = None
        self._on_disk: list[Preset] = []  # the file as last read
        self._pending: dict[str, Preset | None] = {}  # this session's unwritten changes
        self._presets: list[Preset] = []  # the file with the pending changes applied
        self._seen: tuple[int, int, int] | None = None  # the file's identity when last read
        self.reload()

    def reload(self) -> None:
        """Read the file again (pending changes stay on top of it)."""
        self._seen = _identity(self.path)
        self.problem = None
        self._on_disk = self._read()
        self._presets = _apply(self._on_disk, self._pending)

    def _refresh(self) -> None:
        """Read the file again if it changed since it was last read (another instance)."""
        if _identity(self.path) != self._seen:
            self.reload()

    def _read(self) -> list[Preset]:
        if not self.path.exists():
            return []
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.problem = f"cannot read {self.path}: {exc}"
            return []
        except tomllib.TOMLDecodeError as exc:
            self.problem = f"{self.path} is not valid TOML ({exc}); presets not loaded"
            return []
        entries = data.get("preset", [])
        if not isinstance(entries, list):
            self.problem = f"{self.path}: 'preset' must be a list of [[preset]] tables"
            return []
        presets: list[Preset] = []
        seen: set[str] = set()
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            name, prompt = entry.get("name"), entry.get("prompt")
            if isinstance(name, str) and isinstance(prompt, str) and name.strip():
                name = name.strip()
                if name not in seen:
                    seen.add(name)
                    presets.append(Preset(name, prompt))
        return presets

    @property
    def presets(self) -> list[Preset]:
        """The user's presets, then the built-in ones they have not named their own."""
        self._refresh()
        return self._with_builtins()

    @property
    def saved(self) -> list[Preset]:
        """The user's own presets only (the file and this session's unwritten changes)."""
        self._refresh()
        return list(self._presets)

    def _with_builtins(self) -> list[Preset]:
        own = {p.name for p in self._presets}
        return [*self._presets, *(p for p in self.builtins if p.name not in own)]

    def names(self) -> list[str]:
        return [p.name for p in self.presets]

    def get(self, name: str) -> Preset:
        # (no re-read here: a name picked from a list shown a moment ago must still resolve)
        for preset in self._with_builtins():
            if preset.name == name:
                return preset
        known = ", ".join(p.name for p in self._with_builtins())
        raise ConfigError(f"unknown preset {name!r} (known: {known})")

    def is_builtin(self, name: str) -> bool:
        """Whether ``name`` stands for a built-in preset (not one of the user's own)."""
        own = any(p.name == name for p in self._presets)
        return not own and any(p.name == name for p in self.builtins)

    def save(self, name: str, prompt: str) -> Preset:
        """Add or replace a preset and write the file (atomically, merged with what other
        instances wrote). Raises :class:`PresetsNotSaved` when the file cannot be written.

        Under a built-in preset's name this is the user's own preset of that name, which wins
        over the built-in one as in a file written by hand (the built-in one is never
        written, and is back when the user's is deleted); the F2 dialog offers a copy's name
        instead (:func:`copy_name`), so nobody overwrites a built-in preset by accident."""
        name = name.strip()
        if not name:
            raise ConfigError("a preset needs a name")
        if len(name) > MAX_NAME:
            raise ConfigError(f"a preset name has at most {MAX_NAME} characters")
        preset = Preset(name, prompt)
        self._change(name, preset)
        return preset

    def delete(self, name: str) -> None:
        self._refresh()
        if self.is_builtin(name):
            raise ConfigError(f"{name} is a built-in preset: it cannot be deleted")
        self._change(name, None)

    def _change(self, name: str, preset: Preset | None) -> None:
        self._refresh()
        self._refuse_if_broken()
        # (the latest change last: changes apply in the order they were made)
        self._pending = {k: v for k, v in self._pending.items() if k != name} | {name: preset}
        merged = _apply(self._on_disk, self._pending)
        self._presets = merged
        try:
            self._write(merged)
        except OSError as exc:
            what = f"preset {name}" if preset is not None else f"the deletion of preset {name}"
            raise PresetsNotSaved(
                f"cannot write {self.path} ({exc.strerror or exc}); "
                f"{what} is kept for this session only"
            ) from exc
        self._pending.clear()
        self._on_disk = merged
        self._seen = _identity(self.path)

    def _refuse_if_broken(self) -> None:
        if self.problem:
            raise ConfigError(f"not saving presets: {self.problem}; fix or move the file first")

    def _write(self, presets: list[Preset]) -> None:
        text = tomli_w.dumps({"preset": [{"name": p.name, "prompt": p.prompt} for p in presets]})
        write_private(self.path, text)


def _apply(presets: list[Preset], changes: dict[str, Preset | None]) -> list[Preset]:
    """``presets`` with ``changes`` applied in order: a preset replaces the one of its name in
    place (or is appended), ``None`` removes it."""
    result = list(presets)
    for name, preset in changes.items():
        index = next((i for i, p in enumerate(result) if p.name == name), None)
        if preset is None:
            if index is not None:
                del result[index]
        elif index is None:
            result.append(preset)
        else:
            result[index] = preset
    return result


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What tells a rewritten file from the one last read: inode, size, modification time
    (``write_private`` replaces the file, so even a same-size rewrite gets a new inode)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` privately (0600: config may hold keys), whole or not at all, through
    a symbolic link to the file it names (:mod:`tui.core.private_file`)."""
    write_private_text(path, text)
