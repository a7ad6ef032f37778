"""Branch an answer at one token: pick one of the alternatives the model had there, or type
your own text, and the model continues from that point (a new sibling of the answer).

Dismisses with the :class:`~tui.core.wire.values.Alternative` picked, the text typed, or
``None`` (Esc). The rows come from :func:`tui.core.branch.branch_choices` (an alternative
that cannot start a branch, such as a piece of a character or the end token, is listed
dimmed with the reason); ↑↓ and Enter, or a digit 1-9, take one; Tab goes to the text
field, where Enter takes what is typed. Server text is shown literally (Content, never
markup).
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.screens.type_ahead import deliver_early_key
from tui.app.text.branching import choice_rows, first_pick
from tui.app.text.inspect import visible
from tui.core.branch import BranchChoice
from tui.core.report import fmt_prob, token_number
from tui.core.wire.records import TokenRecord
from tui.core.wire.values import Alternative

BranchPick = Alternative | str | None


class BranchScreen(ModalScreen[BranchPick]):
    CSS_PATH = "branch.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="branch.cancel"),
    ]
    AUTO_FOCUS = "#branch-choices"

    def __init__(self, number: int, token: TokenRecord, choices: list[BranchChoice]) -> None:
        super().__init__()
        self.number = number
        self.token = token
        self.choices = choices
        self.rows = choice_rows(choices, token.token)

    def compose(self) -> ComposeResult:
        with Vertical(id="branch-dialog") as dialog:
            dialog.border_title = (
                f"Branch answer #{self.number} at token #{token_number(self.token.index)}"
            )
            now = f"The answer has “{visible(self.token.text)}” ({fmt_prob(self.token.prob)}) here."
            yield Static(Content(now), id="branch-now", markup=False)
            options = [
                Option(Content(row.words), id=str(k), disabled=not row.usable)
                for k, row in enumerate(self.rows)
            ]
            yield OptionList(*options, id="branch-choices", markup=False)
            yield Input(placeholder="or type your own text to put there", id="branch-text")
            hint = "↑↓ ⏎ or 1-9: generate from there · tab: type your own · esc: cancel"
            yield Static(Content(hint), id="branch-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#branch-text", Input).cursor_blink = getattr(self.app, "cursor_blink", True)
        pick = first_pick(self.rows)
        if pick is not None:
            self.query_one(OptionList).highlighted = pick

    def on_key(self, event: events.Key) -> None:
        if deliver_early_key(self, event):  # typed right after b
            return
        listing = self.query_one(OptionList)
        if listing.has_focus and event.character and event.character in "123456789":
            k = int(event.character) - 1
            event.stop()
            if k < len(self.rows) and self.rows[k].usable:
                self.dismiss(self.choices[k].alternative)
            else:
                self.notify("That one cannot start a branch (see why in its row).", markup=False)

    @on(OptionList.OptionSelected, "#branch-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)].alternative)

    @on(Input.Submitted, "#branch-text")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value:
            self.dismiss(event.value)
        else:
            self.notify("Type the text to put at that token first.", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
