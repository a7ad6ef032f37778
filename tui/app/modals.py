"""How the main screen gets its modal screens (system prompt, settings, help).

The modal screens are built on their own branch (``tui/app/screens/system_prompt.py``,
``settings.py``, ``help.py``). The main screen asks a :class:`Modals` object for them, so:

* the real ones are imported lazily, and until they exist the action says so in one line
  instead of crashing;
* tests can pass stand-ins with the same constructor signatures.

Signatures (agreed with the modals branch):

* ``SystemPromptScreen(store: PresetStore, prompt: str, preset: str | None)`` dismisses with
  ``PromptChoice(name: str | None, prompt: str)`` or ``None``;
* ``SettingsScreen(models: list[str], model: str, sampling: Sampling)`` dismisses with
  ``SettingsChoice(model: str, sampling: Sampling)`` or ``None``;
* ``HelpScreen(rows: list[tuple[str, str, str]])`` (key, description, group).
"""

from __future__ import annotations

import importlib
from typing import Any

from textual.screen import Screen

from tui.core.presets import PresetStore
from tui.core.settings import Sampling


class ModalUnavailable(Exception):
    """This build has no such screen yet."""


class Modals:
    """Builds the modal screens; override the methods (or pass callables) in tests."""

    def system_prompt(self, store: PresetStore, prompt: str, preset: str | None) -> Screen[Any]:
        cls = _load("tui.app.screens.system_prompt", "SystemPromptScreen")
        return cls(store, prompt, preset)

    def settings(self, models: list[str], model: str, sampling: Sampling) -> Screen[Any]:
        cls = _load("tui.app.screens.settings", "SettingsScreen")
        return cls(models, model, sampling)

    def help(self, rows: list[tuple[str, str, str]]) -> Screen[Any]:
        cls = _load("tui.app.screens.help", "HelpScreen")
        return cls(rows)


def _load(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ModalUnavailable(f"{name} is not part of this build yet") from exc
