"""The user's settings file, ``config.toml`` in the config directory.

File layout (every key optional; a missing key means the built-in default)::

    [connection]
    base_url = "http://gpu-box:8000/v1"
    api_key = "sk-..."            # the file is kept at mode 0600 because of this
    model = "openai/gpt-oss-20b"

    [sampling]
    temperature = 0.7             # 0 to 2
    top_logprobs = 5              # 0 to 20
    max_tokens = 512              # at least 1
    seed = 42                     # leave out for none

    [ui]
    theme = "textual-dark"
    heatmap = false               # token heatmap on at start
    low_prob_threshold = 0.1      # τ: tokens below this probability are "low"

    [keys]                        # binding id → key(s), passed to App.set_keymap
    "input.send" = "ctrl+j"       # ids: main.<action>, log.<action>, input.<action>, and
    "main.history" = "f10"        # the dialogs' own (history.rename, system_prompt.apply, ...)

Precedence for what a request uses: command line > environment (``OPENAI_BASE_URL``,
``OPENAI_API_KEY``) > this file > built-in defaults (see ``tui.cli.configured``).

Bad input loses nothing:

* A file that cannot be read or is not valid TOML gives one line in ``problem`` and all the
  defaults. A value of the wrong type or out of range gives a line naming the field, and that
  field alone falls back to its default. In both cases ``writable`` is False: the app never
  saves over a file it could not fully understand, so a typo cannot cost the user their settings.
* Unknown keys are reported in ``problem`` too (they are probably typos) but kept on save.
* The API key is never part of a message or a ``repr``: messages about it never quote it,
  it is registered with :func:`tui.core.errors.register_secret` so any error text is scrubbed,
  and :class:`ConnectionConfig` prints it as ``***``.

Saving rewrites the file from its parsed data, so comments in a hand-edited file are not kept
(the file says so in its first line).
"""

from __future__ import annotations

import math
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from tui.core.errors import ConfigError, one_line, register_secret
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.paths import config_dir
from tui.core.presets import write_private
from tui.core.sampling_form import SAMPLING_FIELDS, check_sampling_field
from tui.core.settings import Sampling, normalise_base_url

CONFIG_FILE = "config.toml"
HEADER = "# logprob-chat settings. Saved by the app: comments in this file are not kept.\n"
_MAX_PROBLEM = 600  # one line, but room for several field messages


def config_path() -> Path:
    """``config_dir()/config.toml`` (``$LOGPROB_CHAT_CONFIG_DIR`` moves it)."""
    return config_dir() / CONFIG_FILE


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """The server the file describes. Its key and model belong to its URL (see the CLI)."""

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None

    @property
    def shown_api_key(self) -> str:
        """What a screen may show for the key: ``***`` when there is one, else empty."""
        return "***" if self.api_key else ""

    def __repr__(self) -> str:
        key = "***" if self.api_key else None
        return (
            f"ConnectionConfig(base_url={self.base_url!r}, api_key={key!r}, model={self.model!r})"
        )


@dataclass(frozen=True, slots=True)
class UIConfig:
    """How the TUI starts: ``theme`` None means the app's default theme."""

    theme: str | None = None
    heatmap: bool = False
    low_prob_threshold: float = DEFAULT_LOW_PROB_THRESHOLD


@dataclass(frozen=True)
class AppConfig:
    """Everything ``config.toml`` says, with defaults for what it does not.

    ``problem`` is one line for a person (None when the file is fine or absent);
    ``writable`` is False when saving would overwrite something the app did not understand.
    """

    connection: ConnectionConfig = field(default_factory=ConnectionConfig)
    sampling: Sampling = field(default_factory=Sampling)
    sampling_given: frozenset[str] = field(default=frozenset(), compare=False)
    """The ``[sampling]`` keys the file sets (the built-in engine's demo defaults give way to
    them, as to options typed on the command line)."""
    ui: UIConfig = field(default_factory=UIConfig)
    keys: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    writable: bool = True
    path: Path | None = None
    # The parsed document, so unknown keys survive a save. Not part of equality or repr.
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


# --------------------------------------------------------------------------- loading


class _Problems:
    """Collects field messages: ``blocking`` ones stop saving, notes do not."""

    def __init__(self) -> None:
        self.blocking: list[str] = []
        self.notes: list[str] = []

    def bad(self, section: str, message: str) -> None:
        self.blocking.append(f"[{section}] {message}")

    def note(self, message: str) -> None:
        self.notes.append(message)


