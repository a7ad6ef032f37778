"""What the history link saves later: a session kept in memory, answers that did not fit.

:class:`SaveLater` is half of :class:`~tui.app.history.HistoryLink` (its state is the link's):

* **In memory while the file is locked.** When the store fell back to memory for a reason
  that may pass (another program holding the write lock longer than the busy timeout, a
  read-only file made writable again), the file is tried every :attr:`retry_interval`
  seconds; once it opens, what the session wrote is moved into it in order
  (:func:`tui.core.store.moving.move_session`) and the chat carries on there.
* **A full disk.** An answer whose final write does not fit keeps what fits (question, text,
  status, numbers: :class:`~tui.core.store.Recorder`), a question that does not fit waits
  (with every later one, so the file keeps their order); each is named in one line, and
  written when there is room again.
* The status line's badge says which of these holds (:func:`history_badge`), as long as it
  holds; a note says when it is over.

Every write runs as a job of the link's chain (``_then``), so none overlaps another.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tui.app.messages import HistoryState
from tui.app.text.history_badge import answer_name, history_badge
from tui.core.answer import Answer, AnswerBuilder
from tui.core.conversation import Turn
from tui.core.store import AsyncStore, Recorder, StoreError
from tui.core.store.moving import move_session

if TYPE_CHECKING:
    from pathlib import Path

    from tui.app.app import LogprobChatApp

RETRY_INTERVAL = 2.0
"""Seconds between two tries to open a history file that could not be written (a lock held
by another program), or to write what did not fit (a full disk)."""

RETRY_BUSY_TIMEOUT = 0.2
"""Seconds each such try waits on a lock (the first open waits the usual busy timeout)."""


class SaveLater:
    """See the module docstring (a mixin of ``HistoryLink``: the attributes below are its)."""

    app: LogprobChatApp
    path: Path
    clock: Callable[[], float]
    store: AsyncStore | None
    conversation_id: int | None
    retry_interval: float
    _closed: bool
    _questions: dict[int, int]
    _recorders: dict[int, Recorder]
    _answer_ids: dict[int, int]
    _written: list[int]
    _mark: tuple[int, int]
    _unsaved: dict[int, tuple[Turn, Recorder]]
    _waiting: list[Turn]
    _retrying: asyncio.Task[None] | None

    # (the link's own methods, used here)
    def _then(self, job: Callable[[], Awaitable[None]]) -> asyncio.Future[None]:
        raise NotImplementedError

    def report(self, message: str | None) -> None:
        raise NotImplementedError

    def _params(self, turn: Turn) -> Any:
        raise NotImplementedError

    async def _write_question(self, turn: Turn) -> None:
        raise NotImplementedError

    def _show_state(self) -> None:
        """The status line's badge: the history in memory only, or answers not in full."""
        store = self.store
        badge = history_badge(
            memory_only=store is None or store.in_memory,
            unsaved_answers=len(self._unsaved) + len(self._waiting),
        )
        with contextlib.suppress(Exception):  # the screen may be gone at exit
            self.app.tell_chat(HistoryState(badge))

    def _start_retrying(self) -> None:
        if not self._retrying or self._retrying.done():
            self._retrying = asyncio.ensure_future(self._retry_loop())

    async def _retry_loop(self) -> None:
        """Every :attr:`retry_interval`: open the file if the session is in memory, write
        what did not fit; ends when nothing is left to do."""
        while not self._closed:
            await asyncio.sleep(self.retry_interval)
            store = self.store
            if store is not None and store.in_memory and store.passing:
                await self._try_file()
            elif self._unsaved or self._waiting:
                await self._then(self._write_later)
            else:
                return

    # ------------------------------------------------------------------ the file opens

    async def _try_file(self) -> None:
        try:
            opened = await AsyncStore.connect(
                self.path, busy_timeout=RETRY_BUSY_TIMEOUT, clock=self.clock
            )
        except StoreError:
            return  # not yet: the next try
        await self._then(lambda: self._move(opened))

    async def _move(self, opened: AsyncStore) -> None:
        """Move what this session kept in memory into the file that opened, in order, and
        carry on there (no other write of this chat runs meanwhile)."""
        memory = self.store
        if self._closed or memory is None or not memory.in_memory or self._recorders:
            await opened.close()  # an answer is streaming into memory: after it ends
            return
        try:
            result = await move_session(memory, opened, self._written, self._mark)
        except StoreError as exc:
            await opened.close()
            self.report(str(exc))
            return
        if self.conversation_id is not None:
            self.conversation_id = result.conversations.get(
                self.conversation_id, self.conversation_id
            )
            await opened.hold(self.conversation_id)
        self._questions = {
            turn: result.messages.get(question, question)
            for turn, question in self._questions.items()
        }
        self.store, self._written = opened, []
        await memory.close()
        what = "answer was" if result.answers == 1 else "answers were"
        saved = f"; this session's {result.answers} {what} saved to it" * bool(result.answers)
        self.report(f"history file {self.path} can be written again{saved}")
        self._show_state()

    # ------------------------------------------------------------------ a full disk

    def _wait(self, turn: Turn, why: str) -> None:
        """``turn`` could not be written: say so, and write it when there is room."""
        if not self._is_waiting(turn):
            self._waiting.append(turn)
        self.report(f"{answer_name(turn.question)}: {why}; tried again every few seconds")
        self._show_state()
        self._start_retrying()

    def _is_waiting(self, turn: Turn) -> bool:
        return any(waiting.id == turn.id for waiting in self._waiting)

    def _check_final(self, turn: Turn, recorder: Recorder) -> None:
        """After an answer's final write: keep its id (a recovered answer replaces its tokens
        there), and name it when some of it did not fit."""
        self._answer_ids[turn.id] = recorder.answer_id
        if recorder.unsaved is None:
            return
        self._unsaved[turn.id] = (turn, recorder)
        kept = "; its question, text and numbers were" * (recorder.saved == "part")
        self.report(
            f"{answer_name(turn.question)}: {recorder.unsaved}{kept}; tried again every few seconds"
        )
        self._show_state()
        self._start_retrying()

    async def _save_finished(self, turn: Turn, answer: Answer) -> None:
        """Write a finished answer whose question is saved (one that never streamed, or
        whose answer row did not fit before), keeping what fits. Raises StoreError when
        not even its answer row can be written."""
        assert self.store is not None and self.conversation_id is not None
        recorder = await Recorder.begin(
            self.store,
            AnswerBuilder.holding(answer),
            self.conversation_id,
            self._params(turn),
            question_id=self._questions[turn.id],
        )
        await recorder.write_final(answer)
        self._check_final(turn, recorder)

    async def _write_later(self) -> None:
        """Write what waits, in order; say what is whole now."""
        for turn_id, (turn, recorder) in list(self._unsaved.items()):
            if await recorder.retry():
                del self._unsaved[turn_id]
                self.report(f"{answer_name(turn.question)} is now saved in full")
        while self._waiting:
            turn = self._waiting[0]
            if turn.answer is None:
                break  # still streaming: written when it ends
            try:
                if turn.id not in self._questions:
                    await self._write_question(turn)
                self._waiting.pop(0)
                await self._save_finished(turn, turn.answer)
            except StoreError:
                if not self._is_waiting(turn):
                    self._waiting.insert(0, turn)
                break
            if turn.id not in self._unsaved:
                self.report(f"{answer_name(turn.question)} is now saved in full")
        self._show_state()
