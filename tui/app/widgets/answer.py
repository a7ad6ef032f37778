"""Widgets of one exchange in the chat log: the question, the answer, its reasoning.

An answer's text lives in a :class:`~tui.app.text.track.TextTrack` and is shown by a
:class:`~tui.app.widgets.track_view.TrackView` (a column of blocks, repainted only where the
track changed).

Everything shown is model output: it goes through ``safe_text`` and into ``Content`` (never
markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Collapsible, Static

from tui.app.text.heat import TokenColouring
from tui.app.text.summary import answer_footer, answer_header, lineage_line, live_footer
from tui.app.text.track import TextTrack, retracked
from tui.app.widgets.sizing import GrowsWithStream
from tui.app.widgets.track_view import TrackView, update_static
from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.metrics import Metrics, compute_metrics
from tui.core.safety import safe_line, safe_text
from tui.core.wire.records import TokenRecord


class QuestionView(Static):
    """What the person asked (their own text, still never markup)."""

    def __init__(self, question: str) -> None:
        super().__init__(Content(safe_text(question)), markup=False, classes="question")


class SystemLine(Static):
    """A one-line message in the log (start-up problems, notes). Never markup."""

    def __init__(self, message: str, *, kind: str = "note") -> None:
        mark = "⚠ " if kind == "error" else "· "
        super().__init__(Content(mark + safe_line(message)), markup=False, classes=f"system {kind}")


class AnswerView(GrowsWithStream, Vertical):
    """One answer: header, reasoning (collapsed), text blocks, footer, error and notices."""

    def __init__(self, turn: Turn, number: int, siblings: tuple[int, int] = (1, 1)) -> None:
        super().__init__(classes="answer")
        self.turn = turn
        self.number = number
        self.sibling_place = siblings  # (k, n): sibling k of n ("‹2/3›" in the header)
        self.question_view: Widget | None = None  # its question's widget in the log
        self.answer_track = TextTrack()
        self.reasoning_track = TextTrack()
        self.other_tokens = 0
        self.text_view = TrackView(self.answer_track, classes="answer-text")
        self._reasoning_view: TrackView | None = None
        self._reasoning_box: Collapsible | None = None
        self._header = Static(markup=False, classes="answer-header")
        self._footer = Static(markup=False, classes="answer-footer")
        self._error = Static(markup=False, classes="answer-error")
        self._notices = Static(markup=False, classes="answer-notices")
        self._composed = False
        self.recovering: str | None = None  # progress words while hidden tokens are measured
        self.alive: float | None = None  # seconds of keep-alives alone, while streaming

    def growing(self) -> bool:
        return self.turn.live is not None

    def compose(self) -> ComposeResult:
        self._composed = True
        self._header.update(Content(self._header_words()))
        yield self._header
        if self._reasoning_box is not None:
            yield self._reasoning_box
        yield self.text_view
        yield self._footer
        yield self._error
        yield self._notices

    def on_mount(self) -> None:
        self._error.display = False
        self._notices.display = False
        if self.turn.answer is not None:
            self.load(self.turn.answer)
        else:
            live = self.turn.live
            reading = 0.0 if live is not None and live.reading_prompt else None
            self.show_live(None, waiting=live is None, reading=reading)

    # ------------------------------------------------------------------ content

    def _header_words(self) -> str:
        head = answer_header(self.turn, self.number, self.sibling_place)
        line = lineage_line(self.turn)
        return head if line is None else f"{head}\n{line}"

    def set_sibling_place(self, siblings: tuple[int, int]) -> None:
        """Sibling k of n now (another was made, or this one selected)."""
        if siblings != self.sibling_place:
            self.sibling_place = siblings
            if self._composed:
                self._header.update(Content(self._header_words()))

    def _mark_branch(self) -> None:
        """A branch's chosen token, double underlined in its text."""
        point = self.turn.point
        if point is not None and point.position < len(self.answer_track.tokens):
            self.text_view.mark = point.position
            self.text_view.repaint_all()

    @property
    def footer_text(self) -> str:
        """The state line under the answer, as shown (live while streaming)."""
        return str(self._footer.render())

    @property
    def error_text(self) -> str:
        """The error line ("" when there is none)."""
        return str(self._error.render()) if self._error.display else ""

    @property
    def notices_text(self) -> str:
        return str(self._notices.render()) if self._notices.display else ""

    @property
    def header_text(self) -> str:
        return str(self._header.render())

    @property
    def tokens(self) -> list[TokenRecord]:
        """The answer-scope tokens: what the token cursor walks over."""
        return self.answer_track.tokens

    @property
    def token_total(self) -> int:
        """Every token the model generated for this answer so far, of every scope (what
        "token #78 of 346" counts)."""
        return len(self.answer_track.tokens) + len(self.reasoning_track.tokens) + self.other_tokens

    @property
    def has_reasoning(self) -> bool:
        return self._reasoning_box is not None

    @property
    def max_tokens(self) -> int:
        """``max_tokens`` the answer was asked with (tells a cut by it from a full context)."""
        return self.turn.sampling.max_tokens

    def feed(
        self,
        text: str,
        reasoning: str,
        tokens: Sequence[TokenRecord],
        *,
        final: bool = False,
    ) -> None:
        """Add what arrived since the last call (tokens of every scope, in order)."""
        answer_tokens: list[TokenRecord] = []
        reasoning_tokens: list[TokenRecord] = []
        for token in tokens:
            if token.scope == "answer":
                answer_tokens.append(token)
            elif token.scope == "reasoning":
                reasoning_tokens.append(token)
            else:
                self.other_tokens += 1
        if reasoning or reasoning_tokens or (final and self._reasoning_view is not None):
            self._ensure_reasoning()
            update = self.reasoning_track.extend(reasoning, reasoning_tokens, final=final)
            assert self._reasoning_view is not None
            self._reasoning_view.apply(update)
            self._update_reasoning_title()
        if text or answer_tokens or final:
            self.text_view.apply(self.answer_track.extend(text, answer_tokens, final=final))
            if self.turn.point is not None and self.text_view.mark is None:
                self._mark_branch()

    def load(self, answer: Answer) -> None:
        """Show a finished answer in one go (from the store, or a non-streamed reply)."""
        if not self.answer_track.text and not self.answer_track.tokens:
            self.feed(answer.text, answer.reasoning, answer.tokens, final=True)
        self.finish(answer)

    def reload(self, answer: Answer) -> None:
        """Show ``answer`` afresh: its text changed after it streamed (an API key the server
        echoed was taken out when it ended, :mod:`tui.core.scrub`)."""
        self.answer_track = TextTrack()
        self.reasoning_track = TextTrack()
        fresh = TrackView(self.answer_track, classes="answer-text")
        fresh.set_heat(self.text_view.heat)
        fresh.mark = self.text_view.mark
        old, self.text_view = self.text_view, fresh
        if self.is_mounted:
            self.mount(fresh, after=old)
            old.remove()
        if self._reasoning_box is not None:
            self._reasoning_box.remove()
            self._reasoning_view = self._reasoning_box = None
        self.feed(answer.text, answer.reasoning, answer.tokens, final=True)

    def _ensure_reasoning(self) -> None:
        if self._reasoning_view is not None:
            return
        self._reasoning_view = TrackView(self.reasoning_track, classes="reasoning-text")
        self._reasoning_view.set_heat(self.text_view.heat)
        self._reasoning_box = Collapsible(
            self._reasoning_view, title="reasoning", collapsed=True, classes="reasoning"
        )
        if self.is_attached:
            self.screen.refresh_bindings()  # "r Reasoning" is offered from now on
        # Reasoning can arrive before this view is on screen (it is mounted a frame after
        # its question): then compose picks the box up, or it is mounted once this view is.
        if self.is_mounted:
            self.mount(self._reasoning_box, after=self._header)
        elif self._composed:
            self.call_after_refresh(self.mount, self._reasoning_box, after=self._header)

    def _update_reasoning_title(self) -> None:
        if self._reasoning_box is not None:
            n = len(self.reasoning_track.tokens)
            chars = len(self.reasoning_track.text)
            self._reasoning_box.title = f"reasoning · {n} tokens · {chars} characters"

    def toggle_reasoning(self) -> bool:
        """Expand or collapse the reasoning; ``False`` when there is none."""
        if self._reasoning_box is None:
            return False
        self._reasoning_box.collapsed = not self._reasoning_box.collapsed
        return True

    # ------------------------------------------------------------------ state lines

    def show_live(
        self,
        metrics: Metrics | None,
        *,
        waiting: bool = False,
        alive: float | None = None,
        reading: float | None = None,
    ) -> None:
        """The line under a streaming answer; ``alive``: seconds of keep-alives alone;
        ``reading``: seconds since the request while the server reads the prompt."""
        self.alive = alive
        text = live_footer(
            _EMPTY if metrics is None else metrics, waiting=waiting, alive=alive, reading=reading
        )
        update_static(self._footer, Content(text))

    def show_recovering(self, words: str | None) -> None:
        """The line under a finished answer while its hidden tokens are measured (``words``:
        "recovering 42 split-character tokens… 10/43"), or back to how it ended (``None``)."""
        self.recovering = words
        answer = self.turn.answer
        if answer is not None:
            text = answer_footer(answer, self.max_tokens, recovering=words)
            update_static(self._footer, Content(text))

    def replace_answer(self, answer: Answer) -> None:
        """Show ``answer`` instead of the one shown: the same text with other tokens (the
        hidden pieces of split characters recovered), so the tracks are rebuilt from its
        tokens and every block repainted; the lines under it follow."""
        self.recovering = None
        self.answer_track = retracked(self.answer_track, answer.tokens, "answer")
        self.text_view.retrack(self.answer_track)
        if self._reasoning_view is not None:
            self.reasoning_track = retracked(self.reasoning_track, answer.tokens, "reasoning")
            self._reasoning_view.retrack(self.reasoning_track)
            self._update_reasoning_title()
        self.other_tokens = sum(1 for t in answer.tokens if t.scope == "other")
        self.finish(answer)

    def finish(self, answer: Answer) -> None:
        self.alive = None
        self._footer.update(Content(answer_footer(answer, self.max_tokens, self.recovering)))
        # On the footer, which its colour is for: a class on the view would restyle every
        # block under it (~40 ms for a 20k-token answer, in one go on the event loop).
        self._footer.set_class(True, f"-{answer.status}")
        if answer.error:
            self._error.update(Content("⚠ " + safe_line(answer.error)))
            self._error.display = True
        notices = [safe_line(n) for n in answer.notices]
        if notices:
            self._notices.update(Content("\n".join("· " + n for n in notices)))
        self._notices.display = bool(notices)

    # ------------------------------------------------------------------ heat / cursor

    def set_heat(self, heat: TokenColouring | None) -> None:
        self.text_view.set_heat(heat)
        if self._reasoning_view is not None:
            self._reasoning_view.set_heat(heat)

    def set_cursor(self, cursor: int | None, style: object) -> None:
        self.text_view.set_cursor(cursor, style)

    def cursor_widget(self, cursor: int) -> Widget | None:
        return self.text_view.block_widget(cursor)

    def scroll_to_token(self, token: int) -> None:
        """Bring the line holding answer token ``token`` into view in the container this
        answer scrolls in (blocks can be taller than the log, so scrolling to the block is
        not enough)."""
        block = self.text_view.block_widget(token)
        span = self.answer_track.display_span(token)
        if block is None or span is None or not block.is_mounted or not block.size.width:
            return
        start, _ = self.answer_track.block_range(block.index)
        line = 0
        if span[0] > start:
            before = self.text_view.block_content(block.index)[: span[0] - start]
            line = max(0, len(before.wrap(block.size.width)) - 1)
        bring_into_view(block, Region(0, line, 1, 1))

    def scroll_into_view(self) -> None:
        """Show as much of this answer as fits, from its top (only if it is not in sight)."""
        scroller = scroller_of(self)
        if scroller is not None:
            height = min(self.size.height, scroller.scrollable_content_region.height)
            bring_into_view(self, Region(0, 0, 1, max(1, height)))


def scroller_of(widget: Widget) -> ScrollableContainer | None:
    """The nearest container ``widget`` scrolls in (the chat log)."""
    for node in widget.ancestors:
        if isinstance(node, ScrollableContainer):
            return node
    return None


def bring_into_view(widget: Widget, region: Region) -> None:
    """Scroll ``widget``'s container so ``region`` (in ``widget``'s coordinates) is visible,
    and only if it is not: an anchored log whose content is shorter than the screen sits at
    the bottom (Textual's chat behaviour), and releasing the anchor for nothing would make it
    jump to the top."""
    scroller = scroller_of(widget)
    if scroller is None:
        return
    node: Any = widget
    while node is not None and node is not scroller:
        # Up through containers that do not scroll, into the scroller's virtual coordinates.
        region = region.translate(node.virtual_region.offset)
        node = node.parent
    top = scroller.scroll_y
    if top <= region.y and region.bottom <= top + scroller.scrollable_content_region.height:
        return
    scroller.release_anchor()
    scroller.scroll_to_region(region, animate=False, immediate=True, top=True)


_EMPTY = compute_metrics([])
