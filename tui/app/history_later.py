"""What the history link saves later: a session kept in memory, answers that did not fit.

:class:`SaveLater` is the part of :class:`~tui.app.history.HistoryLink` that tries again. The
link owns it and gives it what it needs, explicitly: its chain of writes (each try runs as
one of its jobs, so none overlaps another write of the chat, and notes are said through it),
a :class:`TurnWriter` (the link writes a turn that waited), and three callbacks (show the
status line's badge again, whether the session may move now, and carry on in the file once
it has). It keeps two records, plain objects that say what to write and return the notes:

* :class:`KeptInMemory` — **in memory while the file is locked.** When the store fell back
  to memory for a reason that may pass (another program holding the write lock longer than
  the busy timeout, a read-only file made writable again), the file is tried every
  :attr:`SaveLater.retry_interval` seconds; once it opens, what the session wrote (its
  conversations and the comparisons it made) is moved into it in order
  (:func:`tui.core.store.moving.move_session`) and the chat carries on there.
* :class:`UnsavedTurns` — **a full disk.** An answer whose final write does not fit keeps
  what fits (question, text, status, numbers: :class:`~tui.core.store.Recorder`), a question
  that does not fit waits (with every later one, so the file keeps their order); each is
  named in one line, and written when there is room again.

The status line's badge says which of these holds (:func:`history_badge`), as long as it
holds; a note says when it is over.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Protocol

from tui.app.history_chain import WriteChain
from tui.app.text.history_badge import answer_name
from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.store import AsyncStore, Recorder, StoreError
from tui.core.store.moving import HighWater, Moved, high_water, move_session

RETRY_INTERVAL = 2.0
"""Seconds between two tries to open a history file that could not be written (a lock held
by another program), or to write what did not fit (a full disk)."""

RETRY_BUSY_TIMEOUT = 0.2
"""Seconds each such try waits on a lock (the first open waits the usual busy timeout)."""

AGAIN = "tried again every few seconds"


class KeptInMemory:
    """A session kept in memory while its history file cannot be written: what it wrote,
    and moving it into the file once the file opens."""

    def __init__(self, path: Path, clock: Callable[[], float]) -> None:
        self.path = path
        self.clock = clock
        self._written: list[int] = []  # conversations the session wrote to, in order
        self._mark = HighWater(0, 0, 0)  # what the memory store held before: the file's

    async def begin(self, store: AsyncStore) -> None:
        """The chat's store is ``store``, in memory: note what of it is the file's (a
        read-only copy), which is not the session's to move."""
        self._mark = await store.call(high_water)

    def wrote_to(self, conversation_id: int) -> None:
        if conversation_id not in self._written:
            self._written.append(conversation_id)

    async def open_file(self) -> AsyncStore | None:
        """The history file when it can be written now; ``None``: not yet."""
        try:
            return await AsyncStore.connect(
                self.path, busy_timeout=RETRY_BUSY_TIMEOUT, clock=self.clock
            )
        except StoreError:
            return None

    async def move(self, memory: AsyncStore, opened: AsyncStore) -> Moved:
        """Move what the session wrote in ``memory`` into ``opened``, in order; the ids it
        had in memory map to the file's in the result. Raises ``StoreError`` (then nothing
        was moved)."""
        moved = await move_session(memory, opened, self._written, self._mark)
        self._written = []
        return moved

    def moved_note(self, moved: Moved) -> str:
        """What the chat says once the session is in the file."""
        saved = [
            f"{count} {noun if count == 1 else plural}"
            for count, noun, plural in (
                (moved.answers, "answer", "answers"),
                (len(moved.comparisons), "comparison", "comparisons"),
            )
            if count
        ]
        were = "was" if len(saved) == 1 and saved[0].startswith("1 ") else "were"
        what = f"; this session's {' and '.join(saved)} {were} saved to it" if saved else ""
        return f"history file {self.path} can be written again{what}"


class TurnWriter(Protocol):
    """What :class:`UnsavedTurns` needs to write a turn once there is room."""

    def question_saved(self, turn: Turn) -> bool: ...

    async def write_question(self, turn: Turn) -> None:
        """Write the turn's question (raises ``StoreError``)."""

    async def write_answer(self, turn: Turn, answer: Answer) -> Recorder:
        """Write the finished answer of a turn whose question is saved, keeping what fits;
        its recorder says what did not (raises ``StoreError`` when not even the answer's
        row can be written)."""


