"""Widgets of a streaming answer, whose new size (found by a layout) needs no second layout.

When a layout pass gives a widget a new size, Textual (8.2) sets its ``virtual_size``
reactive, which asks for *another* layout of the whole screen (``Widget._size_updated`` with
``layout=True``). For a streaming answer that is every repaint: the last block grew, so the
block, its track, its answer view and the chat log all change size, and each repaint was laid
out twice (measured on case 2 of ``tests/bench``: 2 layouts per repaint, the second finding
nothing to move, ~12 ms each at 160×48).

While an answer streams, every repaint marks the path from the grown block up to the log
for the layout (the block asks for it), so the first layout places everything. Then these
widgets take the update Textual itself uses when it only scrolls (``layout=False``): their
scrollbars still follow, and a scrollbar that appears or goes still asks for its layout.
Otherwise (a conversation being shown, notes added, an answer ending) Textual's own way: its
stream layout re-measures only the children it was told about, and the second layout is
what tells it about an answer whose height changed under a new sibling.

The chat log, an answer view, its text view and its blocks take :class:`GrowsWithStream`,
each with its own ``growing()``.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget


class GrowsWithStream:
    """Mixin, before the widget class. Not a ``Widget`` itself: Textual takes a widget's
    CSS (``DEFAULT_CSS`` of its bases) along the first base that is a DOM node, so a
    ``Widget`` mixin would drop ``VerticalScroll``'s own (the log would stop scrolling)."""

    def growing(self) -> bool:
        """Whether this widget grows with a streaming answer now."""
        return False

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        layout = layout and not self.growing()
        return super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Give a scrolling widget a new ``virtual_size`` without a layout of the screen: only
    its scrollbars follow (the JSON viewer, whose rows grow at every repaint of a streaming
    answer while its own size stays)."""
    if size != widget.virtual_size:
        widget.set_reactive(Widget.virtual_size, size)
        widget._scroll_update(size)
