"""The history writes of one chat, one after another (:class:`WriteChain`).

Every write of the chat (its questions and answers, a comparison's rows, what is saved
later) is a job queued on the history link's chain: it starts when every job queued before
it has ended, so the writes reach the file in the order they happened even when one waits
on a lock or a slow disk. A job that fails is one line in the chat (each distinct line
once), and the chain goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from tui.core.errors import one_line
from tui.core.store import StoreError

Job = Callable[[], Awaitable[None]]


class WriteChain:
    """See the module docstring; ``say`` shows one line in the chat."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._tail: asyncio.Future[None] | None = None
        self._reported: set[str] = set()

    def then(self, job: Job) -> asyncio.Future[None]:
        """Run ``job`` after every job queued before it; the future never raises."""
        previous = self._tail

        async def run() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await job()
            except StoreError as exc:
                self.report(str(exc))
            except Exception as exc:  # a bug must not take the chat down: say it, go on
                self.report("history: " + one_line(f"{type(exc).__name__}: {exc}"))

        self._tail = asyncio.ensure_future(run())
        return self._tail

    def report(self, message: str | None) -> None:
        """Show a store problem in the chat, each distinct message once."""
        if not message or message in self._reported:
            return
        self._reported.add(message)
        with contextlib.suppress(Exception):  # the screen may be gone at exit
            self._say(message)

    async def idle(self) -> None:
        """Wait until every queued job has ended."""
        while self._tail is not None and not self._tail.done():
            await asyncio.wait([self._tail])
