"""A comparison's numbers and words, the same on every surface (the CLI table, the TUI compare
screen, copied text): one place decides how an interval, a difference or a failed sample reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.compare.aggregate import CompareResult, PromptAggregate
from tui.core.compare.samples import Sample
from tui.core.report import (
    FINISH_CUT_CONTEXT,
    FINISH_CUT_MAX_TOKENS,
    finish_label,
    fmt_num,
    fmt_prob,
)
from tui.core.safety import safe_line
from tui.core.stats import Difference, Summary

MISSING = "–"
FAILED = "✗"
CUT = "✂"
"""Marks a sample whose answer was cut (``max_tokens`` or a full context)."""


def run_heading(result: CompareResult, backend_name: str) -> str:
    """ "2 prompts × 5 samples · <model> · temperature 0.7 · max_tokens 512 · seeds 100…104"."""
    plan = result.plan
    k = len(plan.prompts)
    s = plan.sampling
    head = [
        f"{k} prompt{'s' if k != 1 else ''} × {plan.samples} sample"
        f"{'s' if plan.samples != 1 else ''}",
        safe_line(backend_name),
        f"temperature {s.temperature:g}",
        f"max_tokens {s.max_tokens}",
    ]
    if s.repeat_penalty is not None:
        head.append(f"repeat_penalty {s.repeat_penalty:g}")
    if s.seed is not None:
        head.append(
            f"seed {s.seed}" if plan.samples == 1 else f"seeds {s.seed}…{s.seed + plan.samples - 1}"
        )
    return " · ".join(head)


def mean_with_interval(summary: Summary, digits: int = 3) -> str:
    """ "-0.812 ± 0.071" (± = half-width of the 95 % interval); "-0.812 (n=1)" with one sample;
    "-0.812 (all equal)" when every sample gave the same value; "–" without samples."""
    if summary.mean is None:
        return MISSING
    value = f"{summary.mean:.{digits}f}"
    if summary.half_width is not None:
        return f"{value} ± {summary.half_width:.{digits}f}"
    if summary.identical:
        return f"{value} (all equal)"
    if summary.n == 1:
        return f"{value} (n=1)"
    return value


def metric_cell(metric: str, summary: Summary) -> str:
    """A metric's mean for a table cell: mean logprob with its interval, probabilities as
    percentages, perplexity with 2 decimals, token counts with 1."""
    if metric == "mean_logprob":
        return mean_with_interval(summary)
    if summary.mean is None:
        return MISSING
    if metric in ("mean_prob", "min_prob"):
        return fmt_prob(summary.mean)
    if metric == "perplexity":
        return fmt_num(summary.mean, 2)
    return f"{summary.mean:.1f}"


def difference_text(difference: Difference | None, metric: str) -> str:
    """ "+0.121 [-0.538, +0.780]" for mean logprob (nats/token), "+6.7 pp [-24.4, +37.7]" for
    mean prob (percentage points); the interval only when there is one."""
    if difference is None or difference.diff is None:
        return MISSING
    scale, unit, digits = (100.0, " pp", 1) if metric == "mean_prob" else (1.0, "", 3)
    text = f"{difference.diff * scale:+.{digits}f}{unit}"
    if difference.ci_low is not None and difference.ci_high is not None:
        text += (
            f" [{difference.ci_low * scale:+.{digits}f}, {difference.ci_high * scale:+.{digits}f}]"
        )
    return text


def sample_cell(sample: Sample, metric: str = "mean_logprob", max_tokens: int | None = None) -> str:
    """One sample's value: "✗" failed, "–" not finished or without logprobs; "✂" after the
    value of an answer that was cut (:func:`sample_cut`)."""
    if sample.status == "error":
        return FAILED
    value = sample.values.get(metric)
    if value is None:
        return MISSING
    return f"{value:.3f}" + (CUT if sample_cut(sample, max_tokens) else "")


def sample_cut(sample: Sample, max_tokens: int | None = None) -> str | None:
    """ "cut: max_tokens" / "cut: context full" for a sample whose answer was cut, else None."""
    if not sample.ok or sample.answer is None:
        return None
    label = finish_label(sample.answer, max_tokens)
    return label if label in (FINISH_CUT_MAX_TOKENS, FINISH_CUT_CONTEXT) else None


def prompt_covers(prompt: PromptAggregate) -> str | None:
    """ "covers 540 of 960 tokens" when a prompt's numbers leave tokens out (summed over its
    successful samples), else ``None`` (the same words as ``report.coverage_words``)."""
    total = prompt.completion_tokens
    if not total or prompt.rows_received >= total:
        return None
    return f"covers {prompt.rows_received} of {total} tokens"


def shows_same_seed(result: CompareResult) -> bool:
    """Whether the same-seed (paired) line is worth showing: a seeded run of 2+ samples (with
    one sample per prompt it is the plain difference again)."""
    plan = result.plan
    return plan.sampling.seed is not None and plan.samples >= 2 and len(plan.prompts) > 1


@dataclass(frozen=True, slots=True)
class DifferenceRow:
    """One line of the differences from the first prompt: ``label`` is the prompt's (on its
    first line only), ``name`` the measure ("mean logprob", "mean prob", "same seed")."""

    label: str
    name: str
    value: str
    verdict: str | None
    prompt_index: int


def difference_rows(result: CompareResult) -> list[DifferenceRow]:
    """Each later prompt against the first: mean logprob (Welch), its same-seed line when
    :func:`shows_same_seed`, then mean prob; values from :func:`difference_text`."""
    rows: list[DifferenceRow] = []
    same_seed = shows_same_seed(result)
    for p in result.prompts[1:]:
        for j, pair in enumerate(result.pairwise_for(p.index)):
            label = p.label if j == 0 else ""
            value = difference_text(pair.difference, pair.metric)
            if pair.metric == "mean_prob":
                rows.append(DifferenceRow(label, "mean prob", value, pair.verdict_text, p.index))
                continue
            rows.append(DifferenceRow(label, "mean logprob", value, pair.verdict_text, p.index))
            if pair.paired is not None and same_seed:
                value = difference_text(pair.paired, pair.metric)
                rows.append(
                    DifferenceRow("", "same seed", value, pair.paired_verdict_text, p.index)
                )
    return rows


def difference_heading(result: CompareResult) -> str:
    base = result.prompts[0].label
    return f"Difference from {base} (the first prompt): prompt − {base}, 95% Welch interval"


def reading_text(result: CompareResult) -> str:
    """How to read the table and the differences (one paragraph)."""
    text = (
        "How to read: a mean logprob closer to 0 (a higher mean prob, a lower perplexity) means "
        "the model was more confident. Each value is the mean over a prompt's successful "
        "samples; ± is the half-width of its 95% confidence interval (Student t, n−1 df); "
        "* marks the most confident prompt on a column, which is not necessarily beyond noise. "
        "A difference is larger than run-to-run noise when its 95% interval excludes 0."
    )
    if shows_same_seed(result):
        text += (
            ' "same seed" compares sample i of both prompts (same seed) pair by pair: on '
            "servers that honour seeds this removes the randomness both share, which often makes "
            "its interval narrower; the Welch line above it does not rely on seeds."
        )
    return text
