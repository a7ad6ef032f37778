"""An answer's text as a column of blocks: :class:`TrackView` shows one
:class:`~tui.app.text.track.TextTrack` (the answer's or its reasoning's) as
:class:`AnswerBlock` widgets, one per block of the track. While the answer streams only the
blocks the track reports as dirty are repainted (the last one, as a rule); a block builds its
:class:`~textual.content.Content` lazily in ``render`` and keeps it until something changes, so
a heatmap toggle or a theme change costs nothing for blocks that are off screen.

Everything shown is model output: it goes through ``safe_text`` and into ``Content`` (never
markup).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content, Span
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Static

from tui.app.text.block_visual import BlockVisual
from tui.app.text.heat import TokenColouring
from tui.app.text.track import TextTrack, TrackUpdate
from tui.app.widgets.sizing import GrowsWithStream
from tui.core.safety import safe_text

BRANCH_MARK = Style(underline2=True)  # a branch's chosen token: no heat cue uses it


class AnswerBlock(GrowsWithStream, Widget):
    """One block of a track's text, heat-coloured on demand."""

    DEFAULT_CSS = "AnswerBlock { height: auto; }"

    def __init__(self, view: TrackView, index: int) -> None:
        super().__init__()
        self.view = view
        self.index = index
        self.auto_links = False  # model text has no links: skip Textual's pass over them
        self._visual: BlockVisual | None = None

    def invalidate(self, *, layout: bool) -> None:
        """Rebuild the content; lay out again only if the height may have changed."""
        self._visual = None
        if layout and self.is_mounted and self.size.width:
            # Text was added. A new line moves everything below (and scrolls the log): a full
            # layout. The same number of lines only needs this block repainted. (The lines
            # wrapped here are the ones the layout measures and the render draws.)
            visual = self._visual = self._new_visual()
            layout = visual.line_count(self.size.width) != self.size.height
        self.refresh(layout=layout)

    def render(self) -> BlockVisual:
        if self._visual is None:
            self._visual = self._new_visual()
        return self._visual

    def _new_visual(self) -> BlockVisual:
        view, index = self.view, self.index
        return BlockVisual(lambda: view.block_content(index), view.block_text(index))

    def growing(self) -> bool:
        return self.view.growing()

    @property
    def built(self) -> bool:
        """Its text has been built with spans (drawn) since it was last invalidated."""
        return self._visual is not None and self._visual.built


def line_count(content: Content, width: int) -> int:
    """Lines ``content`` takes when wrapped to ``width`` cells."""
    return len(content.wrap(max(1, width)))


def update_static(widget: Static, content: Content) -> None:
    """``Static.update`` with a layout only when the number of lines changes (live lines and
    the stats change every repaint while an answer streams, their height hardly ever)."""
    width = widget.content_region.width
    same = bool(width) and line_count(content, width) == widget.content_region.height
    widget.update(content, layout=not same)


