"""A virtualised, read-only viewer for an answer's raw logprob JSON.

Built on the Line API: Textual asks for the lines on screen and only those are formatted
(:class:`~tui.app.text.json_lines.RawJsonLines`), so a 40 MB payload opens and scrolls as
fast as a small one. The row under the token cursor is highlighted.

The document width is not known without formatting every line, so the horizontal scroll range
grows to the widest line seen so far.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.text.json_lines import RawJsonLines
from tui.app.widgets.sizing import set_virtual_size
from tui.core.safety import safe_text


class JsonView(ScrollView, can_focus=True):
    """Shows ``{"content": rows}`` for one answer's rows (a list that may still grow)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"json-view--highlight"}
    DEFAULT_CSS = """
    JsonView { background: $surface; }
    JsonView > .json-view--highlight { background: $primary 30%; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.doc = RawJsonLines()
        self._widest = 0
        self._highlight: range = range(0)

    def show(self, rows: list[Any] | None) -> None:
        """Show these rows (``None``: no logprobs), from the top."""
        self.doc.attach(rows if rows is not None else [])
        self._widest = 0
        self._highlight = range(0)
        self._resize()
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def sync(self) -> None:
        """Pick up rows appended to the list being shown (cheap: O(new rows)). Lines on
        screen are repainted only if the new rows reach them (the closing line moves)."""
        before = self.doc.line_count
        if self.doc.sync():
            self._resize()
            top = int(self.scroll_y)
            if before - 2 < top + self.scrollable_content_region.height:
                self.refresh()

    def highlight_row(self, row: int | None) -> None:
        """Highlight a row's lines and bring them into view."""
        if row is None or row >= self.doc.row_count:
            self._highlight = range(0)
            self.refresh()
            return
        first = self.doc.line_of_row(row)
        last = (
            self.doc.line_of_row(row + 1)
            if row + 1 < self.doc.row_count
            else self.doc.line_count - 1
        )
        self._highlight = range(first, last)
        self._scroll_to_highlight()
        self.refresh()

    def on_resize(self) -> None:
        self._resize()
        if self._highlight:
            self._scroll_to_highlight()

    def _scroll_to_highlight(self) -> None:
        first, last = self._highlight.start, self._highlight.stop
        height = self.scrollable_content_region.height
        if height and not (self.scroll_y <= first and last <= self.scroll_y + height):
            self.scroll_to(y=max(0, first - 1), animate=False)

    def _resize(self) -> None:
        # Its rows grow at every repaint of a streaming answer: the scrollbars follow, the
        # screen needs no layout for it (the viewer's own size does not change).
        width = max(self._widest, self.scrollable_content_region.width)
        set_virtual_size(self, Size(width, self.doc.line_count))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= self.doc.line_count:
            return Strip.blank(width, base)
        text = safe_text(self.doc.line(index))
        cells = cell_len(text)
        if cells > self._widest:
            self._widest = cells
            self.call_after_refresh(self._resize)
        style: RichStyle = base
        if index in self._highlight:
            style = base + self.get_component_rich_style("json-view--highlight")
        strip = Strip([Segment(text, style)], cells)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()
