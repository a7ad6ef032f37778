"""Aggregate a comparison's samples: per prompt, and each prompt against the first.

Per prompt and metric (see :func:`tui.core.compare.samples.sample_values`): n, mean, sd and a
95 % Student-t interval over the *successful* samples (:func:`tui.core.stats.summarise`).
Each value is computed per sample first, then averaged over samples: the "mean prob" of a
prompt is the mean over samples of exp(sample's mean logprob), which is not exp(mean of the
mean logprobs) (Jensen); both are reported as the per-sample means they are.

Against the first prompt (the baseline), for ``mean_logprob`` and ``mean_prob``: the difference
of means (prompt − baseline) with Welch's 95 % interval (:func:`tui.core.stats.welch`) and a
verdict: the difference is *larger than run-to-run noise* when the interval excludes 0, and
*within noise* when it contains 0. Seeded runs also get the paired interval over same-seed
samples (:func:`tui.core.stats.paired`), see :class:`Pairwise`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tui.core.compare.plan import ComparePlan, PromptSpec
from tui.core.compare.samples import METRIC_NAMES, Sample
from tui.core.report import FINISH_CUT_CONTEXT, FINISH_CUT_MAX_TOKENS, finish_label
from tui.core.stats import CONFIDENCE, Difference, Summary, paired, summarise, welch


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: str
    label: str
    unit: str
    better: Literal["higher", "lower"] | None
    """Which direction means "more confident" (None: neither, e.g. answer length)."""
    column: str = ""
    """Its column's heading in the comparison tables (the CLI's and the compare screen's, both
    built from :data:`METRICS`); the label when empty."""

    @property
    def heading(self) -> str:
        return self.column or self.label


METRICS: dict[str, MetricSpec] = {
    "mean_logprob": MetricSpec(
        "mean_logprob", "mean logprob", "nats/token", "higher", "mean logprob ± 95% CI"
    ),
    "mean_prob": MetricSpec("mean_prob", "mean prob", "probability 0..1", "higher"),
    "perplexity": MetricSpec("perplexity", "perplexity", "", "lower"),
    "min_prob": MetricSpec("min_prob", "min prob", "probability 0..1", "higher"),
    "length": MetricSpec("length", "length", "tokens", None, "tokens"),
    "low_prob_count": MetricSpec(
        "low_prob_count", "low-prob tokens", "tokens", "lower", "low-prob"
    ),
}
"""Every per-sample metric a comparison aggregates, in table order: a new metric is one entry
here (with its name in ``METRIC_NAMES`` and its value in
:func:`~tui.core.compare.samples.sample_values`); the tables of the CLI and the compare
screen, the CSV columns and the best-value marks follow."""
assert tuple(METRICS) == METRIC_NAMES

PAIRWISE_METRICS = ("mean_logprob", "mean_prob")
"""Metrics compared against the baseline prompt."""

Verdict = Literal[
    "larger_than_noise", "within_noise", "exact", "no_variation", "too_few", "no_data"
]

VERDICT_TEXT: dict[str, str] = {
    "larger_than_noise": "larger than run-to-run noise",
    "within_noise": "within noise",
    "exact": "exact (deterministic decoding, no noise)",
    "no_variation": "no run-to-run variation seen, so noise cannot be judged",
    "too_few": "too few samples to judge (needs 2 or more per prompt)",
    "no_data": "no successful samples to compare",
}


def judge(difference: Difference, *, varied: bool, enough: bool, greedy: bool) -> Verdict:
    """What a difference says:

    * an interval exists: ``larger_than_noise`` when it excludes 0, else ``within_noise``;
    * temperature 0 (``greedy``) and nothing ``varied``: ``exact`` (no sampling noise);
    * ``enough`` samples (2+ per side) but nothing varied: ``no_variation``;
    * otherwise ``too_few`` (a side has a single sample), or ``no_data``.
    """
    if difference.diff is None:
        return "no_data"
    if difference.has_interval:
        return "larger_than_noise" if difference.excludes_zero else "within_noise"
    if greedy and not varied:
        return "exact"
    if enough:
        return "no_variation"
    return "too_few"


def welch_verdict(difference: Difference, a: Summary, b: Summary, greedy: bool) -> Verdict:
    varied = bool(a.sd) or bool(b.sd)
    return judge(difference, varied=varied, enough=a.n >= 2 and b.n >= 2, greedy=greedy)


def paired_verdict(difference: Difference, greedy: bool) -> Verdict:
    return judge(difference, varied=bool(difference.se), enough=difference.n_a >= 2, greedy=greedy)


@dataclass(frozen=True, slots=True)
class PromptAggregate:
    """One prompt's samples summarised. ``stats`` maps each metric name to its Summary.

    ``truncated`` counts the successful answers that were cut (``finish_reason`` length),
    ``cut_context`` those of them cut by a full context rather than ``max_tokens``.
    ``rows_received`` / ``completion_tokens``: logprob rows and the server's token counts
    summed over the successful answers that report usage (``None`` when none does): below
    1 when the numbers leave tokens out (:func:`tui.core.compare.format.prompt_covers`)."""

    index: int
    prompt: PromptSpec
    planned: int
    ok: int
    failed: int
    cancelled: int
    unfinished: int
    truncated: int
    without_logprobs: int
    stats: dict[str, Summary]
    cut_context: int = 0
    rows_received: int = 0
    completion_tokens: int | None = None

    @property
    def label(self) -> str:
        return self.prompt.label


@dataclass(frozen=True, slots=True)
class Pairwise:
    """A prompt against the baseline (the first prompt) on one metric: prompt − baseline.

    ``difference``/``verdict``: Welch, treating the two prompts' samples as independent (valid
    whatever the server does with seeds). ``paired``/``paired_verdict`` (seeded runs only):
    the mean of the per-seed differences, sample i against sample i. Samples that share a seed
    share much of their randomness on servers that honour seeds, so this interval is often far
    narrower; Welch ignores that shared part and is conservative for seeded runs.
    """

    prompt_index: int
    label: str
    baseline_label: str
    metric: str
    difference: Difference
    verdict: Verdict
    paired: Difference | None = None
    paired_verdict: Verdict | None = None

    @property
    def verdict_text(self) -> str:
        return VERDICT_TEXT[self.verdict]

    @property
    def paired_verdict_text(self) -> str | None:
        return VERDICT_TEXT[self.paired_verdict] if self.paired_verdict else None


@dataclass(frozen=True, slots=True)
class CompareResult:
    """Everything a comparison produced so far: samples, per-prompt aggregates, pairwise
    differences against the first prompt, and notes on how to read them."""

    plan: ComparePlan
    model: str
    samples: tuple[Sample, ...]
    prompts: tuple[PromptAggregate, ...]
    pairwise: tuple[Pairwise, ...]
    notes: tuple[str, ...]
    confidence: float = CONFIDENCE

    @property
    def finished(self) -> int:
        return sum(1 for s in self.samples if s.finished)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.samples if s.status == "error")

    @property
    def complete(self) -> bool:
        """Every request got an answer or an error (none cancelled or pending)."""
        return all(s.status in ("ok", "error") for s in self.samples)

    def samples_of(self, prompt_index: int) -> list[Sample]:
        return [s for s in self.samples if s.prompt_index == prompt_index]

    def pairwise_for(self, prompt_index: int) -> list[Pairwise]:
        return [p for p in self.pairwise if p.prompt_index == prompt_index]

    def best(self, metric: str) -> int | None:
        """Index of the prompt with the most confident mean on ``metric`` (None when the metric
        has no direction or fewer than two prompts have a value). Ties go to the first."""
        spec = METRICS[metric]
        if spec.better is None:
            return None
        scored = [
            (value, p.index) for p in self.prompts if (value := p.stats[metric].mean) is not None
        ]
        if len(scored) < 2:
            return None
        sign = 1.0 if spec.better == "higher" else -1.0
        best_value = max(sign * value for value, _ in scored)
        return next(index for value, index in scored if sign * value == best_value)


def aggregate(plan: ComparePlan, model: str, samples: Sequence[Sample]) -> CompareResult:
    """Summaries, differences and notes for ``samples`` (finished or not) of ``plan``."""
    prompts = tuple(
        _prompt_aggregate(
            k, prompt, [s for s in samples if s.prompt_index == k], plan.sampling.max_tokens
        )
        for k, prompt in enumerate(plan.prompts)
    )
    pairwise: list[Pairwise] = []
    seeded = plan.sampling.seed is not None
    if prompts:
        base = prompts[0]
        for other in prompts[1:]:
            for metric in PAIRWISE_METRICS:
                a, b = base.stats[metric], other.stats[metric]
                difference = welch(a, b)
                same_seed: Difference | None = None
                if seeded:
                    same_seed = paired(_pairs(samples, base.index, other.index, metric))
                pairwise.append(
                    Pairwise(
                        other.index,
                        other.label,
                        base.label,
                        metric,
                        difference,
                        welch_verdict(difference, a, b, plan.greedy),
                        same_seed,
                        paired_verdict(same_seed, plan.greedy) if same_seed else None,
                    )
                )
    return CompareResult(
        plan,
        model,
        tuple(samples),
        prompts,
        tuple(pairwise),
        tuple(_notes(plan, samples, prompts)),
    )


def _pairs(
    samples: Sequence[Sample], a: int, b: int, metric: str
) -> list[tuple[float | None, float | None]]:
    """(value of prompt a, value of prompt b) for each sample index both finished ok."""
    ok = {(s.prompt_index, s.index): s.values.get(metric) for s in samples if s.ok}
    indices = sorted({i for k, i in ok if k == a} & {i for k, i in ok if k == b})
    return [(ok[(a, i)], ok[(b, i)]) for i in indices]


_CUT = (FINISH_CUT_MAX_TOKENS, FINISH_CUT_CONTEXT)


def _prompt_aggregate(
    index: int, prompt: PromptSpec, samples: list[Sample], max_tokens: int | None = None
) -> PromptAggregate:
    ok = [s for s in samples if s.ok]
    stats = {name: summarise(s.values.get(name) for s in ok) for name in METRIC_NAMES}
    answers = [s.answer for s in ok if s.answer is not None]
    labels = [finish_label(a, max_tokens) for a in answers]
    counted = [a for a in answers if a.completion_tokens is not None]
    return PromptAggregate(
        index=index,
        prompt=prompt,
        planned=len(samples),
        ok=len(ok),
        failed=sum(1 for s in samples if s.status == "error"),
        cancelled=sum(1 for s in samples if s.status == "cancelled"),
        unfinished=sum(1 for s in samples if not s.finished),
        truncated=sum(1 for label in labels if label in _CUT),
        without_logprobs=sum(1 for s in ok if s.values.get("mean_logprob") is None),
        stats=stats,
        cut_context=labels.count(FINISH_CUT_CONTEXT),
        rows_received=sum(len(a.tokens) for a in counted),
        completion_tokens=sum(a.completion_tokens or 0 for a in counted) if counted else None,
    )


def _notes(
    plan: ComparePlan, samples: Sequence[Sample], prompts: Sequence[PromptAggregate]
) -> list[str]:
    """How to read this result: the deterministic / single-sample cases, and what went wrong."""
    notes: list[str] = []
    n = plan.samples
    seed = plan.sampling.seed
    if plan.greedy:
        seeded = f", seed {seed}" if seed is not None else ""
        varied = [p.label for p in prompts if p.stats["mean_logprob"].sd]
        if n == 1:
            notes.append(
                f"Deterministic run (temperature 0{seeded}): decoding is greedy, so one sample "
                "per prompt is the whole answer; differences are exact and no interval is shown."
            )
        elif varied:
            notes.append(
                f"Temperature 0{seeded}: the {n} samples of each prompt should be identical by "
                "construction (greedy decoding), yet those of " + ", ".join(varied) + " differ: "
                "this server is not bit-for-bit deterministic (prompt caching, batching, "
                "hardware), and the intervals measure that variation."
            )
        else:
            notes.append(
                f"Temperature 0{seeded}: the {n} samples of each prompt are identical by "
                "construction (greedy decoding), so their zero spread is not evidence about "
                "noise; one sample per prompt is enough."
            )
        if seed is None:
            notes.append("No seed was given: servers that sample despite temperature 0 may vary.")
    elif n == 1:
        notes.append(
            f"One sample per prompt at temperature {plan.sampling.temperature:g}: there is no "
            "estimate of run-to-run noise, so no interval and no verdict; use 5 or more samples."
        )
    elif seed is not None:
        notes.append(f"Sample i of every prompt used seed {seed} + i ({seed}…{seed + n - 1}).")
    failed = sum(1 for s in samples if s.status == "error")
    if failed:
        notes.append(
            f"{failed} of {len(samples)} samples failed; aggregates use the successful ones "
            "(n per prompt)."
        )
    cancelled = sum(1 for s in samples if s.status == "cancelled")
    if cancelled:
        notes.append(f"Stopped early: {cancelled} samples were cancelled.")
    without = sum(p.without_logprobs for p in prompts)
    if without:
        notes.append(
            f"{without} answers came back without logprobs: their confidence values are missing."
        )
    context = sum(p.cut_context for p in prompts)
    truncated = sum(p.truncated for p in prompts) - context
    if context:
        notes.append(
            f"{context} answers {FINISH_CUT_CONTEXT}: the conversation filled the context before "
            "they ended, which shifts their statistics."
        )
    if truncated:
        notes.append(
            f"{truncated} answers {FINISH_CUT_MAX_TOKENS} ({plan.sampling.max_tokens}): they "
            "are cut short, which shifts their statistics."
        )
    return notes
