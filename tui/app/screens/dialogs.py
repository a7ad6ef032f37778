"""The main screen's dialogs: help, system prompt and presets, settings; palette actions.

A mixin of :class:`~tui.app.screens.main.MainScreen`. The modal screens themselves come from
``app.modals`` (see :mod:`tui.app.modals`); their results change the session, so the next
request uses them, and the status line says so at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work

from tui.app.actions import TOKENS, ActionSpec, help_rows
from tui.app.modals import ModalUnavailable
from tui.app.text.status import prompt_label
from tui.core.errors import LogprobChatError

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object


class DialogActionsMixin(_Base):
    def action_help(self) -> None:
        try:
            screen = self.chat_app.modals.help(help_rows(self.chat_app.keymap))
        except ModalUnavailable as exc:
            self.notify(str(exc), markup=False, severity="warning")
            return
        self.app.push_screen(screen)

    def action_system_prompt(self) -> None:
        s = self.session
        try:
            screen = self.chat_app.modals.system_prompt(
                self.chat_app.presets, s.system_prompt, s.preset
            )
        except ModalUnavailable as exc:
            self.notify(str(exc), markup=False, severity="warning")
            return
        self.app.push_screen(screen, self._apply_prompt_choice)

    def _apply_prompt_choice(self, choice: Any) -> None:
        if choice is None:
            return
        s = self.session
        s.system_prompt = choice.prompt
        s.preset = choice.name
        self.update_status()
        label = prompt_label(s.preset, s.system_prompt)
        self.notify(f"system prompt: {label} — applies to the next question", markup=False)
        self._ready_for_next_question()

    def _ready_for_next_question(self) -> None:
        """A new prompt or new settings mean the user will ask again: put the cursor in the
        input bar (after the closed modal has handed the focus back to where it was), so
        typing does not land in the chat log as key commands."""
        self.call_after_refresh(self.input.focus)

    def preset_names(self) -> list[str]:
        return self.chat_app.presets.names()

    def use_preset(self, name: str) -> None:
        try:
            preset = self.chat_app.presets.get(name)
        except LogprobChatError as exc:
            self.notify(str(exc), markup=False, severity="error")
            return
        self._apply_prompt_choice(_Choice(preset.name, preset.prompt))

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def action_settings(self) -> None:
        s = self.session
        current = s.model or (s.backend.connection.model if s.backend else None) or ""
        # No list (the server failed to give one) makes the modal offer a name field, where
        # any model can be typed; a list always has the current model in it.
        models: list[str] = []
        if s.client is not None:
            try:
                models = await s.client.list_models()
            except LogprobChatError as exc:
                self.notify(f"could not list models: {exc}", markup=False, severity="warning")
        try:
            screen = self.chat_app.modals.settings(models, current, s.sampling)
        except ModalUnavailable as exc:
            self.notify(str(exc), markup=False, severity="warning")
            return
        choice = await self.app.push_screen_wait(screen)
        if choice is None:
            return
        s.sampling = choice.sampling
        if choice.model:
            s.model = choice.model
        self.update_status()
        self.notify("Settings apply to the next question.", markup=False)
        self._ready_for_next_question()

    def run_spec(self, spec: ActionSpec) -> None:
        """Run an action chosen in the command palette."""
        target = self.input if spec.where == "input" else self
        if spec.group == TOKENS and spec.action == "toggle_cursor":
            self.log_view.focus()
        self.call_later(target.run_action, spec.action)


@dataclass(frozen=True)
class _Choice:
    name: str | None
    prompt: str
