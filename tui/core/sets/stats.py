"""Paired statistics of a question set: is prompt B more confident than the baseline A
across questions?

Per question j and prompt k, the *question value* m_kj of a metric is the mean over that
question's successful results under prompt k (the N samples' values; in score mode the one
score's). ``mean_logprob`` is in nats/token, ``mean_prob`` = exp(mean logprob) per result,
0..1 (averaged per result, so the prompt's mean prob is not exp of its mean logprob).

Per prompt: the mean over questions of m_kj (over the questions that have a value).

Against the baseline (the first prompt), paired by question: d_j = m_kj − m_0j over the m
questions where both prompts have a value, and the 95 % t interval on the paired differences

    d̄ ± t₀.₉₇₅,ₘ₋₁ · s_d / √m,   s_d = √( Σ (d_j − d̄)² / (m − 1) )

(:func:`tui.core.stats.paired`). Pairing removes the between-question variance (some
questions are easy under every prompt), which is most of it. In sampled mode m_kj carries
sampling noise too; the interval includes it, since it is part of each d_j's spread.

Wins, ties, losses by question: prompt k *wins* question j when d_j > τ, *loses* when
d_j < −τ, *ties* otherwise, with the tie tolerance τ of :data:`TIE_TOLERANCE` (0.01
nats/token for mean logprob, 0.001 for mean prob): closer than that is no difference a
reader could act on. Questions where either prompt has no value count in none of the three.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from tui.core.compare.plan import PromptSpec
from tui.core.sets.plan import SetPlan
from tui.core.sets.results import SetResult
from tui.core.stats import CONFIDENCE, Difference, paired

SET_METRICS = ("mean_logprob", "mean_prob")
"""Metrics summarised per question and compared against the baseline."""

TIE_TOLERANCE: dict[str, float] = {"mean_logprob": 0.01, "mean_prob": 0.001}
"""τ per metric (see the module docstring): |d_j| ≤ τ is a tie."""

SetVerdict = Literal["higher", "lower", "no_difference", "no_spread", "too_few"]

SET_VERDICT_TEXT: dict[str, str] = {
    "higher": "more confident than the baseline across questions",
    "lower": "less confident than the baseline across questions",
    "no_difference": "no difference shown (the interval contains 0)",
    "no_spread": "the same difference on every question (no interval)",
    "too_few": "too few questions to judge (needs 2 answered under both)",
}


@dataclass(frozen=True, slots=True)
class PromptSummary:
    """One prompt over the set: ``questions`` with a value, their mean ``values`` per metric
    (``None`` without any), ``ok``/``failed`` results."""

    index: int
    prompt: PromptSpec
    questions: int
    values: dict[str, float | None]
    ok: int
    failed: int

    @property
    def label(self) -> str:
        return self.prompt.label


@dataclass(frozen=True, slots=True)
class PairedComparison:
    """A prompt against the baseline on one metric, paired by question (module docstring)."""

    prompt_index: int
    label: str
    metric: str
    difference: Difference
    wins: int
    ties: int
    losses: int
    verdict: SetVerdict
    tolerance: float

    @property
    def verdict_text(self) -> str:
        return SET_VERDICT_TEXT[self.verdict]


@dataclass(frozen=True, slots=True)
class SetSummary:
    """A question set's results read together. ``table[j][k]`` is question j's value of
    ``mean_logprob`` under prompt k (``cells`` has every metric: ``cells[metric][j][k]``)."""

    plan: SetPlan
    prompts: tuple[PromptSummary, ...]
    paired: tuple[PairedComparison, ...]
    cells: dict[str, tuple[tuple[float | None, ...], ...]]
    done: int
    failed: int
    confidence: float = CONFIDENCE

    @property
    def table(self) -> tuple[tuple[float | None, ...], ...]:
        return self.cells["mean_logprob"]

    @property
    def complete(self) -> bool:
        return self.done == self.plan.total

    def paired_for(self, prompt_index: int, metric: str = "mean_logprob") -> PairedComparison:
        return next(p for p in self.paired if p.prompt_index == prompt_index and p.metric == metric)

    def differences(self, prompt_index: int, metric: str = "mean_logprob") -> list[float]:
        """d_j of prompt ``prompt_index`` against the baseline, question by question (the
        questions where both have a value)."""
        return [d for d in _differences(self.cells[metric], prompt_index) if d is not None]


def question_values(
    plan: SetPlan, results: Iterable[SetResult], metric: str
) -> tuple[tuple[float | None, ...], ...]:
    """m_kj for every question j (rows) and prompt k (columns): the mean of the finite
    values of the successful results; ``None`` where there is none."""
    k_count, m_count = len(plan.prompts), len(plan.questions)
    sums = [[0.0] * k_count for _ in range(m_count)]
    counts = [[0] * k_count for _ in range(m_count)]
    for r in results:
        value = r.values.get(metric) if r.ok else None
        if value is not None and math.isfinite(value):
            sums[r.question][r.prompt] += value
            counts[r.question][r.prompt] += 1
    return tuple(
        tuple(s / c if c else None for s, c in zip(row_sums, row_counts, strict=True))
        for row_sums, row_counts in zip(sums, counts, strict=True)
    )


def summarise_set(plan: SetPlan, results: Sequence[SetResult]) -> SetSummary:
    """Per-prompt means, paired differences to the baseline and wins/ties/losses for the
    ``results`` so far (any subset: a run still going, or stopped)."""
    cells = {metric: question_values(plan, results, metric) for metric in SET_METRICS}
    prompts = tuple(
        _prompt_summary(k, prompt, cells, results) for k, prompt in enumerate(plan.prompts)
    )
    pairs = tuple(
        paired_comparison(k, plan.prompts[k].label, metric, cells[metric])
        for k in range(1, len(plan.prompts))
        for metric in SET_METRICS
    )
    failed = sum(1 for r in results if not r.ok)
    return SetSummary(plan, prompts, pairs, cells, len(results), failed)


def paired_comparison(
    k: int, label: str, metric: str, table: Sequence[Sequence[float | None]]
) -> PairedComparison:
    """Prompt ``k`` against prompt 0 on ``metric``, from the question values ``table``."""
    tolerance = TIE_TOLERANCE[metric]
    pairs = [(row[0], row[k]) for row in table]
    difference = paired(pairs)
    diffs = [d for d in _differences(table, k) if d is not None]
    wins = sum(1 for d in diffs if d > tolerance)
    losses = sum(1 for d in diffs if d < -tolerance)
    return PairedComparison(
        k,
        label,
        metric,
        difference,
        wins,
        len(diffs) - wins - losses,
        losses,
        _verdict(difference),
        tolerance,
    )


def _differences(table: Sequence[Sequence[float | None]], k: int) -> list[float | None]:
    out: list[float | None] = []
    for row in table:
        base, value = row[0], row[k]
        out.append(None if base is None or value is None else value - base)
    return out


def _verdict(difference: Difference) -> SetVerdict:
    if difference.diff is None or difference.n_a < 2:
        return "too_few"
    if not difference.has_interval:
        return "no_spread"
    if difference.excludes_zero:
        return "higher" if difference.diff > 0 else "lower"
    return "no_difference"


def _prompt_summary(
    k: int,
    prompt: PromptSpec,
    cells: dict[str, tuple[tuple[float | None, ...], ...]],
    results: Sequence[SetResult],
) -> PromptSummary:
    values: dict[str, float | None] = {}
    answered = 0
    for metric, table in cells.items():
        column = [row[k] for row in table if row[k] is not None]
        values[metric] = math.fsum(column) / len(column) if column else None  # type: ignore[arg-type]
        if metric == "mean_logprob":
            answered = len(column)
    mine = [r for r in results if r.prompt == k]
    ok = sum(1 for r in mine if r.ok)
    return PromptSummary(k, prompt, answered, values, ok, len(mine) - ok)
