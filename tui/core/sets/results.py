"""One finished request of a question set: its key, status, the numbers a set aggregates,
and (while wanted) the answer itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tui.core.answer import Answer
from tui.core.compare.samples import METRIC_NAMES, metric_values
from tui.core.metrics import Metrics

ResultStatus = Literal["ok", "error"]

VALUE_NAMES = (*METRIC_NAMES, "sum_logprob", "stop_logprob")
"""Per-result values (see :func:`result_values`)."""


def result_values(answer: Answer | None) -> dict[str, float | None]:
    """The values of one answer or score (:func:`metrics_values` of its metrics)."""
    return metrics_values(None if answer is None else answer.metrics)


def metrics_values(m: Metrics | None) -> dict[str, float | None]:
    """The values of a compared sample (:func:`~tui.core.compare.samples.metric_values`:
    mean logprob in nats/token, mean prob = exp(mean logprob), perplexity, lowest token
    probability, length in tokens, tokens below the low-probability threshold), plus
    ``sum_logprob`` (nats, the whole answer) and ``stop_logprob`` (nats, the end token after
    a scored answer; ``None`` for samples). From the metrics alone, so a result read back
    from the history without its tokens has the same numbers."""
    if m is None:
        return dict.fromkeys(VALUE_NAMES)
    return {**metric_values(m), "sum_logprob": m.sum_logprob, "stop_logprob": m.stop_logprob}


@dataclass(slots=True)
class SetResult:
    """One (prompt, question, sample) request that finished, ok or failed.

    ``answer`` is dropped once the result is stored unless the run keeps answers (memory
    stays bounded on large sets); ``text`` and ``values`` are always kept."""

    prompt: int
    question: int
    sample: int
    status: ResultStatus
    values: dict[str, float | None] = field(default_factory=dict)
    text: str = ""
    error: str | None = None
    seed: int | None = None
    method: str | None = None
    answer: Answer | None = None

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.prompt, self.question, self.sample)

    @property
    def ok(self) -> bool:
        return self.status == "ok"
