"""The chat's link to the history store: record every turn, resume, open, rename, delete, export.

:class:`HistoryLink` is a turn listener (see :mod:`tui.app.turn_events`); what it changes in
the chat (a conversation reopened or started anew, a store problem) it says with the app-level
messages of :mod:`tui.app.messages`. What it writes, and when:

* ``turn_asked`` (a question was added): the question, before its request goes out. The first
  question of a chat creates its conversation (opening the app makes none: a session where
  nothing is asked leaves no empty conversation behind).
* ``before_request`` (the generation worker awaits it, once the model is known): the answer,
  status ``streaming``, with its request parameters. The worker waits at most
  :data:`BEGIN_WAIT` seconds, so a slow disk delays the request but never blocks the chat.
* ``turn_progress`` (at most 25 times a second): the store's :class:`Recorder` checkpoints the
  rows that arrived, at most once a second, never waiting (bounded cost: see the recorder).
* ``turn_finished``: the final answer with its status (complete, stopped, error with the
  partial answer kept). An answer that never got a request (no model available, stopped while
  waiting for one) is saved in one go.
* ``turn_recovered`` (after ``turn_finished``, when llama.cpp's hidden tokens were measured):
  the answer's tokens rewritten (``AsyncStore.replace_tokens``), queued after its final
  write, so the file always holds the answer as it came, then as recovered.
* ``turn_selected`` (another sibling): marked selected, so the reopened chat follows it.

Siblings: an answer is written with its place in the tree (``lineage_for``), its id put on
its turn (``Turn.stored_id``); a reopened chat gets the tree (:mod:`tui.app.history_reopen`).

Every store call runs on the store's own thread (:class:`AsyncStore`); the UI thread only
queues work. The writes of one chat are chained (:mod:`tui.app.history_chain`), so they
reach the file in the order they happened even when one waits on a lock. A store that cannot
be opened is one line in the chat and a badge in the status line while it lasts; the chat
goes on in memory, and when the fault may pass (another program's lock) the file is tried
again every few seconds and the session moved into it once it opens. An answer whose rows
do not fit (a full disk) keeps its question, text and numbers, is named in one line, and its
rows are written when there is room again (both by the link's
:class:`~tui.app.history_later.SaveLater`).

API keys never reach the store: requests are recorded with the server's address without
credentials or query (``display_url``), and the built-in engine's random local address is not
recorded at all.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.app.history_chain import Job, WriteChain
from tui.app.history_comparison import ComparisonRecord
from tui.app.history_later import SaveLater
from tui.app.history_reopen import answer_params, last_to_reopen, load_recall, reopen
from tui.app.messages import ConversationShown, HistoryState, Note
from tui.app.text.history_badge import history_badge
from tui.core.answer import Answer, AnswerBuilder
from tui.core.conversation import Conversation, Turn
from tui.core.errors import LogprobChatError, one_line
from tui.core.export import export_to_directory
from tui.core.resume import held_elsewhere_note, server_change
from tui.core.safety import safe_line
from tui.core.store import AnswerParams, AsyncStore, Recorder, StoreError
from tui.core.store.comparisons import ComparisonSummary
from tui.core.store.lineage import lineage_for
from tui.core.store.models import Conversation as StoredConversation
from tui.core.store.models import ConversationSummary
from tui.core.store.moving import Moved
from tui.core.store.opening import DEFAULT_BUSY_TIMEOUT

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

BEGIN_WAIT = 1.0
"""Longest wait (seconds) for the question and the new answer to be written before the request
goes out anyway (the writes still happen, in order, when the disk answers)."""

CLOSE_WAIT = 3.0
"""Longest wait (seconds) at exit for the last answer's final write."""

BUSY = "An answer is still coming: ctrl+c stops it first."


