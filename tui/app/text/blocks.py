"""Cut a growing text into blocks, so a long answer is never re-rendered as a whole.

Each block is one widget. While an answer streams only the last block changes; the others are
frozen (their text is final), so the cost of a repaint does not grow with the answer.

A block ends at a newline once it holds at least ``min_chars`` characters; the newline itself
belongs to no block (one block below the other *is* that line break), so the blocks show the
text exactly. Text with no newline for ``max_chars`` characters (a long paragraph, Japanese
without line breaks) is cut anyway, after the last space in the stretch if there is one: the
only place where the screen shows a line break the text does not have, and the price of
bounding the cost of a repaint.
"""

from __future__ import annotations

from bisect import bisect_right

MIN_BLOCK_CHARS = 600
MAX_BLOCK_CHARS = 3000


class BlockSplitter:
    """Block ranges ``[start, end)`` of a growing text; the last block is open (it grows)."""

    __slots__ = ("_scan", "ends", "max_chars", "min_chars", "open_start", "starts")

    def __init__(self, min_chars: int = MIN_BLOCK_CHARS, max_chars: int = MAX_BLOCK_CHARS) -> None:
        if not 0 < min_chars < max_chars:
            raise ValueError("need 0 < min_chars < max_chars")
        self.min_chars = min_chars
        self.max_chars = max_chars
        self.starts: list[int] = []  # frozen blocks
        self.ends: list[int] = []
        self.open_start = 0
        self._scan = 0  # where the newline search resumes (nothing before it qualifies)

    @property
    def frozen(self) -> int:
        return len(self.starts)

    def count(self) -> int:
        """Frozen blocks plus the open one (there is always an open block, maybe empty)."""
        return len(self.starts) + 1

    def feed(self, text: str) -> int:
        """Freeze every block ``text`` (the whole text so far) completes; return how many."""
        before = len(self.starts)
        length = len(text)
        while True:
            start = self.open_start
            scan = max(self._scan, start + self.min_chars)
            newline = text.find("\n", scan, start + self.max_chars + 1)
            if newline >= 0:
                self._freeze(start, newline, newline + 1)
                continue
            if length - start > self.max_chars:
                limit = start + self.max_chars
                space = text.rfind(" ", start + self.min_chars, limit)
                cut = space + 1 if space >= 0 else limit
                self._freeze(start, cut, cut)
                continue
            self._scan = max(scan, min(length, start + self.max_chars + 1))
            break
        return len(self.starts) - before

    def _freeze(self, start: int, end: int, next_start: int) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.open_start = next_start
        self._scan = next_start

    def block_range(self, index: int, length: int) -> tuple[int, int]:
        """``[start, end)`` of block ``index``; ``length`` is the text's current length."""
        if index < len(self.starts):
            return self.starts[index], self.ends[index]
        return self.open_start, max(self.open_start, length)

    def block_at(self, offset: int) -> int:
        """Index of the block holding character ``offset`` (a cut newline counts for the block
        before it)."""
        if offset >= self.open_start:
            return len(self.starts)
        return max(0, bisect_right(self.starts, offset) - 1)

    def blocks_touching(self, start: int, end: int) -> range:
        """Indexes of the blocks that hold any character of ``[start, end)``."""
        if end <= start:
            return range(0)
        return range(self.block_at(start), self.block_at(end - 1) + 1)
