"""Which keys the footer shows, in which order, in the width it has.

Textual's footer lays out every shown binding in one row and lets the command palette's key
(docked right) cover whatever does not fit: at 80 columns that cut labels in half and left a
stray letter at the right edge (``^p palettet``). Here the footer decides instead: keys in
order of what matters now (:func:`footer_rank`), as many whole keys as fit beside the
palette key, never a part of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

URGENT = frozenset({"stop"})
"""Actions shown first whenever they are offered (stopping an answer that is coming)."""


@dataclass(frozen=True, slots=True)
class FooterItem:
    """One key of the footer: its label, its word, and its place in the order (lower
    first: :func:`footer_rank`)."""

    key: str
    description: str
    rank: tuple[int, int, int]
    action: str = ""

    @property
    def width(self) -> int:
        """Cells it takes in the compact footer: key, space, word, and one cell after it."""
        return cell_len(self.key) + 1 + cell_len(self.description) + 1


def action_name(action: str) -> str:
    """The action a binding runs, by its name: ``stop``, ``screen.leave`` → ``leave``,
    ``screen.pane('copy_json')`` → ``copy_json``."""
    name = action.rsplit(".", 1)[-1]
    if name.startswith("pane(") and "'" in name:
        return name.split("'")[1]
    return name.split("(", 1)[0]


def footer_rank(name: str, *, local: bool, order: int) -> tuple[int, int, int]:
    """Urgent actions first (Stop, while an answer comes); then the keys of the widget that
    has the focus (what the person is doing: typing, reading the log, the token cursor);
    then the screen's keys; within each, the action table's order (``order``). ``name`` is
    the action's name (:func:`action_name`)."""
    return (0 if name in URGENT else 1, 0 if local else 1, order)


def fit_footer(items: Sequence[FooterItem], width: int) -> list[FooterItem]:
    """``items`` in rank order, as many as fit in ``width`` cells: one that does not fit is
    left out whole (a shorter one after it may still fit)."""
    chosen: list[FooterItem] = []
    used = 0
    for item in sorted(items, key=lambda i: i.rank):
        if used + item.width > width:
            continue
        chosen.append(item)
        used += item.width
    return chosen