class HistoryLink:
    """See the module docstring. ``start()`` once the main screen is up; ``close()`` at exit."""

    def __init__(
        self,
        app: LogprobChatApp,
        path: Path,
        *,
        new: bool = False,
        given: Collection[str] = (),
        clock: Callable[[], float],
    ) -> None:
        self.app = app
        self.path = path
        self.new = new
        self.given = frozenset(given)
        self.clock = clock
        self.store: AsyncStore | None = None
        self.conversation_id: int | None = None
        self.ready = asyncio.Event()
        self._questions: dict[int, int] = {}  # turn id → its question's message id
        self._recorders: dict[int, Recorder] = {}  # turn id → recorder, while it streams
        self._answer_ids: dict[int, int] = {}  # turn id → its answer's id, once written
        self._streaming: set[int] = set()  # turns between before_request and turn_finished
        self._comparisons: list[ComparisonRecord] = []  # the ones still written to
        self._closed = False
        self.busy_timeout = DEFAULT_BUSY_TIMEOUT
        self._chain = WriteChain(lambda message: app.tell_chat(Note(message, kind="error")))
        self._later = SaveLater(  # a session kept in memory, what a full disk kept out
            path,
            clock,
            chain=self._chain,
            writer=self,
            changed=self._show_state,
            may_move=lambda: not (self._closed or self._recorders),
            carry_on=self._carry_on,
        )

    # ------------------------------------------------------------------ plumbing

    def _then(self, job: Job) -> asyncio.Future[None]:
        """Run ``job`` after every write queued before it (see :class:`WriteChain`)."""
        return self._chain.then(job)

    def report(self, message: str | None) -> None:
        """Show a store problem in the chat, each distinct message once."""
        self._chain.report(message)

    async def idle(self) -> None:
        """Wait until every queued write has been done (or has failed)."""
        await self._chain.idle()

    @property
    def retry_interval(self) -> float:
        """Seconds between two tries to open the file or write what did not fit."""
        return self._later.retry_interval

    @retry_interval.setter
    def retry_interval(self, seconds: float) -> None:
        self._later.retry_interval = seconds

    # ------------------------------------------------------------------ opening

    def start(self) -> None:
        self._then(self._open)

    async def _open(self) -> None:
        try:
            store = await AsyncStore.open(
                self.path, busy_timeout=self.busy_timeout, clock=self.clock
            )
        except Exception as exc:  # Store.open has its own fallbacks; this is a last resort
            problem = (
                f"history not available ({one_line(str(exc))}); this session is kept in memory only"
            )
            store = await AsyncStore.memory(problem=problem, clock=self.clock)
        self.store = store
        if store.in_memory:
            await self._later.kept_in_memory(store)
        self.ready.set()
        # Said after the last conversation is shown (showing it clears the chat log).
        notes = [store.problem]
        recovered = len(store.recovered)
        if recovered:
            what = "answer was" if recovered == 1 else "answers were"
            notes.append(
                f"{recovered} {what} still streaming when logprob-chat last stopped; "
                "kept as incomplete"
            )
        await load_recall(self.app, store)
        try:
            notes.append(await self._reopen_last(store))
        finally:
            for note in notes:
                self.report(note)
            self._show_state()

    async def _reopen_last(self, store: AsyncStore) -> str | None:
        """Show the last conversation unless told not to; a note when it is not carried on."""
        if self.new:
            return None
        conversation, note = await last_to_reopen(store, self.app, self._server_url())
        if conversation is None:
            return note  # the chat starts a new conversation
        self._show(conversation)
        self.app.notify(
            f"Reopened “{safe_line(conversation.display_title)}” · F6: history · "
            "--new starts afresh",
            markup=False,
        )
        return None

    def _server_url(self) -> str | None:
        """This run's server (``None``: the built-in engine), as the command line gave it."""
        options = self.app.options
        return None if options.embedded else options.base_url

    def _refuse_while_busy(self) -> None:
        if self.app.turns.busy:
            raise LogprobChatError(BUSY)

    def _show(self, stored: StoredConversation) -> None:
        """Make ``stored`` the chat's conversation: its tree of turns (the selected path
        shown), and its settings from now on."""
        self._refuse_while_busy()
        app = self.app
        conversation, questions = reopen(
            app.session, stored, server_url=self._server_url(), given=self.given
        )
        self._questions.update(questions)
        self.conversation_id = stored.id
        app.tell_chat(ConversationShown(conversation.path()))
        # The reopened answers are long-lived data: out of every later collection (a 200-answer
        # conversation made each automatic full collection a 60-80 ms stall while scrolling).
        app.call_after_refresh(app.gc_policy.settle)

    # ------------------------------------------------------------------ turn listener

    def _params(self, turn: Turn) -> AnswerParams:
        return answer_params(self.app.session, turn)

    def turn_asked(self, turn: Turn) -> None:
        self._then(lambda: self._ask(turn))

    async def _ask(self, turn: Turn) -> None:
        if self._later.unsaved.questions_wait:  # this one after them, in order
            self._later.wait(turn, "not saved yet: earlier questions wait for room in the file")
            return
        try:
            await self.write_question(turn)
        except StoreError as exc:
            if not exc.passing:
                raise  # (said once, like any failed write)
            self._later.wait(turn, f"not saved yet ({exc})")

    def question_saved(self, turn: Turn) -> bool:
        """Whether the turn's question is in the store (as :class:`TurnWriter` asks)."""
        return turn.id in self._questions

    async def write_question(self, turn: Turn) -> None:
        store = self.store
        assert store is not None  # opened by the first job
        if self.conversation_id is None:
            params = self._params(turn)
            self.conversation_id = await store.create_conversation(
                preset=params.preset,
                system_prompt=params.system_prompt,
                model=params.model,
                base_url=params.base_url,
            )
            await store.hold(self.conversation_id)  # (new: nobody else can hold it)
        if store.in_memory:
            self._later.wrote_to(self.conversation_id)  # moved into the file when it opens
        same = turn.origin in ("regenerate", "branch") and turn.source is not None
        question = self._questions.get(turn.source.id) if same else None  # type: ignore[union-attr]
        if question is None:  # (the same question is named by its sibling's answer)
            question = await store.add_user_message(self.conversation_id, turn.question)
        self._questions[turn.id] = question

    async def before_request(self, turn: Turn) -> None:
        self._streaming.add(turn.id)
        job = self._then(lambda: self._begin(turn))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(job), BEGIN_WAIT)

    async def _begin(self, turn: Turn) -> None:
        builder = turn.live
        question = self._questions.get(turn.id)
        if builder is None or turn.answer is not None or question is None:
            return  # ended already (finish saves it whole), or its question was not saved
        assert self.store is not None and self.conversation_id is not None
        recorder = await Recorder.begin(
            self.store,
            builder,
            self.conversation_id,
            self._params(turn),
            question_id=question,
            lineage=lineage_for(self.app.session.conversation, turn),
        )
        turn.stored_id = recorder.answer_id
        self._recorders[turn.id] = recorder
        recorder.start()

    def turn_progress(self, turn: Turn, builder: Any) -> None:
        recorder = self._recorders.get(turn.id)
        if recorder is not None:
            recorder.maybe_checkpoint()
            self.report(recorder.problem)

    def turn_finished(self, turn: Turn) -> None:
        self._streaming.discard(turn.id)
        self._then(lambda: self._finish(turn))

    async def _finish(self, turn: Turn) -> None:
        answer = turn.answer
        if answer is None:
            return
        recorder = self._recorders.pop(turn.id, None)
        if recorder is not None:
            await recorder.write_final(answer)
            self._answer_ids[turn.id] = recorder.answer_id  # a recovery replaces its tokens
            self.report(recorder.problem)
            self._later.written(turn, recorder)
            return
        if self._later.unsaved.is_waiting(turn):
            return  # written with its question once there is room
        question = self._questions.get(turn.id)
        if question is None or self.conversation_id is None or self.store is None:
            return
        try:
            recorder = await self.write_answer(turn, answer)
        except StoreError as exc:
            if not exc.passing:
                raise
            self._later.wait(turn, f"not saved yet ({exc})")
        else:
            self._later.written(turn, recorder)

    async def write_answer(self, turn: Turn, answer: Answer) -> Recorder:
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
            lineage=lineage_for(self.app.session.conversation, turn),
        )
        turn.stored_id = recorder.answer_id
        await recorder.write_final(answer)
        self._answer_ids[turn.id] = recorder.answer_id
        return recorder

    def turn_recovered(self, turn: Turn) -> None:
        self._then(lambda: self._replace_tokens(turn))

    async def _replace_tokens(self, turn: Turn) -> None:
        answer_id = self._answer_ids.get(turn.id)
        if answer_id is None or turn.answer is None or self.store is None:
            return  # never written (the store failed): the recovered answer stays on screen
        await self.store.replace_tokens(answer_id, turn.answer)

    def turn_selected(self, turn: Turn) -> None:
        self._then(lambda: self._select(turn))

    async def _select(self, turn: Turn) -> None:
        if turn.stored_id is not None and self.store is not None:
            await self.store.select_answer(turn.stored_id)

    # ------------------------------------------------------------------ history screen

    async def summaries(self, query: str = "") -> list[ConversationSummary]:
        await self.ready.wait()
        assert self.store is not None
        return await self.store.list_conversations(query=query or None)

    async def comparisons(self) -> list[ComparisonSummary]:
        """The stored comparisons (question sets, scored answers), newest first."""
        await self.ready.wait()
        assert self.store is not None
        return await self.store.list_comparisons()

    async def open(self, conversation_id: int) -> None:
        """Replace the chat's conversation with a stored one (raises StoreError)."""
        await self.ready.wait()
        await self.idle()
        assert self.store is not None
        store = self.store
        stored = await store.load_conversation(conversation_id, lazy=True)
        previous = self.conversation_id
        note = server_change(stored, self._server_url())
        if note is None and conversation_id != previous and not await store.hold(conversation_id):
            note = held_elsewhere_note(stored)
        if note is not None:
            self.start_new()
            self.app.tell_chat(Note(note, kind="error"))
            return
        try:
            self._show(stored)
        except LogprobChatError:
            if conversation_id != previous:
                await store.let_go(conversation_id)
            raise
        if previous is not None and previous != conversation_id:
            await store.let_go(previous)

    def start_new(self) -> None:
        """The next question starts a new conversation; the screen is cleared."""
        self._refuse_while_busy()
        previous, self.conversation_id = self.conversation_id, None
        if previous is not None and self.store is not None:
            store = self.store
            self._then(lambda: store.let_go(previous))
        self.app.session.conversation = Conversation()
        self.app.tell_chat(ConversationShown([]))

    async def rename(self, conversation_id: int, title: str) -> None:
        await self.ready.wait()
        assert self.store is not None
        await self.store.rename_conversation(conversation_id, title)

    async def delete(self, conversation_id: int) -> bool:
        await self.ready.wait()
        await self.idle()
        assert self.store is not None
        if conversation_id == self.conversation_id:
            self._refuse_while_busy()  # its answer is being written
        elif await self.store.held_elsewhere(conversation_id):
            raise LogprobChatError(
                "that conversation is open in another running logprob-chat: quit it there first"
            )
        deleted = await self.store.delete_conversation(conversation_id)
        if conversation_id == self.conversation_id:
            self.start_new()
        return deleted

    # ------------------------------------------------------------------ export

    async def export(self, fmt: str, directory: Path) -> Path | None:
        """Export the chat's conversation as ``fmt`` into ``directory``; ``None`` when nothing
        has been asked yet. A streaming answer is checkpointed first, so the file holds what
        is on screen. Raises StoreError / OSError."""
        await self.ready.wait()
        await self.idle()
        for recorder in list(self._recorders.values()):
            await recorder.checkpoint()
        if self.conversation_id is None or self.store is None:
            return None
        # Lazy: each answer's raw rows are parsed while the export writes it, then let go.
        stored = await self.store.load_conversation(self.conversation_id, lazy=True)
        return await asyncio.to_thread(export_to_directory, stored, fmt, directory)

    # ------------------------------------------------------------------ comparisons

    def record_comparison(self, fields: dict[str, Any]) -> ComparisonRecord:
        """Keep a comparison (a scored answer) in the history as it runs: created now,
        results as they come, its end; in order with the chat's writes, never waiting."""
        record = ComparisonRecord(self._chain, lambda: self.store, dict(fields))
        self._comparisons = [r for r in self._comparisons if not r.ended] + [record]
        return record

    # ------------------------------------------------------------------ saving later

    def _show_state(self) -> None:
        """The status line's badge: the history in memory only, or answers not in full."""
        store = self.store
        badge = history_badge(
            memory_only=store is None or store.in_memory,
            unsaved_answers=self._later.unsaved.count,
        )
        with contextlib.suppress(Exception):  # the screen may be gone at exit
            self.app.tell_chat(HistoryState(badge))

    async def _carry_on(self, opened: AsyncStore, moved: Moved) -> None:
        """The session kept in memory is now in the file ``opened``: write there from now
        on, and make every id of the memory store this link keeps the file's."""
        self.store = opened
        if (conversation := self.conversation_id) is not None:
            self.conversation_id = moved.conversations.get(conversation, conversation)
            await opened.hold(self.conversation_id)
        ids = moved.messages  # (an answer's id is its message's: siblings name them)
        self._questions = {turn: ids.get(q, q) for turn, q in self._questions.items()}
        for turn in self.app.session.conversation.turns:  # (the copy's own keep theirs)
            turn.stored_id = ids.get(turn.stored_id, turn.stored_id)  # type: ignore[arg-type]
        for record in self._comparisons:
            record.moved(moved)
        # Answer ids were the memory store's (the move does not map them): a recovery that
        # ends after the move must not replace the tokens of whatever has that id in the file.
        self._answer_ids.clear()

    # ------------------------------------------------------------------ exit

    async def close(self) -> None:
        """Wait (bounded) for the last answer's final write, then close the store."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLOSE_WAIT
        # A cancelled generation reports its end on its next turn of the event loop.
        while self._streaming and loop.time() < deadline:
            await asyncio.sleep(0.01)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.idle()), deadline - loop.time())
        await self._later.close(deadline - loop.time())  # one last try for what did not fit
        if self.store is not None:
            await self.store.close()