class UnsavedTurns:
    """Turns not (all) in the file because the disk was full: answers whose token rows did
    not fit, and questions waiting for room (with every later turn behind them). Each change
    returns the note the chat shows."""

    def __init__(self, writer: TurnWriter) -> None:
        self._writer = writer
        self._unsaved: dict[int, tuple[Turn, Recorder]] = {}  # turn id → answer not in full
        self._waiting: list[Turn] = []  # turns whose question (or answer row) did not fit

    @property
    def count(self) -> int:
        """Answers not in the file in full (the status line's badge)."""
        return len(self._unsaved) + len(self._waiting)

    @property
    def questions_wait(self) -> bool:
        """Whether a question waits for room: a new one must wait behind it."""
        return bool(self._waiting)

    def is_waiting(self, turn: Turn) -> bool:
        return any(waiting.id == turn.id for waiting in self._waiting)

    def wait(self, turn: Turn, why: str) -> str:
        """``turn`` could not be written: written when there is room."""
        if not self.is_waiting(turn):
            self._waiting.append(turn)
        return f"{answer_name(turn.question)}: {why}; {AGAIN}"

    def written(self, turn: Turn, recorder: Recorder) -> str | None:
        """After an answer's final write: a note when some of it did not fit."""
        if recorder.unsaved is None:
            return None
        self._unsaved[turn.id] = (turn, recorder)
        kept = "; its question, text and numbers were" * (recorder.saved == "part")
        return f"{answer_name(turn.question)}: {recorder.unsaved}{kept}; {AGAIN}"

    async def write(self) -> list[str]:
        """Write what waits, in order; the notes of what is whole now."""
        notes = []
        for turn_id, (turn, recorder) in list(self._unsaved.items()):
            if await recorder.retry():
                del self._unsaved[turn_id]
                notes.append(f"{answer_name(turn.question)} is now saved in full")
        while self._waiting:
            turn = self._waiting[0]
            if turn.answer is None:
                break  # still streaming: written when it ends
            try:
                if not self._writer.question_saved(turn):
                    await self._writer.write_question(turn)
                self._waiting.pop(0)
                recorder = await self._writer.write_answer(turn, turn.answer)
            except StoreError:
                if not self.is_waiting(turn):
                    self._waiting.insert(0, turn)
                break
            note = self.written(turn, recorder)
            notes.append(note or f"{answer_name(turn.question)} is now saved in full")
        return notes


class SaveLater:
    """See the module docstring. Inputs: the link's ``chain``; ``writer``; ``changed``
    (what is saved later changed: show the badge again); ``may_move`` (no answer is being
    written into the memory store: the session may move now); ``carry_on(opened, moved)``
    (the session is in the file ``opened``: the link makes it its store and the ids it
    keeps the file's)."""

    def __init__(
        self,
        path: Path,
        clock: Callable[[], float],
        *,
        chain: WriteChain,
        writer: TurnWriter,
        changed: Callable[[], None],
        may_move: Callable[[], bool],
        carry_on: Callable[[AsyncStore, Moved], Awaitable[None]],
    ) -> None:
        self._kept = KeptInMemory(path, clock)
        self.unsaved = UnsavedTurns(writer)
        self.retry_interval = RETRY_INTERVAL
        self._chain = chain
        self._changed = changed
        self._may_move = may_move
        self._carry_on = carry_on
        self._memory_store: AsyncStore | None = None  # while the file may open again
        self._retrying: asyncio.Task[None] | None = None
        self._closed = False

    async def kept_in_memory(self, store: AsyncStore) -> None:
        """The chat's store is ``store``, in memory: try the file again if it may open."""
        await self._kept.begin(store)
        if store.passing:
            self._memory_store = store
            self._retry_soon()

    def wrote_to(self, conversation_id: int) -> None:
        """The session, in memory, wrote to this conversation (moved when the file opens)."""
        self._kept.wrote_to(conversation_id)

    def wait(self, turn: Turn, why: str) -> None:
        """``turn`` could not be written: say so, and write it when there is room."""
        self._said(self.unsaved.wait(turn, why))

    def written(self, turn: Turn, recorder: Recorder) -> None:
        """After an answer's final write: name it when some of it did not fit."""
        self._said(self.unsaved.written(turn, recorder))

    def _said(self, *notes: str | None) -> None:
        for note in notes:
            self._chain.report(note)
        self._changed()
        if self.unsaved.count:
            self._retry_soon()

    def _retry_soon(self) -> None:
        if not self._closed and (self._retrying is None or self._retrying.done()):
            self._retrying = asyncio.ensure_future(self._retry_loop())

    async def _retry_loop(self) -> None:
        """Every :attr:`retry_interval` seconds: open the file if the session is in memory,
        write what did not fit; ends when nothing is left to do."""
        while not self._closed:
            await asyncio.sleep(self.retry_interval)
            if self._memory_store is not None:
                opened = await self._kept.open_file()
                if opened is not None:
                    await asyncio.shield(self._chain.then(partial(self._move, opened)))
            elif self.unsaved.count:
                await asyncio.shield(self._chain.then(self._write))
            else:
                return

    async def _write(self) -> None:
        self._said(*await self.unsaved.write())

    async def _move(self, opened: AsyncStore) -> None:
        """Move what the session kept in memory into the file that opened, and carry on
        there (a job of the chain: no other write of this chat runs meanwhile)."""
        memory = self._memory_store
        if self._closed or memory is None or not self._may_move():
            await opened.close()  # an answer is streaming into memory: after it ends
            return
        try:
            moved = await self._kept.move(memory, opened)
        except StoreError as exc:
            await opened.close()
            self._chain.report(str(exc))
            return
        self._memory_store = None
        await self._carry_on(opened, moved)
        await memory.close()
        self._said(self._kept.moved_note(moved))

    async def close(self, timeout: float) -> None:
        """No more tries; one last one (at most ``timeout`` seconds) for what did not fit."""
        self._closed = True
        if self._retrying is not None:
            self._retrying.cancel()
        if self.unsaved.count:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._write(), max(0.1, timeout))
