"""Ask for a conversation's new title: one line, Enter saves, Esc cancels.

Dismisses with the title typed (an empty one means "show the first question again") or None.
The current title and the first question are user text: shown literally.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.app.screens.type_ahead import deliver_early_key
from tui.core.safety import safe_line

MAX_TITLE = 200


class RenameScreen(ModalScreen[str | None]):
    CSS_PATH = "rename.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="rename.cancel"),
    ]
    AUTO_FOCUS = "#rename-title"

    def __init__(self, title: str, first_question: str) -> None:
        super().__init__()
        self.title_now = title
        self.first_question = first_question

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-dialog") as dialog:
            dialog.border_title = "Rename conversation"
            first = safe_line(self.first_question.strip().split("\n", 1)[0])
            yield Static(Content(f"First question: {first}"), id="rename-first", markup=False)
            yield Input(
                safe_line(self.title_now),
                placeholder="title (empty: show the first question)",
                max_length=MAX_TITLE,
                compact=True,
                id="rename-title",
            )
            yield Static(Content("⏎ save · esc cancel"), id="rename-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#rename-title", Input).cursor_blink = getattr(
            self.app, "cursor_blink", True
        )

    def on_key(self, event: events.Key) -> None:
        deliver_early_key(self, event)  # typed right after F2

    @on(Input.Submitted, "#rename-title")
    def _save(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
