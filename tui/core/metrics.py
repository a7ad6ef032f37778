"""Confidence metrics over token logprobs: pure functions, formulas stated, units given.

Notation: a scope (by default the answer, not the reasoning) has R rows; N of them carry a
usable logprob lᵢ (natural log, ≤ 0); pᵢ = exp(lᵢ) is the token's probability in 0..1.
Rows whose logprob is unknown (sentinel, NaN, null, speculative) are counted in ``unknown``
and never enter a sum or a mean.

* ``sum_logprob``  S = Σ lᵢ  (nats)
* ``mean_logprob`` m = S / N  (nats per token)
* ``mean_prob``    exp(m): the geometric mean token probability, = 1 / perplexity. This is
  the prototype's "average probability".
* ``joint_prob``   exp(S): probability of the whole sequence; underflows to 0.0 for long
  answers, so ``joint_log10`` = S / ln 10 is given too.
* ``perplexity``   PPL = exp(−m)
* ``arithmetic_mean_prob``  (1/N) Σ pᵢ
* ``min_prob``     min pᵢ, at row ``min_prob_index`` (the row's index in its answer)
* ``low_prob_count``  #{i : pᵢ < τ}, τ = ``low_prob_threshold``
* ``mean_entropy`` mean over rows with a top-k list of Hᵢ = −Σⱼ pᵢⱼ ln pᵢⱼ (nats), a
  truncated estimate since only the top-k is known
* ``mean_residual_mass``  mean of rᵢ = 1 − Σⱼ pᵢⱼ over rows with a top-k list: the probability
  the top-k does not cover. Both describe the distribution at a position, so a row whose own
  logprob is unknown (vLLM's -9999 for a token outside the top-k) still counts when its top-k
  list is known; unusable values inside a list are skipped.
* ``coverage``     rows received (all scopes) / ``usage.completion_tokens``: below 1 when the
  server dropped rows (llama.cpp split characters, stop token) or ignored ``logprobs``
* ``stop_logprob`` the logprob of the end-of-sequence token, when the rows end with it (a
  zero-width final row: llama.cpp sends it in whole replies, and recovery measures it for
  streamed ones); never an answer token, reported apart as the "stop probability"

The end-of-sequence token is a generated token: servers that count it in
``completion_tokens`` (llama.cpp) send its row in whole replies only, so its row counts in
coverage like any other; recovery (:mod:`tui.core.recovery`) measures it for a streamed reply,
so both modes end with the same rows, the same coverage and the same stop probability.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from tui.core.wire.normalise import is_zero_width
from tui.core.wire.records import Scope, TokenRecord

DEFAULT_LOW_PROB_THRESHOLD = 0.1
"""τ for ``low_prob_count``: tokens the model gave less than a 10 % chance."""

_LN10 = math.log(10.0)


@dataclass(frozen=True, slots=True)
class Metrics:
    """Confidence statistics of one scope of one answer (see the module docstring)."""

    tokens: int
    unknown: int
    sum_logprob: float | None
    mean_logprob: float | None
    mean_prob: float | None
    joint_prob: float | None
    joint_log10: float | None
    perplexity: float | None
    arithmetic_mean_prob: float | None
    min_prob: float | None
    min_prob_index: int | None
    low_prob_count: int
    low_prob_threshold: float
    mean_entropy: float | None
    mean_residual_mass: float | None
    rows_received: int
    completion_tokens: int | None
    coverage: float | None
    stop_logprob: float | None = None

    @property
    def stop_prob(self) -> float | None:
        """exp(stop_logprob): how likely the model was to end the answer where it did."""
        return None if self.stop_logprob is None else math.exp(self.stop_logprob)

    @property
    def known(self) -> int:
        """N: rows of the scope with a usable logprob."""
        return self.tokens - self.unknown

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metrics:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


class MetricsAccumulator:
    """Running sums, updated in O(1) per row, so live stats never rescan an answer.

    :func:`compute_metrics` is this accumulator run over a list, so live and final numbers are
    the same floats, added in the same order.
    """

    __slots__ = (
        "_entropy_sum",
        "_low",
        "_min_index",
        "_min_lp",
        "_n",
        "_prob_sum",
        "_residual_sum",
        "_rows",
        "_rows_all",
        "_scopes",
        "_stop",
        "_sum",
        "_topk_rows",
        "threshold",
    )

    def __init__(
        self,
        scopes: Iterable[Scope] = ("answer",),
        threshold: float = DEFAULT_LOW_PROB_THRESHOLD,
    ) -> None:
        self._scopes = frozenset(scopes)
        self.threshold = threshold
        self._rows = 0
        self._rows_all = 0
        self._n = 0
        self._sum = 0.0
        self._prob_sum = 0.0
        self._min_lp = math.inf
        self._min_index: int | None = None
        self._low = 0
        self._entropy_sum = 0.0
        self._residual_sum = 0.0
        self._topk_rows = 0
        self._stop: float | None = None

    def add(self, row: TokenRecord) -> None:
        self._rows_all += 1
        if row.scope not in self._scopes:
            # Only the last row can be the end token: a later row resets it.
            self._stop = row.logprob if is_zero_width(row) else None
            return
        self._stop = None
        self._rows += 1
        lp = row.logprob
        if lp is not None:
            self._n += 1
            self._sum += lp
            p = math.exp(lp)
            self._prob_sum += p
            if lp < self._min_lp:
                self._min_lp = lp
                self._min_index = row.index
            if p < self.threshold:
                self._low += 1
        if row.top_count:
            self._topk_rows += 1
            self._entropy_sum += row.top_entropy or 0.0
            self._residual_sum += max(0.0, 1.0 - row.top_mass)

    def add_all(self, rows: Iterable[TokenRecord]) -> None:
        for row in rows:
            self.add(row)

    def snapshot(self, completion_tokens: int | None = None) -> Metrics:
        n = self._n
        mean = self._sum / n if n else None
        coverage = None
        if completion_tokens:
            coverage = self._rows_all / completion_tokens
        return Metrics(
            tokens=self._rows,
            unknown=self._rows - n,
            sum_logprob=self._sum if n else None,
            mean_logprob=mean,
            mean_prob=math.exp(mean) if mean is not None else None,
            joint_prob=math.exp(self._sum) if n else None,
            joint_log10=self._sum / _LN10 if n else None,
            perplexity=_safe_exp(-mean) if mean is not None else None,
            arithmetic_mean_prob=self._prob_sum / n if n else None,
            min_prob=math.exp(self._min_lp) if n else None,
            min_prob_index=self._min_index,
            low_prob_count=self._low,
            low_prob_threshold=self.threshold,
            mean_entropy=self._entropy_sum / self._topk_rows if self._topk_rows else None,
            mean_residual_mass=(self._residual_sum / self._topk_rows if self._topk_rows else None),
            rows_received=self._rows_all,
            completion_tokens=completion_tokens,
            coverage=coverage,
            stop_logprob=self._stop,
        )


def _safe_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def compute_metrics(
    rows: Iterable[TokenRecord],
    *,
    scopes: Iterable[Scope] = ("answer",),
    completion_tokens: int | None = None,
    threshold: float = DEFAULT_LOW_PROB_THRESHOLD,
) -> Metrics:
    """Metrics of the rows in ``scopes`` (default: the answer only); see the module docstring.

    ``completion_tokens`` (from the server's usage) enables ``coverage``, which counts rows of
    every scope.
    """
    acc = MetricsAccumulator(scopes, threshold)
    acc.add_all(rows)
    return acc.snapshot(completion_tokens)
