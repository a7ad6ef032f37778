"""One stream of text with its tokens: the answer, or the reasoning, of one answer.

A :class:`TextTrack` grows as chunks arrive (:meth:`TextTrack.extend`) and tells the widget
which blocks to create and which to repaint. It keeps the token↔text spans
(:mod:`.alignment`) and the block cuts (:mod:`.blocks`) in step, and answers "which spans
fall in this block" in O(log n + spans in the block).

A character made of several tokens (``TokenRecord.char_start``: a Japanese character split
over byte pieces) shows once, on its last piece, which has its span; its heat is the
character's probability, the product of its pieces' (:meth:`TextTrack.heat_logprob`), and
the token cursor on any of its pieces shows that character (:meth:`TextTrack.display_span`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.app.text.alignment import UNALIGNED, TokenAligner
from tui.app.text.blocks import MAX_BLOCK_CHARS, MIN_BLOCK_CHARS, BlockSplitter
from tui.core.characters import character_of
from tui.core.wire.records import TokenRecord


@dataclass(slots=True)
class TrackUpdate:
    """What changed in one :meth:`TextTrack.extend`: blocks to mount and blocks to repaint."""

    new_blocks: range = range(0)
    dirty: set[int] = field(default_factory=set)
    aligned: range = range(0)

    @property
    def changed(self) -> bool:
        return bool(self.new_blocks) or bool(self.dirty)


class TextTrack:
    """Text, tokens, spans and blocks of one scope of one answer."""

    __slots__ = (
        "_aligned_end",
        "_aligned_index",
        "_aligned_start",
        "_texts",
        "aligner",
        "blocks",
        "text",
        "tokens",
    )

    def __init__(self, min_chars: int = MIN_BLOCK_CHARS, max_chars: int = MAX_BLOCK_CHARS) -> None:
        self.text = ""
        self.tokens: list[TokenRecord] = []
        self._texts: list[str] = []
        self.aligner = TokenAligner()
        self.blocks = BlockSplitter(min_chars, max_chars)
        # Aligned tokens only, in order: their starts and ends both increase, so bisect works.
        self._aligned_index: list[int] = []
        self._aligned_start: list[int] = []
        self._aligned_end: list[int] = []

    def extend(
        self, text: str = "", tokens: Sequence[TokenRecord] = (), *, final: bool = False
    ) -> TrackUpdate:
        """Add text and tokens (either may be empty); ``final`` settles waiting tokens."""
        update = TrackUpdate()
        before = self.blocks.count()
        if text:
            self.text += text
            self.blocks.feed(self.text)
            after = self.blocks.count()
            update.new_blocks = range(before, after)
            update.dirty.update(range(before - 1, after))
        if tokens:
            self.tokens.extend(tokens)
            self._texts.extend(t.text for t in tokens)
        if tokens or text or final:
            resolved = self.aligner.advance(self.text, self._texts, final=final)
            update.aligned = resolved
            starts, ends = self.aligner.starts, self.aligner.ends
            low = high = None
            for i in resolved:
                if starts[i] == UNALIGNED:
                    continue
                self._aligned_index.append(i)
                self._aligned_start.append(starts[i])
                self._aligned_end.append(ends[i])
                if low is None:
                    low = starts[i]
                high = ends[i]
            if low is not None and high is not None:
                update.dirty.update(self.blocks.blocks_touching(low, high))
        return update

    # ------------------------------------------------------------------ queries

    def block_count(self) -> int:
        return self.blocks.count()

    def block_range(self, index: int) -> tuple[int, int]:
        return self.blocks.block_range(index, len(self.text))

    def block_text(self, index: int) -> str:
        start, end = self.block_range(index)
        return self.text[start:end]

    def span_of(self, token_index: int) -> tuple[int, int] | None:
        """The text span of a token, or ``None`` when it has none (or is not decided yet)."""
        starts = self.aligner.starts
        if token_index >= len(starts) or starts[token_index] == UNALIGNED:
            return None
        return starts[token_index], self.aligner.ends[token_index]

    def block_state(self, index: int) -> tuple[int, int, int]:
        """What block ``index`` shows depends on: its range and how many aligned tokens
        begin before its end (text only grows, tokens are aligned in text order)."""
        start, end = self.block_range(index)
        return start, end, bisect_left(self._aligned_start, end)

    def spans_in(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """``(span_start, span_end, token_index)`` of the aligned tokens overlapping
        ``[start, end)``, clipped to it, in text order."""
        out: list[tuple[int, int, int]] = []
        ends = self._aligned_end
        starts = self._aligned_start
        index = self._aligned_index
        i = bisect_right(ends, start)
        n = len(ends)
        while i < n and starts[i] < end:
            out.append((max(starts[i], start), min(ends[i], end), index[i]))
            i += 1
        return out

    def display_span(self, token_index: int) -> tuple[int, int] | None:
        """The text a token shows as: its own span, or, for a piece of a character that
        shows on another piece, that piece's span (``None`` when neither has one)."""
        span = self.span_of(token_index)
        if span is not None or token_index >= len(self.tokens):
            return span
        start = self.tokens[token_index].char_start
        if start is None:
            return None
        j = token_index + 1
        while j < len(self.tokens) and self.tokens[j].char_start == start:
            span = self.span_of(j)
            if span is not None:
                return span
            j += 1
        return None

    def heat_logprob(self, token_index: int) -> float | None:
        """The logprob a token's heat colour shows: its own, or for a character made of
        several tokens the character's (Σ of its pieces' logprobs: p = Π pᵢ)."""
        token = self.tokens[token_index]
        if token.char_start is None:
            return token.logprob
        character = character_of(self.tokens, token_index)
        return token.logprob if character is None else character.logprob

    def token_at(self, offset: int) -> int | None:
        """The token whose span holds text position ``offset`` (``None``: no token does)."""
        i = bisect_right(self._aligned_end, offset)
        if i < len(self._aligned_end) and self._aligned_start[i] <= offset:
            return self._aligned_index[i]
        return None

    def blocks_of_token(self, token_index: int) -> range:
        span = self.display_span(token_index)
        if span is None:
            return range(0)
        return self.blocks.blocks_touching(*span)


def retracked(track: TextTrack, tokens: Sequence[TokenRecord], scope: str) -> TextTrack:
    """A new track with ``track``'s text and the ``scope`` tokens of ``tokens`` (the same
    answer with other entries: recovery put llama.cpp's hidden pieces in). The text is the
    same, so the blocks are too."""
    new = TextTrack(track.blocks.min_chars, track.blocks.max_chars)
    new.extend(track.text, [t for t in tokens if t.scope == scope], final=True)
    return new
