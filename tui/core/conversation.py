"""The conversation as plain data: questions, the settings each was asked with, and answers.

The TUI shows it, the store (later) saves and reloads it, and the request for the next answer
is built from it. Nothing here knows about widgets or HTTP.

What goes into a request (:meth:`Conversation.messages_for_request`):

* the system prompt, when it is not blank;
* every earlier turn whose answer has text (complete, stopped or failed part-way): the
  question, then the answer text as the assistant's message. A stopped answer is sent as far
  as it got, which is what the person saw. A turn whose request failed before any text came
  back is left out entirely, question included: sending an unanswered question again would
  give the model two user messages in a row, which some chat templates reject;
* the last turn's question.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal

from tui.core.answer import Answer, AnswerBuilder
from tui.core.settings import Sampling

TurnState = Literal["queued", "streaming", "complete", "stopped", "error", "incomplete"]

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


@dataclass(slots=True)
class Conversation:
    """An ordered list of turns; the last one may still be queued or streaming."""

    turns: list[Turn] = field(default_factory=list)

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
        """Add a question (with the settings in force now) and return its turn."""
        turn = Turn(
            question=question,
            system_prompt=system_prompt,
            preset=preset,
            sampling=sampling or Sampling(),
            model=model,
            base_url=base_url,
        )
        self.turns.append(turn)
        return turn

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def answered(self) -> list[Turn]:
        """Turns with a finished answer, in order."""
        return [t for t in self.turns if t.answer is not None]

    def index_of(self, turn: Turn) -> int:
        return next(i for i, t in enumerate(self.turns) if t is turn)

    def messages_for_request(
        self, system_prompt: str, upto: Turn | None = None
    ) -> list[dict[str, str]]:
        """OpenAI ``messages`` for the answer to ``upto`` (default: the last turn).

        See the module docstring for what is included and why.
        """
        if not self.turns:
            return []
        target = upto or self.turns[-1]
        messages: list[dict[str, str]] = []
        if system_prompt.strip():
            messages.append({"role": "system", "content": system_prompt})
        for turn in self.turns:
            if turn is target:
                messages.append({"role": "user", "content": turn.question})
                break
            text = turn.answer_text
            if not text:
                continue
            messages.append({"role": "user", "content": turn.question})
            messages.append({"role": "assistant", "content": text})
        return messages