class TrackView(GrowsWithStream, Vertical):
    """The blocks of one track (answer text or reasoning)."""

    # The stream layout re-places only the blocks that changed (the vertical layout would
    # measure all of them on every repaint: O(blocks) per frame, O(n²) per answer).
    DEFAULT_CSS = "TrackView { height: auto; layout: stream; }"
    BLANK = True  # nothing of its own to draw: skip rendering its (covered) background lines

    def __init__(self, track: TextTrack, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.track = track
        self.heat: TokenColouring | None = None
        self.cursor: int | None = None  # token index in the track
        self.cursor_style: object = None
        self.mark: int | None = None  # a branch's chosen token (index in the track)
        self._blocks: list[AnswerBlock] = []
        self._pending: set[int] = set()  # dirty blocks waiting for new blocks to mount
        self._built: dict[int, tuple[int, int, int]] = {}  # block → track state it was built at

    def compose(self) -> ComposeResult:
        self._blocks = [AnswerBlock(self, i) for i in range(self.track.block_count())]
        yield from self._blocks

    def growing(self) -> bool:
        view = self.parent  # the answer view it belongs to, which knows whether it streams
        return isinstance(view, GrowsWithStream) and view.growing()

    def on_mount(self) -> None:
        self._sync_blocks()

    def _sync_blocks(self) -> bool:
        """Mount a block widget for every block the track has and no widget shows yet;
        ``True`` when there were some (they are mounted once the current message is done)."""
        count = self.track.block_count()
        if count <= len(self._blocks):
            return False
        new = [AnswerBlock(self, i) for i in range(len(self._blocks), count)]
        self._blocks.extend(new)
        self.mount_all(new)
        return True

    def apply(self, update: TrackUpdate) -> None:
        """Mount new blocks and repaint dirty ones (never the whole track). Before the view is
        mounted there is nothing to do: blocks render from the track when they appear.

        With new blocks, the dirty ones are repainted once those are mounted (Textual runs
        the callbacks of ``call_next`` in order, the mount's first): one layout of the screen
        for the repaint instead of two, a first for the grown block and a second when the
        new ones arrive."""
        if not self.is_mounted:
            return
        mounted = len(self._blocks)
        mounting = self._sync_blocks()
        # Blocks mounted now render from the track as it is when they appear: repainting
        # them too rebuilt a block a burst had already finished (a busy machine's big ticks).
        self._pending |= {i for i in update.dirty if i < mounted}
        if not mounting:
            self._invalidate_pending()
        elif self._pending:
            self.call_next(self._invalidate_pending)

    def _invalidate_pending(self) -> None:
        pending, self._pending = self._pending, set()
        for i in sorted(pending):
            block = self._blocks[i]
            # Drawn after the change that made it dirty (frames are drawn later than the
            # stream's repaint tick): nothing to rebuild.
            if block.built and self._built.get(i) == self.track.block_state(i):
                continue
            block.invalidate(layout=True)

    def repaint_all(self) -> None:
        """Heat or theme changed: styles only, sizes stay (lazy: on-screen blocks render)."""
        for block in self._blocks:
            block.invalidate(layout=False)

    def retrack(self, track: TextTrack) -> None:
        """Show ``track`` instead: the same text with other tokens (a recovered answer), so
        the same blocks, every one repainted (new spans, new heat)."""
        self.track = track
        self.cursor = None
        if self.is_mounted:
            self._sync_blocks()
        self.repaint_all()

    def set_heat(self, heat: TokenColouring | None) -> None:
        if heat is not self.heat:
            self.heat = heat
            self.repaint_all()

    def set_cursor(self, cursor: int | None, style: object) -> None:
        """Move the token cursor, repainting only the blocks it leaves and enters."""
        if cursor == self.cursor and style is self.cursor_style:
            return
        dirty = set(self._blocks_of(self.cursor)) | set(self._blocks_of(cursor))
        self.cursor = cursor
        self.cursor_style = style
        for i in dirty:
            if i < len(self._blocks):
                self._blocks[i].invalidate(layout=False)

    def _blocks_of(self, token: int | None) -> range:
        return range(0) if token is None else self.track.blocks_of_token(token)

    def block_widget(self, token: int) -> AnswerBlock | None:
        blocks = self._blocks_of(token)
        return self._blocks[blocks.start] if blocks and blocks.start < len(self._blocks) else None

    def block_text(self, index: int) -> str:
        """Block ``index`` as shown (made safe: one character for one)."""
        start, end = self.track.block_range(index)
        return safe_text(self.track.text[start:end])

    def block_content(self, index: int) -> Content:
        track = self.track
        self._built[index] = track.block_state(index)
        start, end = track.block_range(index)
        text = safe_text(track.text[start:end])  # same length: one character for one
        spans: list[Span] = []
        heat = self.heat
        if heat is not None:
            tokens = track.tokens
            token_style = heat.token_style
            heat_logprob = track.heat_logprob
            for s, e, ti in track.spans_in(start, end):
                spans.append(Span(s - start, e - start, token_style(tokens[ti], heat_logprob(ti))))
        if self.mark is not None:
            span = track.display_span(self.mark)
            if span is not None and span[0] < end and span[1] > start:
                s, e = max(span[0], start), min(span[1], end)
                spans.append(Span(s - start, e - start, BRANCH_MARK))
        if self.cursor is not None and self.cursor_style is not None:
            span = track.display_span(self.cursor)
            if span is not None and span[0] < end and span[1] > start:
                s, e = max(span[0], start), min(span[1], end)
                spans.append(Span(s - start, e - start, self.cursor_style))  # type: ignore[arg-type]
        return Content(text, spans, strip_control_codes=False)
