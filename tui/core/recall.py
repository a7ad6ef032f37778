"""Shell-like recall of earlier entries (questions, system prompts) in a text field.

↑ in an *empty* field brings back the latest entry, ↑ again the one before; ↓ goes the other
way, and past the latest the field is empty again. Editing a recalled entry ends the browsing
(the text is the person's now: ↑ and ↓ move the cursor again). The same entry asked twice in
a row is kept once.

Plain Python, no widgets: the input bar and the dialogs' text fields call :meth:`Recall.older`
and :meth:`Recall.newer` with their current text and show what comes back.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_LIMIT = 500
"""Entries kept (the oldest go first)."""


class Recall:
    """Entries oldest first; ``position`` is the one shown while browsing (``None``: not)."""

    def __init__(self, entries: Iterable[str] = (), limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.entries: list[str] = []
        self.position: int | None = None
        for entry in entries:
            self.add(entry)

    def add(self, text: str) -> None:
        """Remember ``text`` as the latest entry (blank text, or the latest again: no change);
        browsing ends."""
        self.position = None
        if not text.strip() or (self.entries and self.entries[-1] == text):
            return
        self.entries.append(text)
        del self.entries[: max(0, len(self.entries) - self.limit)]

    def add_older(self, texts: Iterable[str]) -> None:
        """Put ``texts`` (oldest first: entries of earlier sessions) before what is there,
        each text once (its latest use is where it stays)."""
        seen = set(self.entries)
        older: list[str] = []
        for text in reversed(list(texts)):
            if text.strip() and text not in seen:
                seen.add(text)
                older.append(text)
        older.reverse()
        self.entries = (older + self.entries)[-self.limit :]
        self.position = None

    def older(self, current: str) -> str | None:
        """The entry to show for ↑ with ``current`` in the field, or ``None`` (↑ then does
        what it does anyway: the field is not empty and not a recalled entry, or there is
        nothing earlier)."""
        if not self._browsing(current):
            if current or not self.entries:
                return None
            self.position = len(self.entries)
        assert self.position is not None
        if self.position == 0:
            return None
        self.position -= 1
        return self.entries[self.position]

    def newer(self, current: str) -> str | None:
        """The entry to show for ↓, ``""`` past the latest one, ``None`` when not browsing."""
        if not self._browsing(current):
            return None
        assert self.position is not None
        self.position += 1
        if self.position >= len(self.entries):
            self.position = None
            return ""
        return self.entries[self.position]

    def _browsing(self, current: str) -> bool:
        position = self.position
        if position is None:
            return False
        if position >= len(self.entries) or self.entries[position] != current:
            self.position = None  # edited since: the person's own text now
            return False
        return True