_SECTIONS = ("connection", "sampling", "ui", "keys")
_KNOWN_KEYS = {
    "connection": ("base_url", "api_key", "model"),
    "sampling": SAMPLING_FIELDS,
    "ui": ("theme", "heatmap", "low_prob_threshold"),
}


def load_config(path: Path | None = None) -> AppConfig:
    """Read the settings file. Never raises for a bad file: see ``problem`` and ``writable``."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppConfig(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return _broken(path, f"cannot read {path}: {reason}; using the defaults")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return _broken(
            path,
            f"{path} is not valid TOML ({exc}); using the defaults, and not saving over it",
        )
    problems = _Problems()
    sections = {name: _section(raw, name, problems) for name in _SECTIONS}
    for name in raw:
        if name not in _SECTIONS:
            problems.note(f"unknown section [{name}] (ignored)")
    for name, known in _KNOWN_KEYS.items():
        for key in sections[name]:
            if key not in known:
                problems.note(f"unknown setting [{name}] {key} (ignored)")

    connection = _connection(sections["connection"], problems)
    register_secret(connection.api_key)
    config = AppConfig(
        connection=connection,
        sampling=_sampling(sections["sampling"], problems),
        sampling_given=frozenset(k for k in SAMPLING_FIELDS if k in sections["sampling"]),
        ui=_ui(sections["ui"], problems),
        keys=_keys(sections["keys"], problems),
        path=path,
        raw=raw,
        writable=not problems.blocking,
    )
    if connection.api_key and _readable_by_others(path):
        problems.note(f"{path} holds an API key and is readable by others (chmod 600 it)")
    return replace(config, problem=_summary(path, problems))


def _broken(path: Path, message: str) -> AppConfig:
    return AppConfig(problem=one_line(message, _MAX_PROBLEM), writable=False, path=path)


def _summary(path: Path, problems: _Problems) -> str | None:
    parts = list(problems.blocking)
    if problems.blocking:
        parts[-1] += " (using the defaults for these; settings are not saved until it is fixed)"
    parts += problems.notes
    if not parts:
        return None
    return one_line(f"{path}: " + "; ".join(parts), _MAX_PROBLEM)


def _section(raw: dict[str, Any], name: str, problems: _Problems) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        problems.bad(name, f"must be a table ([{name}] followed by key = value lines)")
        return {}
    return value


def _readable_by_others(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


def _text_field(
    section: dict[str, Any], name: str, key: str, problems: _Problems, *, quote: bool = True
) -> str | None:
    """A non-empty string or None. ``quote=False`` for secrets: the message never shows them."""
    if key not in section:
        return None
    value = section[key]
    if isinstance(value, str) and value.strip():
        return value.strip()
    shown = f", not {value!r}" if quote else ""
    problems.bad(name, f"{key} must be non-empty text{shown}")
    return None


def _connection(section: dict[str, Any], problems: _Problems) -> ConnectionConfig:
    base_url = _text_field(section, "connection", "base_url", problems, quote=False)
    if base_url is not None:
        try:
            normalise_base_url(base_url)
        except ConfigError as exc:
            problems.bad("connection", f"base_url: {exc}")
            base_url = None
    return ConnectionConfig(
        base_url=base_url,
        api_key=_text_field(section, "connection", "api_key", problems, quote=False),
        model=_text_field(section, "connection", "model", problems),
    )


def _sampling(section: dict[str, Any], problems: _Problems) -> Sampling:
    values: dict[str, Any] = {}
    for key in SAMPLING_FIELDS:
        if key not in section:
            continue
        try:
            values[key] = check_sampling_field(key, section[key])
        except ConfigError as exc:
            problems.bad("sampling", str(exc))
    return Sampling(**values)


def check_low_prob_threshold(value: Any) -> float:
    """τ must be a number strictly between 0 and 1; raise :class:`ConfigError` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"low_prob_threshold must be a number between 0 and 1, not {value!r}")
    if not math.isfinite(value) or not 0 < value < 1:
        raise ConfigError(f"low_prob_threshold must be between 0 and 1, not {value:g}")
    return float(value)


def _ui(section: dict[str, Any], problems: _Problems) -> UIConfig:
    values: dict[str, Any] = {"theme": _text_field(section, "ui", "theme", problems)}
    if "heatmap" in section:
        if isinstance(section["heatmap"], bool):
            values["heatmap"] = section["heatmap"]
        else:
            problems.bad("ui", f"heatmap must be true or false, not {section['heatmap']!r}")
    if "low_prob_threshold" in section:
        try:
            values["low_prob_threshold"] = check_low_prob_threshold(section["low_prob_threshold"])
        except ConfigError as exc:
            problems.bad("ui", str(exc))
    return UIConfig(**values)


