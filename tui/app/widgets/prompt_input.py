"""The input bar: Enter sends; a multi-line mode for terminals without shift+enter.

Many terminals (and SSH, tmux) send the same byte for Enter and shift+enter, so "shift+enter
for a newline" cannot be relied on. Instead:

* single-line mode (default): Enter sends; ctrl+j (a plain line feed, which every terminal
  can send) or shift+enter (where the terminal reports it) inserts a newline;
* multi-line mode (ctrl+o): Enter inserts a newline; ctrl+s sends.

Pasted text keeps its newlines in both modes.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import TextArea

from tui.app.actions import bindings_for

SINGLE_TITLE = "⏎ send · ctrl+j newline · ctrl+o multi-line"
MULTI_TITLE = "multi-line: ⏎ newline · ctrl+s send · ctrl+o single-line"


class PromptInput(TextArea):
    """A TextArea that sends its text as :class:`PromptInput.Submitted`."""

    BINDINGS = bindings_for("input")

    multiline: reactive[bool] = reactive(False)

    @dataclass
    class Submitted(Message):
        input: PromptInput
        text: str

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            soft_wrap=True,
            show_line_numbers=False,
            highlight_cursor_line=False,
            tab_behavior="focus",
            **kwargs,  # type: ignore[arg-type]
        )

    def on_mount(self) -> None:
        self.border_title = SINGLE_TITLE

    def watch_multiline(self, multiline: bool) -> None:
        self.border_title = MULTI_TITLE if multiline else SINGLE_TITLE
        self.set_class(multiline, "-multiline")
        self.refresh_bindings()

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and not self.multiline:
            event.stop()
            event.prevent_default()
            self.action_send()
            return
        await super()._on_key(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send_enter":
            return not self.multiline
        return super().check_action(action, parameters)

    def action_send(self) -> None:
        self.post_message(self.Submitted(self, self.text))

    def action_send_enter(self) -> None:
        self.action_send()

    def action_newline(self) -> None:
        self.insert("\n")

    def action_toggle_multiline(self) -> None:
        self.multiline = not self.multiline
