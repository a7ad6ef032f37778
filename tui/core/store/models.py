"""What the history store holds and gives back: plain dataclasses, no SQL.

Times are wall-clock epoch seconds (``time.time()``, UTC); durations are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tui.core.answer import Answer
from tui.core.branch import BranchPoint
from tui.core.metrics import Metrics
from tui.core.settings import Sampling, display_url
from tui.core.wire.records import TokenRecord

TITLE_FROM_QUESTION = 80
"""A conversation without a title is shown by its first question, cut to this many characters."""


@dataclass(frozen=True, slots=True)
class AnswerParams:
    """What one request asked for. ``base_url`` never holds credentials (see ``display_url``)."""

    model: str | None = None
    base_url: str | None = None
    system_prompt: str | None = None
    preset: str | None = None
    temperature: float | None = None
    top_logprobs: int | None = None
    max_tokens: int | None = None
    seed: int | None = None

    @classmethod
    def of(
        cls,
        *,
        model: str | None,
        base_url: str | None,
        sampling: Sampling,
        system_prompt: str | None = None,
        preset: str | None = None,
    ) -> AnswerParams:
        return cls(
            model=model,
            base_url=display_url(base_url) if base_url else None,
            system_prompt=system_prompt,
            preset=preset,
            temperature=sampling.temperature,
            top_logprobs=sampling.top_logprobs,
            max_tokens=sampling.max_tokens,
            seed=sampling.seed,
        )

    def sampling(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "top_logprobs": self.top_logprobs,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "system_prompt": self.system_prompt,
            "preset": self.preset,
            **self.sampling(),
        }


Origin = Literal["ask", "regenerate", "edit", "branch"]


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where an answer sits among its siblings, as written (schema version 6).

    ``origin`` ``None``: written without it (before version 6, or by a writer that does not
    say): the answer follows the one before it in the conversation's order. Otherwise
    ``follows_id`` is the answer its exchange comes after (``None``: a first question),
    ``source_id`` the answer a regenerate/edit/branch was made from, ``branch`` where a
    branch diverged; ``selected_at`` when it was last selected among its siblings."""

    origin: Origin | None = None
    follows_id: int | None = None
    source_id: int | None = None
    branch: BranchPoint | None = None
    selected_at: float | None = None

    @classmethod
    def asked(cls, follows_id: int | None = None) -> Lineage:
        """A question asked after the answer ``follows_id`` (``None``: the first one)."""
        return cls("ask", follows_id)


@dataclass(slots=True)
class AnswerDelta:
    """What changed in a streaming answer since its last checkpoint.

    ``tokens``/``raw`` are only the rows not yet written (they become one stored part);
    text and the small fields are the whole current values (cheap to rewrite).
    """

    answer_id: int
    seq: int
    first_index: int
    tokens: list[TokenRecord]
    raw: list[Any]
    token_total: int
    text: str
    reasoning: str
    usage: dict[str, Any] | None = None
    server_timings: dict[str, Any] | None = None
    finish_reason: str | None = None
    reported_model: str | None = None
    notices: list[str] = field(default_factory=list)
    metrics: Metrics | None = None


@dataclass(slots=True)
class StoredAnswer:
    """An answer as stored: its request parameters and the rebuilt :class:`Answer`."""

    id: int  # the id of its assistant message
    question_id: int | None
    params: AnswerParams
    answer: Answer
    checkpointed_at: float | None = None
    lineage: Lineage = field(default_factory=Lineage)


@dataclass(slots=True)
class StoredMessage:
    id: int
    position: int
    role: str  # "user" or "assistant"
    text: str
    reasoning: str
    created_at: float
    answer: StoredAnswer | None = None  # set for assistant messages


@dataclass(slots=True)
class Conversation:
    """A whole conversation. ``preset``/``system_prompt``/``model``/``base_url`` are the
    settings of its latest answer, so a resumed chat carries on with them."""

    id: int
    title: str | None
    created_at: float
    updated_at: float
    preset: str | None
    system_prompt: str | None
    model: str | None
    base_url: str | None
    messages: list[StoredMessage] = field(default_factory=list)

    @property
    def answers(self) -> list[StoredAnswer]:
        return [m.answer for m in self.messages if m.answer is not None]

    @property
    def first_question(self) -> str:
        return next((m.text for m in self.messages if m.role == "user"), "")

    @property
    def display_title(self) -> str:
        return display_title(self.title, self.first_question)

    def chat_messages(self) -> list[dict[str, str]]:
        """The history to send before the next question: the selected path's questions and
        answers (:func:`tui.core.store.lineage.path_messages`, which says what is left out)."""
        from tui.core.store.lineage import path_messages  # lineage reads these models

        return path_messages(self)


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One line of the history list.

    ``mean_prob`` is the conversation's confidence: the arithmetic mean, over its answers that
    have logprobs, of each answer's "Mean prob" (exp(mean logprob), the geometric mean token
    probability shown in the answer's stats). Every answer weighs the same, whatever its
    length. ``None`` when no answer has logprobs.
    """

    id: int
    title: str | None
    created_at: float
    updated_at: float
    preset: str | None
    model: str | None
    base_url: str | None
    first_question: str
    answers: int
    mean_prob: float | None
    source: str = "chat"
    """What started it: ``chat`` (the TUI) or ``ask`` (the headless command)."""

    @property
    def display_title(self) -> str:
        return display_title(self.title, self.first_question)


def display_title(title: str | None, first_question: str) -> str:
    """The title given by the user, else the first question's first line, shortened."""
    if title and title.strip():
        return title.strip()
    line = first_question.strip().split("\n", 1)[0]
    if len(line) > TITLE_FROM_QUESTION:
        line = line[: TITLE_FROM_QUESTION - 1].rstrip() + "…"
    return line or "(empty)"
