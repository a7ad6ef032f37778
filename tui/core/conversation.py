"""The conversation as plain data: questions, the settings each was asked with, and answers,
as a tree of siblings with one path selected.

The TUI shows it, the store saves and reloads it (:func:`tui.core.resume.conversation_of`),
and the request for the next answer is built from it. Nothing here knows about widgets or HTTP.

Siblings: a turn (one question and its answer) follows the turn before it on its path (its
*parent*; ``None`` for a first question). Turns with the same parent are siblings: answers
to the same point of the conversation, made by

* :meth:`Conversation.regenerate` — the same question, a new sample (a branch regenerated
  keeps its start: a new continuation from the same point);
* :meth:`Conversation.edit` — a changed question, asked in the same place;
* :meth:`Conversation.branch` — the same question, the answer continued from a token of a
  sibling's answer with another token put there (:mod:`tui.core.branch`).

One sibling of each group is selected (:meth:`Conversation.select`; a new one is selected
when made); the *selected path* (:meth:`Conversation.path`) follows the selected sibling from
the first question on. A question asked goes after the end of the selected path.
``Conversation.turns`` holds every turn in the order they were asked; a ``Conversation(turns)``
made from a plain list is a single path (each turn follows the one before it).

What goes into a request (:meth:`Conversation.messages_for_request`): the path to the turn,

* the system prompt, when it is not blank;
* every earlier turn of the path whose answer has text (complete, stopped or failed part-way):
  the question, then the answer text as the assistant's message. A stopped answer is sent as
  far as it got, which is what the person saw. A turn whose request failed before any text
  came back is left out entirely, question included: sending an unanswered question again
  would give the model two user messages in a row, which some chat templates reject;
* the turn's question; a branch's start of the answer goes with it as the prefill
  (:meth:`Conversation.request_for`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tui.core.answer import Answer, AnswerBuilder, Prefill
from tui.core.branch import Branch, BranchPoint
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.settings import Sampling
from tui.core.wire.request import ChatRequest

TurnState = Literal["queued", "streaming", "complete", "stopped", "error", "incomplete"]
Origin = Literal["ask", "regenerate", "edit", "branch"]
"""How a turn was made: asked, or as a sibling of another (see the module docstring)."""

_ids = itertools.count(1)


@dataclass(slots=True)
class Turn:
    """One question and its answer, with everything that shaped the answer.

    Attributes:
        question: what the person typed, exactly.
        system_prompt: the system prompt in force when it was asked ("" for none).
        preset: the preset that prompt came from, or ``None`` (typed by hand, or no prompt).
        sampling: temperature, top_logprobs, max_tokens and seed of the request.
        model: the model asked for ("" until the backend is ready and the request goes out).
        base_url: the server, without credentials (``Connection.safe_url``).
        live: the builder while the answer streams (running stats, partial text).
        answer: the finished answer (``complete``, ``stopped`` or ``error``), else ``None``.
        id: a number unique in this process, for widgets and the store to refer to the turn.
        origin: how it was made (asked, regenerated, edited, branched).
        source: the turn it was made from (a regenerate, edit or branch), else ``None``.
        point: where a branch left its source's answer, and with what.
        prefill: the start of the answer the model continues (a branch not yet generated,
            or a branch regenerated), else ``None``.
        stored_id: the answer's id in the history store, once written (``None`` before).
    """

    question: str
    system_prompt: str = ""
    preset: str | None = None
    sampling: Sampling = field(default_factory=Sampling)
    model: str = ""
    base_url: str = ""
    live: AnswerBuilder | None = None
    answer: Answer | None = None
    id: int = field(default_factory=lambda: next(_ids))
    origin: Origin = "ask"
    source: Turn | None = field(default=None, repr=False, compare=False)
    point: BranchPoint | None = None
    prefill: Prefill | None = field(default=None, repr=False)
    stored_id: int | None = None

    @property
    def state(self) -> TurnState:
        if self.answer is not None:
            return self.answer.status
        return "streaming" if self.live is not None else "queued"

    @property
    def answer_text(self) -> str:
        """The answer's text so far (partial while streaming)."""
        if self.answer is not None:
            return self.answer.text
        return self.live.text if self.live is not None else ""

    @property
    def finished(self) -> bool:
        return self.answer is not None

    def new_builder(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        threshold: float = DEFAULT_LOW_PROB_THRESHOLD,
    ) -> AnswerBuilder:
        """The builder for this turn's answer: it starts with the prefill's text and records
        (a branch), else empty."""
        return AnswerBuilder(clock=clock, threshold=threshold, prefill=self.prefill)

    def settings(self) -> dict[str, Any]:
        """The request settings, to give a sibling the same ones."""
        return {
            "system_prompt": self.system_prompt,
            "preset": self.preset,
            "sampling": self.sampling,
            "model": self.model,
            "base_url": self.base_url,
        }


