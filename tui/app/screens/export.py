"""Pick the format to export the conversation in: one line per entry of the format registry
(:data:`tui.core.export.CONVERSATION_FORMATS`: JSON, JSONL, Markdown, CSV).

Enter on the highlighted format (or its letter: ``j``, ``l``, ``m``, ``c``, from the registry)
exports; Esc cancels. Dismisses with the format's name or None.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.export import CONVERSATION_FORMATS


class ExportScreen(ModalScreen[str | None]):
    CSS_PATH = "export.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(fmt.key, f"pick('{fmt.name}')", fmt.label, show=False, id=f"export.{fmt.name}")
            for fmt in CONVERSATION_FORMATS
        ),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = "Export this conversation"
            yield OptionList(
                *(
                    Option(Content(f"{fmt.key}  {fmt.title}"), id=fmt.name)
                    for fmt in CONVERSATION_FORMATS
                ),
                id="export-formats",
            )
            yield Static(
                Content("⏎ or the letter: save in the exports folder · esc: cancel"),
                id="export-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, fmt: str) -> None:
        self.dismiss(fmt)

    def action_cancel(self) -> None:
        self.dismiss(None)
