"""The token cursor of the main screen: move over an answer's tokens, inspect each one.

A mixin of :class:`~tui.app.screens.main.MainScreen` (which owns the state it uses: the
selected answer, ``cursor``, the palette and the pane widgets), kept apart so each file has one
job. The cursor walks the answer-scope tokens of the selected answer; moving it repaints only
the blocks it leaves and enters, updates the inspector (or, on a narrow terminal, the token
strip under the chat) and highlights the token's row in the raw JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.geometry import Region
from textual.widget import Widget

from tui.app.text.cursor import least_likely, next_low
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen
    from tui.app.widgets.answer import AnswerView

    _Base = MainScreen
else:
    _Base = object


class TokenCursorMixin(_Base):
    def _cursor_view(self, notify: bool = True) -> AnswerView | None:
        view = self._selected_view()
        if view is None and self.views:
            self._select(len(self.views) - 1)
            view = self._selected_view()
        if view is None or not view.tokens:
            if notify:
                self.notify("This answer has no logprobs to inspect.", markup=False)
            return None
        return view

    def _set_cursor(self, index: int | None) -> None:
        view = self._selected_view()
        if view is None:
            return
        if index is not None:
            index = max(0, min(index, len(view.tokens) - 1))
        was_active = self.cursor is not None
        self.cursor = index
        self._show_cursor(scroll=True)
        if was_active != (index is not None):
            # Only when the cursor turns on or off: new bindings rebuild the footer.
            self._mark_cursor(index is not None)
            self.refresh_bindings()

    def _mark_cursor(self, active: bool) -> None:
        # Classes on the widgets concerned, not on the screen: a screen class would restyle
        # every widget of the chat.
        self.inspector.set_class(active, "-active")
        self.strip.set_class(active, "-active")

    def _show_cursor(self, scroll: bool) -> None:
        view = self._selected_view()
        if view is None:
            return
        if self.cursor is None:
            view.set_cursor(None, None)
            self.json_view.highlight_row(None)
            return
        assert self.palette is not None
        view.set_cursor(self.cursor, self.palette.cursor)
        token = view.tokens[self.cursor]
        count = len(view.tokens)
        width = self.inspector.content_region.width or self.query_one("#pane").size.width - 4
        self.inspector.show(token, self.cursor, count, width)
        self.strip.show(token, self.cursor, count)
        self.json_view.highlight_row(token.index)
        if scroll:
            self._scroll_to_cursor(view)

    def _scroll_to_cursor(self, view: AnswerView) -> None:
        """Bring the line holding the cursor token into view (blocks can be taller than the
        log, so scrolling to the block is not enough)."""
        assert self.cursor is not None
        block = view.cursor_widget(self.cursor)
        span = view.answer_track.span_of(self.cursor)
        if block is None or span is None or not block.is_mounted or not block.size.width:
            return
        start, _ = view.answer_track.block_range(block.index)
        line = 0
        if span[0] > start:
            before = view.text_view.block_content(block.index)[: span[0] - start]
            line = max(0, len(before.wrap(block.size.width)) - 1)
        # The line's region in the log's own (virtual) coordinates: translate up through the
        # containers between the block and the log, none of which scrolls.
        self._bring_into_view(block, Region(0, line, 1, 1))

    def _bring_into_view(self, widget: Widget, region: Region) -> None:
        """Scroll the log so ``region`` (in ``widget``'s coordinates) is visible, and only if
        it is not: an anchored log whose content is shorter than the screen sits at the
        bottom (Textual's chat behaviour), and releasing the anchor for nothing would make it
        jump to the top."""
        node: Any = widget
        while node is not None and node is not self.log_view:
            # Up through containers that do not scroll, into the log's virtual coordinates.
            region = region.translate(node.virtual_region.offset)
            node = node.parent
        if node is None:
            return
        log = self.log_view
        top = log.scroll_y
        if top <= region.y and region.bottom <= top + log.scrollable_content_region.height:
            return
        log.release_anchor()
        log.scroll_to_region(region, animate=False, immediate=True, top=True)

    def action_toggle_cursor(self) -> None:
        if self.cursor is not None:
            self._set_cursor(None)
            return
        if self._cursor_view() is not None:
            self._set_cursor(0)

    def action_cursor_left(self) -> None:
        if self.cursor is not None:
            self._set_cursor(self.cursor - 1)

    def action_cursor_right(self) -> None:
        if self.cursor is not None:
            self._set_cursor(self.cursor + 1)

    def action_cursor_first(self) -> None:
        self._set_cursor(0)

    def action_cursor_last(self) -> None:
        view = self._selected_view()
        if view is not None:
            self._set_cursor(len(view.tokens) - 1)

    def action_cursor_least_likely(self) -> None:
        view = self._cursor_view()
        if view is None:
            return
        index = least_likely(view.tokens)
        if index is None:
            self.notify("No token of this answer has a usable logprob.", markup=False)
            return
        self._set_cursor(index)

    def action_cursor_next_low(self) -> None:
        view = self._cursor_view()
        if view is None:
            return
        start = -1 if self.cursor is None else self.cursor
        index = next_low(view.tokens, start, DEFAULT_LOW_PROB_THRESHOLD)
        if index is None:
            self.notify(
                f"No token of this answer has p < {DEFAULT_LOW_PROB_THRESHOLD:g}.", markup=False
            )
            return
        self._set_cursor(index)