@dataclass(slots=True)
class Conversation:
    """Every turn in the order asked, as a tree of siblings (see the module docstring).

    ``parents`` maps a turn's id to its parent's id (``None``: a first question); a turn not
    in it follows the turn before it in ``turns``. ``chosen`` maps a parent's id (``None``
    for the first questions) to the id of its selected child; none chosen: the latest."""

    turns: list[Turn] = field(default_factory=list)
    parents: dict[int, int | None] = field(default_factory=dict)
    chosen: dict[int | None, int] = field(default_factory=dict)

    # ------------------------------------------------------------------ the tree

    def _by_id(self) -> dict[int, Turn]:
        return {turn.id: turn for turn in self.turns}

    def _parent_ids(self) -> dict[int, int | None]:
        result: dict[int, int | None] = {}
        previous: int | None = None
        for turn in self.turns:
            result[turn.id] = self.parents.get(turn.id, previous)
            previous = turn.id
        return result

    def parent_of(self, turn: Turn) -> Turn | None:
        """The turn before ``turn`` on its path (``None`` for a first question)."""
        parent = self._parent_ids().get(turn.id)
        return None if parent is None else self._by_id().get(parent)

    def children(self, turn: Turn | None) -> list[Turn]:
        """The turns that follow ``turn`` (``None``: the first questions), in the order
        asked: siblings of each other."""
        parent = None if turn is None else turn.id
        parents = self._parent_ids()
        return [t for t in self.turns if parents[t.id] == parent]

    def siblings(self, turn: Turn) -> list[Turn]:
        """``turn`` and its siblings, in the order asked."""
        return self.children(self.parent_of(turn))

    def sibling_position(self, turn: Turn) -> tuple[int, int]:
        """(k, n): ``turn`` is sibling k of n, 1-based (``‹2/3›``)."""
        group = self.siblings(turn)
        return next(k for k, t in enumerate(group, 1) if t is turn), len(group)

    def _groups(self) -> dict[int | None, list[Turn]]:
        groups: dict[int | None, list[Turn]] = {}
        parents = self._parent_ids()
        for turn in self.turns:
            groups.setdefault(parents[turn.id], []).append(turn)
        return groups

    def _selected_in(self, groups: dict[int | None, list[Turn]], parent: int | None) -> Turn | None:
        group = groups.get(parent)
        if not group:
            return None
        wanted = self.chosen.get(parent)
        return next((t for t in group if t.id == wanted), group[-1])

    def selected_child(self, turn: Turn | None) -> Turn | None:
        """The selected one among the turns that follow ``turn``, if any."""
        return self._selected_in(self._groups(), None if turn is None else turn.id)

    def path(self) -> list[Turn]:
        """The selected path: from the first question, each selected sibling in turn."""
        groups = self._groups()
        result: list[Turn] = []
        turn = self._selected_in(groups, None)
        while turn is not None:
            result.append(turn)
            turn = self._selected_in(groups, turn.id)
        return result

    def path_to(self, turn: Turn) -> list[Turn]:
        """The turns from the first question to ``turn``, ``turn`` last."""
        parents = self._parent_ids()
        by_id = self._by_id()
        result = [turn]
        parent = parents.get(turn.id)
        while parent is not None:
            result.append(by_id[parent])
            parent = parents.get(parent)
        return result[::-1]

    def select(self, turn: Turn) -> list[Turn]:
        """Make ``turn`` the selected one of its siblings (and every turn on the way to it);
        return the new selected path."""
        parents = self._parent_ids()
        for step in self.path_to(turn):
            self.chosen[parents[step.id]] = step.id
        return self.path()

    # ------------------------------------------------------------------ adding turns

    def ask(
        self,
        question: str,
        *,
        system_prompt: str = "",
        preset: str | None = None,
        sampling: Sampling | None = None,
        model: str = "",
        base_url: str = "",
    ) -> Turn:
        """Add a question (with the settings in force now) after the end of the selected
        path, and return its turn."""
        path = self.path()
        turn = Turn(
            question=question,
            system_prompt=system_prompt,
            preset=preset,
            sampling=sampling or Sampling(),
            model=model,
            base_url=base_url,
        )
        return self._add(turn, path[-1] if path else None)

    def regenerate(self, turn: Turn, **settings: Any) -> Turn:
        """A sibling of ``turn``: the same question, a new sample (of a branch: a new
        continuation from the same start). ``settings`` (system_prompt, preset, sampling,
        model, base_url) replace ``turn``'s."""
        prefill = turn.prefill or _prefill_of(turn)
        sibling = Turn(
            question=turn.question,
            origin="regenerate",
            source=turn,
            point=turn.point,
            prefill=prefill,
            **{**turn.settings(), **settings},
        )
        return self._add(sibling, self.parent_of(turn))

    def edit(self, turn: Turn, question: str, **settings: Any) -> Turn:
        """A sibling of ``turn`` asking ``question`` instead (edit and resend)."""
        sibling = Turn(
            question=question, origin="edit", source=turn, **{**turn.settings(), **settings}
        )
        return self._add(sibling, self.parent_of(turn))

    def branch(self, turn: Turn, branch: Branch, **settings: Any) -> Turn:
        """A sibling of ``turn`` whose answer continues ``branch`` (planned on ``turn``'s
        answer by :func:`tui.core.branch.plan_branch`)."""
        sibling = Turn(
            question=turn.question,
            origin="branch",
            source=turn,
            point=branch.point,
            prefill=branch.prefill,
            **{**turn.settings(), **settings},
        )
        return self._add(sibling, self.parent_of(turn))

    def _add(self, turn: Turn, parent: Turn | None) -> Turn:
        self.turns.append(turn)
        self.parents[turn.id] = None if parent is None else parent.id
        self.select(turn)
        return turn

    # ------------------------------------------------------------------ reading

    @property
    def last(self) -> Turn | None:
        """The end of the selected path."""
        path = self.path()
        return path[-1] if path else None

    def answered(self) -> list[Turn]:
        """Turns of the selected path with a finished answer, in order."""
        return [t for t in self.path() if t.answer is not None]

    def index_of(self, turn: Turn) -> int:
        return next(i for i, t in enumerate(self.turns) if t is turn)

    def messages_for_request(
        self, system_prompt: str, upto: Turn | None = None
    ) -> list[dict[str, str]]:
        """OpenAI ``messages`` for the answer to ``upto`` (default: the end of the selected
        path), along the path to it; ends with its question (a prefill is not included:
        :meth:`request_for` adds it). See the module docstring."""
        target = upto or self.last
        if target is None:
            return []
        messages: list[dict[str, str]] = []
        if system_prompt.strip():
            messages.append({"role": "system", "content": system_prompt})
        for turn in self.path_to(target)[:-1]:
            text = turn.answer_text
            if not text:
                continue
            messages.append({"role": "user", "content": turn.question})
            messages.append({"role": "assistant", "content": text})
        messages.append({"role": "user", "content": target.question})
        return messages

    def request_for(self, turn: Turn, *, stream: bool = True) -> ChatRequest:
        """The chat completion for ``turn``'s answer: its path's messages under its system
        prompt, its model and sampling, and its prefill (a branch)."""
        return ChatRequest(
            self.messages_for_request(turn.system_prompt, upto=turn),
            turn.model,
            turn.sampling,
            stream=stream,
            prefill=None if turn.prefill is None else turn.prefill.text,
        )


def _prefill_of(turn: Turn) -> Prefill | None:
    """The given start of ``turn``'s answer, rebuilt from the answer (a reopened branch)."""
    answer = turn.answer
    if answer is None or answer.prefill is None:
        return None
    return Prefill(answer.prefill, tuple(answer.tokens[: answer.prefill_tokens]))