def _keys(section: dict[str, Any], problems: _Problems) -> dict[str, str]:
    keys: dict[str, str] = {}
    for binding_id, value in section.items():
        if isinstance(value, str) and value.strip():
            keys[binding_id] = value.strip()
        else:
            problems.bad(
                "keys", f'{binding_id} must be a key such as "ctrl+j" or "f2,ctrl+s", not {value!r}'
            )
    return keys


# --------------------------------------------------------------------------- saving


def save_config(config: AppConfig, path: Path | None = None) -> AppConfig:
    """Write every setting of ``config`` (atomically, mode 0600) and return what was saved.

    The file on disk is read again first: if it is broken now, nothing is written and
    :class:`ConfigError` says why. Unknown keys in it are kept.
    """
    path = path or config.path or config_path()
    current = _current_for_saving(path)
    document = _document(current.raw)
    document["connection"] = _without_none(
        {
            "base_url": config.connection.base_url,
            "api_key": config.connection.api_key,
            "model": config.connection.model,
        },
        document.get("connection", {}),
        _KNOWN_KEYS["connection"],
    )
    document["sampling"] = _without_none(
        config.sampling.to_dict(), document.get("sampling", {}), _KNOWN_KEYS["sampling"]
    )
    document["ui"] = _without_none(
        {
            "theme": config.ui.theme,
            "heatmap": config.ui.heatmap,
            "low_prob_threshold": config.ui.low_prob_threshold,
        },
        document.get("ui", {}),
        _KNOWN_KEYS["ui"],
    )
    document["keys"] = dict(config.keys)
    return _write(path, document)


_UNSET: Any = object()


def save_ui_settings(
    *,
    theme: str | None = _UNSET,
    heatmap: bool = _UNSET,
    low_prob_threshold: float = _UNSET,
    path: Path | None = None,
) -> AppConfig:
    """Change only the given ``[ui]`` values in the file (``theme=None`` removes the theme).

    Everything else in the file stays as it is. Refuses (``ConfigError``) when the file is
    broken, and when a given value is invalid.
    """
    path = path or config_path()
    current = _current_for_saving(path)
    document = _document(current.raw)
    ui = dict(document.get("ui", {}))
    if theme is not _UNSET:
        if theme is None:
            ui.pop("theme", None)
        elif not isinstance(theme, str) or not theme.strip():
            raise ConfigError(f"theme must be non-empty text, not {theme!r}")
        else:
            ui["theme"] = theme.strip()
    if heatmap is not _UNSET:
        if not isinstance(heatmap, bool):
            raise ConfigError(f"heatmap must be true or false, not {heatmap!r}")
        ui["heatmap"] = heatmap
    if low_prob_threshold is not _UNSET:
        ui["low_prob_threshold"] = check_low_prob_threshold(low_prob_threshold)
    document["ui"] = ui
    return _write(path, document)


def _current_for_saving(path: Path) -> AppConfig:
    current = load_config(path)
    if not current.writable:
        raise ConfigError(f"not saving settings: {current.problem}")
    return current


def _document(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the parsed file deep enough to edit its sections."""
    return {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}


def _without_none(
    values: Mapping[str, Any], existing: Mapping[str, Any], known: tuple[str, ...]
) -> dict[str, Any]:
    """``existing`` with its known keys replaced by ``values`` (None = leave the key out)."""
    merged = {k: v for k, v in existing.items() if k not in known}
    merged.update({k: v for k, v in values.items() if v is not None})
    return merged


def _write(path: Path, document: dict[str, Any]) -> AppConfig:
    document = {k: v for k, v in document.items() if not (isinstance(v, dict) and not v)}
    write_private(path, HEADER + tomli_w.dumps(document))
    saved = load_config(path)
    if not saved.writable:  # cannot happen unless the file changed under us; say so
        raise ConfigError(f"settings were written but do not read back: {saved.problem}")
    return saved


__all__ = [
    "CONFIG_FILE",
    "AppConfig",
    "ConnectionConfig",
    "UIConfig",
    "check_low_prob_threshold",
    "config_path",
    "load_config",
    "save_config",
    "save_ui_settings",
]
