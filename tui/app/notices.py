"""Every notice the app showed, kept for the messages screen (ctrl+l).

Notifications vanish after a few seconds, and some carry what a person needs later: the
path of a saved answer (``w``), an exported conversation (F7) or comparison (``x``). The app
records each one here as it is shown (:meth:`LogprobChatApp.notify`), with the file it names
when there is one, so the messages screen can list them and copy a path.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path

MAX_NOTICES = 500
"""Oldest notices are let go past this many (a long session's notes, not a log file)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice: when (epoch seconds), what it said, how serious, and the file it names."""

    at: float
    text: str
    severity: str = "information"
    path: Path | None = None


class NoticeLog:
    """The notices of this session, newest last (at most :data:`MAX_NOTICES`)."""

    def __init__(self, limit: int = MAX_NOTICES) -> None:
        self._entries: deque[Notice] = deque(maxlen=limit)

    def add(
        self, text: str, at: float, severity: str = "information", path: Path | None = None
    ) -> Notice:
        notice = Notice(at, text, severity, path)
        self._entries.append(notice)
        return notice

    @property
    def entries(self) -> list[Notice]:
        """Newest first."""
        return list(reversed(self._entries))

    def __len__(self) -> int:
        return len(self._entries)
