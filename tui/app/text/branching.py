"""What the branch dialog and the side-by-side view say: plain strings, no widgets.

* :func:`choice_rows` — one line per alternative at the branch point (number, text with its
  whitespace visible, probability, and why it cannot be taken, if so), from the core's
  :func:`~tui.core.branch.branch_choices`;
* :func:`first_pick` — which row the dialog starts on: the most likely alternative that is
  not the token the answer has, and can be taken (the question a person asks first is
  "what would it have said otherwise?").
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.app.text.inspect import visible
from tui.core.branch import BranchChoice
from tui.core.report import fmt_prob

LABEL_WIDTH = 24
"""Cells of an alternative's text in a row (longer ones are cut with an ellipsis)."""


@dataclass(frozen=True, slots=True)
class ChoiceRow:
    """One alternative as the dialog lists it: ``words`` the line; ``usable``: it can start
    a branch; ``sampled``: the token the answer has there."""

    words: str
    usable: bool
    sampled: bool


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def choice_rows(choices: list[BranchChoice], sampled: str) -> list[ChoiceRow]:
    """The dialog's rows (see the module docstring); ``sampled``: the server token the
    answer has at that position."""
    rows = []
    for number, choice in enumerate(choices, 1):
        alt = choice.alternative
        is_sampled = alt.token == sampled
        key = str(number) if number <= 9 else " "
        label = _cut(visible(choice.text) or "(empty)", LABEL_WIDTH).ljust(LABEL_WIDTH)
        words = f"{key}  {label} {fmt_prob(alt.prob).rjust(7)}"
        if is_sampled:
            words += "  (the answer's own)"
        if choice.problem is not None:
            words += f"  ✗ {choice.problem}"
        rows.append(ChoiceRow(words, choice.problem is None, is_sampled))
    return rows


def first_pick(rows: list[ChoiceRow]) -> int | None:
    """The row to start on (see the module docstring); ``None`` when none can be taken."""
    usable = [k for k, row in enumerate(rows) if row.usable]
    other = [k for k in usable if not rows[k].sampled]
    return (other or usable or [None])[0]
