"""Pick the format to export the conversation in: JSON, JSONL, Markdown or CSV.

Enter on the highlighted format (or its letter: ``j``, ``l``, ``m``, ``c``) exports; Esc
cancels. Dismisses with the format name of :data:`tui.core.export.FORMATS` or None.
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

EXPORT_CHOICES: list[tuple[str, str, str]] = [
    ("json", "j", "JSON: everything, raw logprobs included"),
    ("jsonl", "l", "JSONL: one answer per line (pandas, jq)"),
    ("md", "m", "Markdown: readable, each answer with its stats table"),
    ("csv", "c", "CSV: one row per token with its top alternatives"),
]


class ExportScreen(ModalScreen[str | None]):
    CSS_PATH = "export.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(letter, f"pick('{fmt}')", fmt, show=False, id=f"export.{fmt}")
            for fmt, letter, _ in EXPORT_CHOICES
        ),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = "Export this conversation"
            yield OptionList(
                *(
                    Option(Content(f"{letter}  {label}"), id=fmt)
                    for fmt, letter, label in EXPORT_CHOICES
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
