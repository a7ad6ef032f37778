"""Named system-prompt presets, kept as TOML in the user's config directory.

File ``presets.toml``::

    [[preset]]
    name = "polite"
    prompt = "あなたは親切なAIです。"

A broken file is reported in one line and treated as empty, and it is never overwritten: saving
refuses until the user fixes or moves it, so a typo cannot cost them their presets.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from tui.core.errors import ConfigError
from tui.core.paths import config_dir

PRESETS_FILE = "presets.toml"
MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    prompt: str


class PresetStore:
    """Load, save, add, remove presets. ``problem`` holds the message when the file is broken."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / PRESETS_FILE
        self.problem: str | None = None
        self._presets: list[Preset] = []
        self.reload()

    def reload(self) -> None:
        self.problem = None
        self._presets = []
        if not self.path.exists():
            return
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.problem = f"cannot read {self.path}: {exc}"
            return
        except tomllib.TOMLDecodeError as exc:
            self.problem = f"{self.path} is not valid TOML ({exc}); presets not loaded"
            return
        entries = data.get("preset", [])
        if not isinstance(entries, list):
            self.problem = f"{self.path}: 'preset' must be a list of [[preset]] tables"
            return
        seen: set[str] = set()
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            name, prompt = entry.get("name"), entry.get("prompt")
            if isinstance(name, str) and isinstance(prompt, str) and name.strip():
                name = name.strip()
                if name not in seen:
                    seen.add(name)
                    self._presets.append(Preset(name, prompt))

    @property
    def presets(self) -> list[Preset]:
        return list(self._presets)

    def names(self) -> list[str]:
        return [p.name for p in self._presets]

    def get(self, name: str) -> Preset:
        for preset in self._presets:
            if preset.name == name:
                return preset
        known = ", ".join(self.names()) or "none saved yet"
        raise ConfigError(f"unknown preset {name!r} (known: {known})")

    def save(self, name: str, prompt: str) -> Preset:
        """Add or replace a preset and write the file (atomically)."""
        name = name.strip()
        if not name:
            raise ConfigError("a preset needs a name")
        if len(name) > MAX_NAME:
            raise ConfigError(f"a preset name has at most {MAX_NAME} characters")
        self._refuse_if_broken()
        preset = Preset(name, prompt)
        others = [p for p in self._presets if p.name != name]
        position = next((i for i, p in enumerate(self._presets) if p.name == name), len(others))
        others.insert(position, preset)
        self._write(others)
        self._presets = others
        return preset

    def delete(self, name: str) -> None:
        self._refuse_if_broken()
        remaining = [p for p in self._presets if p.name != name]
        self._write(remaining)
        self._presets = remaining

    def _refuse_if_broken(self) -> None:
        if self.problem:
            raise ConfigError(f"not saving presets: {self.problem}; fix or move the file first")

    def _write(self, presets: list[Preset]) -> None:
        text = tomli_w.dumps({"preset": [{"name": p.name, "prompt": p.prompt} for p in presets]})
        write_private(self.path, text)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically, readable by the owner only (0600): config may hold keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
