"""A selection list whose boxes read ``[x]`` / ``[ ]``: ticked or not without colour.

Textual's :class:`~textual.widgets.SelectionList` draws every box as ``▐X▌`` and tells ticked
from unticked by colour alone: under ``NO_COLOR`` (or in 16 colours) every box shows an
``X``. This one draws the state in the characters.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.selection_list import SelectionType

BOX_TICKED = "[x]"
BOX_EMPTY = "[ ]"


class TickList(SelectionList[SelectionType]):
    """A :class:`SelectionList` with ``[x]`` / ``[ ]`` boxes (same width as Textual's)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return strip
        segments = list(strip)
        if len(segments) < 3:
            return strip
        ticked = self.get_option_at_index(index).value in self._selected
        box = BOX_TICKED if ticked else BOX_EMPTY
        # Textual's box is three one-cell segments (left edge, mark, right edge): all three
        # in the mark's style, so the brackets show wherever the mark does.
        style = segments[1].style
        boxed = [Segment(char, style) for char in box]
        return Strip([*boxed, *segments[3:]], strip.cell_length)
