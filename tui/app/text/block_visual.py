"""A text block's heat-coloured text as a Textual visual that wraps once and draws cheaply.

Textual's :class:`~textual.content.Content` wraps a text three times per change (the block's
own line count, the layout's height, the render) and, drawing it, builds a new style for every
run of text: it combines the span's style with the base one and turns that into a Rich style
carrying the run's offset (which mouse selection reads). A heat-coloured block has one span per
token, so a 12-line block cost ~2.7 ms to draw, and a fast stream's repaint drew four of them
and measured ten (the benchmark's screen case: ~30 ms a repaint at 160×48).

:class:`BlockVisual` keeps the lines of the last width it was wrapped to (the same lines
``Content`` would draw: its own ``_wrap_and_format``) and draws each run with the Rich style
of its span's style, computed once per distinct style (the heat palette has a dozen) and copied
with the run's offset. The output is the same segments, styles and offsets as ``Content``'s
(a test compares them); lines with overlapping spans (the token cursor or a branch's mark over
a heat colour) and a mouse selection (and empty lines) take ``Content``'s own path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich._wrap import divide_line  # what Content wraps with
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.style import dumps as rich_dumps  # how Rich stores a style's meta (pickle)
from textual.content import Content, Span
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

if TYPE_CHECKING:
    from textual.css.styles import RulesMap


TAB_SIZE = 8  # Content's own


def with_offset(style: RichStyle, x: int, y: int) -> RichStyle:
    """``style`` plus the meta ``{"offset": (x, y)}`` of a run of text (what Textual's
    ``Style.rich_style_with_offset`` builds from scratch), by copying it: a quarter of the
    cost. ``style`` has no meta or link of its own (the text of an answer has none)."""
    copy = style.copy()
    copy._meta = rich_dumps({"offset": (x, y)})
    copy._hash = None
    return copy


class BlockVisual(Visual):
    """``content`` drawn left-aligned, wrapped at word boundaries (an answer block's rules)."""

    def __init__(self, content: Content | Callable[[], Content], plain: str | None = None) -> None:
        """``content``, or a function building it with ``plain`` its text: then the spans
        are only built when the block is drawn (the layout measures every new block of a
        fast stream on its text alone; most scroll past unseen)."""
        if isinstance(content, Content):
            self._content: Content | None = content
            self._make: Callable[[], Content] | None = None
            self._plain = content.plain
        else:
            if plain is None:
                raise ValueError("a content function needs the plain text beside it")
            self._content, self._make, self._plain = None, content, plain
        self._width = -1
        self._lines: list = []
        self._height = (-1, 0)  # (width, lines) measured without drawing

    @property
    def built(self) -> bool:
        """The content (spans) has been built."""
        return self._content is not None

    @property
    def content(self) -> Content:
        if self._content is None:
            assert self._make is not None
            self._content = self._make()
            self._make = None
        return self._content

    # What is drawn, as the Content it is drawn from says (tests and callers read these).
    @property
    def plain(self) -> str:
        return self._plain

    @property
    def spans(self) -> list[Span]:
        return self.content.spans

    def __str__(self) -> str:
        return self._plain

    def lines(self, width: int) -> list:
        """The formatted lines of ``content`` at ``width`` cells (cached for the last width)."""
        if width != self._width:
            self._lines = self.content._wrap_and_format(width)
            self._width = width
        return self._lines

    def line_count(self, width: int) -> int:
        """Lines at ``width`` cells, as drawn. Measured on the plain text alone (the layout
        measures every new block of a fast stream, most of which scroll past unseen): the
        line breaks ``Content`` finds, without splitting its spans."""
        width = max(1, width)
        if width == self._width:
            return len(self._lines)
        if self._height[0] != width:
            count = 0
            for paragraph in self._plain.split("\n"):
                if "\t" in paragraph:
                    paragraph = Content(paragraph).expand_tabs(TAB_SIZE).plain
                count += len(divide_line(paragraph, width, fold=True)) + 1
            self._height = (width, count)
        return self._height[1]

    # ------------------------------------------------------------------ Visual protocol

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.line_count(width)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if not width:
            return []
        if options.selection is not None or options.post_style is not None:
            return self.content.render_strips(width, height, style, options)
        lines = self.lines(width)
        if height is not None:
            lines = lines[:height]
        styles: dict[int, RichStyle] = {}
        gap = (style + style).rich_style  # text between spans: the base under itself
        return [Strip(*self._line_segments(line, style, gap, styles)) for line in lines]

    @staticmethod
    def _line_segments(
        line: object, base: Style, gap: RichStyle, styles: dict[int, RichStyle]
    ) -> tuple[list[Segment], int]:
        """What ``line.to_strip(base)`` gives for a left-aligned line, one style per span
        style instead of one per run."""
        content: Content = line.content  # type: ignore[attr-defined]
        spans = content.spans
        if not content.plain:
            return line.to_strip(base)  # type: ignore[attr-defined]  # one empty run
        previous_end = 0
        for span in spans:
            if span.start < previous_end or isinstance(span.style, str):
                return line.to_strip(base)  # type: ignore[attr-defined]
            previous_end = span.end
        text = content.plain
        x0: int = line.x  # type: ignore[attr-defined]
        y: int = line.y  # type: ignore[attr-defined]
        segments: list[Segment] = []
        add = segments.append
        position = 0
        for span in spans:
            start, end, span_style = span.start, span.end, span.style
            if start >= end:
                continue
            if start > position:
                add(Segment(text[position:start], with_offset(gap, x0 + position, y)))
            rich = styles.get(id(span_style))
            if rich is None:
                rich = (base + Style.combine([base, span_style])).rich_style  # type: ignore[list-item]
                styles[id(span_style)] = rich
            add(Segment(text[start:end], with_offset(rich, x0 + start, y)))
            position = end
        if position < len(text):
            add(Segment(text[position:], with_offset(gap, x0 + position, y)))
        return segments, content.cell_length
