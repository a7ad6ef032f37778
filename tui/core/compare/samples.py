"""One sample of a comparison (a single request) and the values aggregated from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from tui.core.answer import Answer
from tui.core.metrics import Metrics

SampleStatus = Literal["pending", "running", "ok", "error", "cancelled"]
"""``pending``: waiting for a free slot. ``running``: its request is in flight. ``ok``: the
answer completed. ``error``: the request failed (``error`` says why). ``cancelled``: the run was
stopped before it finished."""

METRIC_NAMES = (
    "mean_logprob",
    "mean_prob",
    "perplexity",
    "min_prob",
    "length",
    "low_prob_count",
)
"""Per-sample values aggregated per prompt (see :func:`sample_values`)."""


def sample_values(answer: Answer) -> dict[str, float | None]:
    """The metrics a comparison aggregates, for one answer (answer scope, not reasoning):
    :func:`metric_values` of its :class:`~tui.core.metrics.Metrics`."""
    return metric_values(answer.metrics)


def metric_values(m: Metrics) -> dict[str, float | None]:
    """The values of :data:`METRIC_NAMES` from an answer's metrics (computed now, or read
    back from the history without its tokens):

    * ``mean_logprob``: mean token logprob (nats/token), ``Metrics.mean_logprob``
    * ``mean_prob``: geometric mean token probability exp(mean logprob), 0..1
    * ``perplexity``: exp(−mean logprob)
    * ``min_prob``: the lowest token probability, 0..1
    * ``length``: answer tokens: logprob rows received, or ``usage.completion_tokens`` when the
      server sent no rows
    * ``low_prob_count``: tokens with p below the threshold (0.1 by default)

    Logprob-based values are ``None`` when the server returned no logprobs.
    """
    length: float | None = float(m.tokens) if m.tokens > 0 else None
    if length is None and m.completion_tokens is not None:
        length = float(m.completion_tokens)
    return {
        "mean_logprob": m.mean_logprob,
        "mean_prob": m.mean_prob,
        "perplexity": m.perplexity,
        "min_prob": m.min_prob,
        "length": length,
        "low_prob_count": float(m.low_prob_count) if m.known else None,
    }


@dataclass(slots=True)
class Sample:
    """One request of a comparison and what came of it."""

    prompt_index: int
    label: str
    index: int
    seed: int | None
    status: SampleStatus = "pending"
    answer: Answer | None = None
    error: str | None = None
    values: dict[str, float | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def finished(self) -> bool:
        return self.status in ("ok", "error", "cancelled")

    @property
    def number(self) -> int:
        """1-based sample number, as shown to people (``#1``…)."""
        return self.index + 1


SampleCallback = Callable[[Sample], Awaitable[object] | object]
"""Called with each sample as it finishes (plain function or coroutine function)."""
