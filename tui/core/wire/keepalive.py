"""Keep-alives are not progress: how long a stream has carried nothing of the answer.

httpx's read timeout restarts with every byte, so a server sending ``: ping`` every few seconds
would keep a stream that never answers open forever (``ask --read-timeout 5`` ran until
killed). The client asks :class:`IdleWatch` on every read that carried no part of the answer
(a comment, an empty event, an empty delta; see ``sse.IDLE``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tui.core.errors import RequestTimeout
from tui.core.settings import Connection
from tui.core.wire.events import ServerAlive


class IdleWatch:
    """Time since the stream last carried part of the answer, against the read timeout.

    httpx's read timeout restarts with every byte, so a server sending ``: ping`` every few
    seconds would keep a stream that never answers open forever. Only events that carry the
    answer (anything the normaliser turns into an event) count as progress here: past
    ``limit`` seconds of keep-alives alone the stream ends with :class:`RequestTimeout`, and
    meanwhile :class:`ServerAlive` says so at most once a second (twice per ``limit`` when
    that is shorter)."""

    def __init__(self, limit: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self.since = clock()
        self.reported = self.since

    def after(self, events: int, connection: Connection) -> tuple[ServerAlive, ...]:
        """Note a read or a chunk that gave ``events`` events of the answer (0: keep-alive).
        Without progress: raise :class:`RequestTimeout` past the limit, else return a
        :class:`ServerAlive` to pass on when a second (or half the limit) has passed since
        the last one or the last progress."""
        now = self.clock()
        if events:
            self.since = self.reported = now
            return ()
        idle = now - self.since
        if idle > self.limit:
            raise RequestTimeout(
                f"{connection.safe_url} sent only keep-alives, no part of the answer, for "
                f"{self.limit:g} s; gave up waiting"
            )
        if now - self.reported < min(1.0, self.limit / 2):
            return ()
        self.reported = now
        return (ServerAlive(idle),)
