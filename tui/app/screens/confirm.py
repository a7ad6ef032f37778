"""A yes/no question before something that cannot be undone (deleting, overwriting)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.core.safety import safe_text


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (``y``, or Enter on the confirm button, which has focus) or False
    (``n``, Esc, or the Cancel button). The question is shown literally: it often quotes user
    text such as a preset name, which must never be parsed as markup."""

    CSS_PATH = "confirm.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", id="confirm.yes"),
        Binding("n,escape", "cancel", "No", key_display="n/esc", id="confirm.no"),
    ]

    def __init__(self, question: str, confirm_label: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(safe_text(self.question), markup=False, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(Content(self.confirm_label), variant="error", id="confirm-yes")
                yield Button(Content("Cancel"), id="confirm-no")
            hint = f"y/Enter {self.confirm_label}  ·  n/Esc Cancel"
            yield Static(Content(hint), id="confirm-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        # Stop here so the press can never reach a handler on the screen underneath.
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
