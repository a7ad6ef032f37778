"""What a question-set comparison asks: K system prompts × M questions, each answered N
times (``mode`` ``sample``) or each question's reference answer scored once (``score``).

Each question is an ordinary one-question plan of :mod:`tui.core.compare` (sampled: seeds,
messages, validation) or :mod:`tui.core.score` (scored), made by :meth:`SetPlan.compare_plan`
and :meth:`SetPlan.score_plan`; this module only adds the questions and the order.

Order: question by question, and within a question sample i of every prompt before sample
i + 1 (round robin, as a one-question comparison does). A run cut short then holds whole
questions, each answered under every prompt, which is what the paired statistics use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from tui.core.compare.plan import (
    DEFAULT_CONCURRENCY,
    DEFAULT_SAMPLES,
    ComparePlan,
    PromptSpec,
)
from tui.core.errors import ConfigError
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.questions import Question, require_answers
from tui.core.score.run import ScorePlan
from tui.core.settings import DEFAULT_TOP_LOGPROBS, Sampling

Mode = Literal["sample", "score"]
Key = tuple[int, int, int]
"""(prompt, question, sample) positions, 0-based: one request."""


@dataclass(frozen=True)
class SetPlan:
    """A validated question-set comparison (see the module docstring).

    ``samples`` is 1 in ``score`` mode (a score is deterministic). ``source`` names the
    question file (kept with the comparison, shown in titles)."""

    prompts: tuple[PromptSpec, ...]
    questions: tuple[Question, ...]
    mode: Mode = "sample"
    samples: int = DEFAULT_SAMPLES
    sampling: Sampling = field(default_factory=Sampling)
    concurrency: int = DEFAULT_CONCURRENCY
    top_logprobs: int = DEFAULT_TOP_LOGPROBS
    threshold: float = DEFAULT_LOW_PROB_THRESHOLD
    stream: bool = True
    source: str | None = None

    def __post_init__(self) -> None:
        questions = tuple(self.questions)
        if not questions:
            raise ConfigError("the question set is empty")
        object.__setattr__(self, "questions", questions)
        if self.mode == "score":
            require_answers(questions, self.source or "questions")
            object.__setattr__(self, "samples", 1)
        elif self.mode != "sample":
            raise ConfigError(f"unknown mode {self.mode!r} (sample or score)")
        # Validates prompts, samples, concurrency, threshold as a one-question plan does,
        # and gives the prompts their unique labels.
        probe = self.compare_plan(0)
        object.__setattr__(self, "prompts", probe.prompts)

    @property
    def total(self) -> int:
        """K × M × N requests."""
        return len(self.prompts) * len(self.questions) * self.samples

    def compare_plan(self, question: int) -> ComparePlan:
        """Question ``question`` as a one-question sampled comparison."""
        return ComparePlan(
            self.prompts,
            self.questions[question].question,
            samples=self.samples,
            sampling=self.sampling,
            concurrency=self.concurrency,
            stream=self.stream,
            threshold=self.threshold,
        )

    def score_plan(self, question: int) -> ScorePlan:
        """Question ``question``'s reference answer scored under every prompt."""
        q = self.questions[question]
        return ScorePlan(
            self.prompts,
            q.question,
            q.answer or "",
            top_logprobs=self.top_logprobs,
            threshold=self.threshold,
            concurrency=self.concurrency,
        )

    def keys(self, skip: Sequence[Key] | set[Key] = ()) -> Iterator[Key]:
        """Every request's key in dispatch order (module docstring), ``skip`` left out."""
        skipped = set(skip)
        for j in range(len(self.questions)):
            for i in range(self.samples):
                for k in range(len(self.prompts)):
                    if (k, j, i) not in skipped:
                        yield (k, j, i)
