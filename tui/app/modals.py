"""The modal screens the chat opens for a dialog: system prompt, settings, help.

The screens ask the app's :class:`Modals` for them instead of building them, so an embedding
program (or a test) can pass its own with the same signatures:

* ``system_prompt(store, prompt, preset)``: dismisses with
  ``PromptChoice(name: str | None, prompt: str)`` or ``None``;
* ``settings(models, model, sampling)``: dismisses with
  ``SettingsChoice(model: str, sampling: Sampling)`` or ``None``; ``models`` is None while
  the server's list is being asked, then given to the screen's ``show_models(models)`` (a
  screen without that method keeps what it opened with); ``note`` is a line to show under
  the fields (the built-in model's demo defaults);
* ``help(rows, intro)``: ``rows`` are ``(key, description, group)``; ``intro`` lines come
  first (the chat's welcome), when given.

Each screen's module is imported when the screen is first opened: the chat's first screen
needs none of them (start-up, ``tests/bench`` case 4).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from tui.core.presets import PresetStore
from tui.core.settings import Sampling


class Modals:
    """Builds the modal screens; override the methods in a subclass to replace one."""

    def system_prompt(self, store: PresetStore, prompt: str, preset: str | None) -> Screen[Any]:
        from tui.app.screens.system_prompt import SystemPromptScreen

        return SystemPromptScreen(store, prompt, preset)

    def settings(
        self, models: list[str] | None, model: str, sampling: Sampling, note: str = ""
    ) -> Screen[Any]:
        from tui.app.screens.settings import SettingsScreen

        return SettingsScreen(models, model, sampling, note)

    def help(self, rows: list[tuple[str, str, str]], intro: list[str] | None = None) -> Screen[Any]:
        from tui.app.screens.help import HelpScreen

        return HelpScreen(rows, intro)
