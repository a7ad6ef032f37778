"""The app's side of asking a question: what the chat log's streaming needs from the app.

:class:`TurnDriver` implements :class:`~tui.app.widgets.answer_stream.TurnHooks` over the
app's session (client, model, sampling), its turn listeners (the history store, see
:mod:`tui.app.turn_events`), its GC policy and its clock, so the chat log never reaches into
the app. It is plain Python (no widget): tests of the chat log can pass their own hooks.

Order matters to the store, so the listeners are called synchronously, in this order:
``turn_asked`` when the question is added, ``before_request`` (awaited) once the model is
known, ``turn_progress`` at repaint ticks, ``turn_finished`` when the answer is final, and
``turn_recovered`` when llama.cpp's hidden tokens of a finished answer were measured
(:mod:`tui.core.recovery`: on the session's server, with the messages the answer was asked
with; the built-in engine's idle slots are used, since they are ours). ``turn_selected``
when another sibling was selected (the store marks it, so a reopened chat follows it).

Siblings (issue 16) are made here on the session's conversation (:mod:`tui.core.conversation`):
:meth:`TurnDriver.regenerate`, :meth:`TurnDriver.edit`, :meth:`TurnDriver.branch`. Every
request goes through :meth:`~tui.core.conversation.Conversation.request_for`, so a branch is
sent with its start as the assistant prefill and streamed into a builder that starts with
the prefix records (:meth:`~tui.core.conversation.Turn.new_builder`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from tui.app.messages import SessionChanged
from tui.core.answer import AnswerBuilder
from tui.core.backend import resolve_model
from tui.core.branch import Branch
from tui.core.conversation import Turn
from tui.core.errors import LogprobChatError, context_full_message, is_context_full
from tui.core.recovery import RecoveryProgress, RecoveryResult, recovery_candidate
from tui.core.settings import Sampling
from tui.core.wire.events import StreamEvent
from tui.core.wire.prefill import can_prefill

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

CONTEXT_FULL_REMEDY = "ctrl+n asks it again in a new conversation (this one stays in the history)"
"""Said after a server's "context exceeded" error (see ``context_full_message``): every later
question in this conversation would fail the same way. The question is kept (back in the
input, and ↑ recalls it), and ctrl+n asks it again (``context_full_question``)."""


class TurnDriver:
    """See the module docstring. ``busy``: a question was asked and its answer is not final
    (the history link refuses to swap conversations meanwhile)."""

    def __init__(self, app: LogprobChatApp) -> None:
        self.app = app
        self._open: set[int] = set()  # ids of turns asked and not finished
        self._context_full = False  # the answer being finished failed for a full context
        self.context_full_question: str | None = None
        """The question of the latest answer, when it failed because the conversation no
        longer fits the model's context (what ctrl+n asks again in a new conversation)."""

    @property
    def busy(self) -> bool:
        return bool(self._open)

    def new_turn(self, question: str) -> Turn:
        """Add ``question`` to the session's conversation, with what the next request uses."""
        s = self.app.session
        return s.conversation.ask(
            question,
            system_prompt=s.system_prompt,
            preset=s.preset,
            sampling=s.sampling,
            model=s.model or "",
            base_url=s.backend.connection.safe_url if s.backend else "",
        )

    def _current(self) -> dict[str, object]:
        """The settings the next request uses (what the input bar sends with)."""
        s = self.app.session
        return {
            "system_prompt": s.system_prompt,
            "preset": s.preset,
            "sampling": s.sampling,
            "model": s.model or "",
            "base_url": s.backend.connection.safe_url if s.backend else "",
        }

    def regenerate(self, turn: Turn) -> Turn:
        """A sibling of ``turn``: the same question under the same prompt and sampling, a
        new sample. A fixed seed would draw the very same answer again, so the sibling's
        seed is the seed plus the number of siblings before it (new, and reproducible)."""
        conversation = self.app.session.conversation
        sampling: Sampling = turn.sampling
        if sampling.seed is not None:
            _, count = conversation.sibling_position(turn)
            sampling = sampling.with_changes(seed=sampling.seed + count)
        return conversation.regenerate(turn, sampling=sampling, model=turn.model or self._model())

    def edit(self, turn: Turn, question: str) -> Turn:
        """A sibling of ``turn`` asking ``question`` instead, with the settings in force now
        (it is sent from the input bar like any question)."""
        return self.app.session.conversation.edit(turn, question, **self._current())

    def branch(self, turn: Turn, branch: Branch) -> Turn:
        """A sibling of ``turn`` continuing ``branch`` (planned on its answer), under the
        same prompt and sampling: the same distribution up to the divergence."""
        conversation = self.app.session.conversation
        return conversation.branch(turn, branch, model=turn.model or self._model())

    def _model(self) -> str:
        return self.app.session.model or ""

    async def prefill_problem(self) -> str | None:
        """``None`` when the session's server can continue a given start of the answer, else
        the one line saying why not (OpenAI has no prefill: nothing is sent then)."""
        session = self.app.session
        client = session.client
        if client is None:
            return "the model is not ready yet: branch once it is"
        return can_prefill(await client.server_kind(), session.model or "")

    def select(self, turn: Turn) -> list[Turn]:
        """Make ``turn`` the selected one of its siblings; the new selected path."""
        path = self.app.session.conversation.select(turn)
        self.app.turn_events.emit("turn_selected", turn)
        return path

    def sibling_position(self, turn: Turn) -> tuple[int, int]:
        """(k, n): ``turn`` is sibling k of n in the session's conversation (1/1 when it
        is not in it)."""
        conversation = self.app.session.conversation
        if all(t is not turn for t in conversation.turns):
            return 1, 1
        return conversation.sibling_position(turn)

    def siblings(self, turn: Turn) -> list[Turn]:
        conversation = self.app.session.conversation
        if all(t is not turn for t in conversation.turns):
            return [turn]
        return conversation.siblings(turn)

    def new_builder(self, turn: Turn | None = None) -> AnswerBuilder:
        """An empty answer; a branch's starts with its prefix and chosen token."""
        clock, threshold = self.app.clock, self.app.low_prob_threshold
        if turn is not None:
            return turn.new_builder(clock=clock, threshold=threshold)
        return AnswerBuilder(clock=clock, threshold=threshold)

    def asked(self, turn: Turn) -> None:
        self._open.add(turn.id)
        self.app.turn_events.emit("turn_asked", turn)

    async def open(self, turn: Turn) -> AsyncIterator[StreamEvent]:
        session = self.app.session
        client = session.client
        if client is None:
            raise LogprobChatError("the connection to the model was closed")
        if session.model is None:
            session.model = await resolve_model(session.backend, client)
            self.app.tell_chat(SessionChanged())
        turn.model = session.model
        await self.app.turn_events.before_request(turn)  # the store writes it first
        request = session.conversation.request_for(turn, stream=self.app.stream)
        return client.chat(request)

    def started(self, turn: Turn) -> None:
        self.app.gc_policy.stream_started()

    def reading(self) -> None:
        self.app.gc_policy.young()

    def rows_added(self, rows: int) -> None:
        self.app.gc_policy.rows_added(rows)

    def progress(self, turn: Turn, builder: AnswerBuilder) -> None:
        self.app.turn_events.emit("turn_progress", turn, builder)

    def finished(self, turn: Turn, streamed: bool) -> None:
        self._open.discard(turn.id)
        self.context_full_question = turn.question if self._context_full else None
        self._context_full = False
        if streamed:
            self.app.gc_policy.stream_ended()
        self.app.turn_events.emit("turn_finished", turn)

    def can_recover(self, turn: Turn) -> bool:
        backend = self.app.session.backend
        return backend is not None and turn.answer is not None and recovery_candidate(turn.answer)

    async def recover(
        self, turn: Turn, on_progress: Callable[[RecoveryProgress], None]
    ) -> RecoveryResult:
        session = self.app.session
        backend = session.backend
        answer = turn.answer
        if backend is None or answer is None:
            raise LogprobChatError("the connection to the model was closed")
        messages = session.conversation.messages_for_request(turn.system_prompt, upto=turn)
        result: RecoveryResult = await self.app.recovery(
            answer,
            messages,
            backend.connection,
            # Only the built-in engine's slots are ours to copy the answer into.
            replicate_slots=backend.engine is not None,
            on_progress=on_progress,
        )
        return result

    def recovered(self, turn: Turn) -> None:
        self.app.turn_events.emit("turn_recovered", turn)

    def error_text(self, error: LogprobChatError) -> str:
        if is_context_full(error):
            self._context_full = True
            return context_full_message(
                error, CONTEXT_FULL_REMEDY, built_in=self.app.session.embedded
            )
        return str(error)
