"""A question set's tables as text cells, shared by the CLI report and the set screen:
the per-prompt summary and the per-question rows, and the orders a person sorts them by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from tui.core.safety import safe_line
from tui.core.sets.stats import SetSummary

SUMMARY_HEADINGS = (
    "prompt",
    "questions",
    "mean logprob",
    "mean prob",
    "Δ vs base",
    "95% CI (paired)",
    "win/tie/loss",
)


def number(value: float | None, places: int = 3, *, sign: bool = False) -> str:
    """``-1.234``, ``+0.017`` with ``sign``, ``–`` for no value."""
    if value is None:
        return "–"
    return f"{value:+.{places}f}" if sign else f"{value:.{places}f}"


def interval(low: float | None, high: float | None) -> str:
    """``[-0.061, +0.094]``, or "" without an interval."""
    if low is None or high is None:
        return ""
    return f"[{number(low, sign=True)}, {number(high, sign=True)}]"


def summary_cells(summary: SetSummary) -> list[list[str]]:
    """One row per prompt, in :data:`SUMMARY_HEADINGS` order (the baseline's Δ reads
    "base")."""
    rows = []
    for p in summary.prompts:
        row = [
            safe_line(p.label),
            str(p.questions),
            number(p.values["mean_logprob"]),
            number(p.values["mean_prob"]),
        ]
        if p.index == 0:
            row += ["base", "", ""]
        else:
            paired = summary.paired_for(p.index)
            d = paired.difference
            row += [
                number(d.diff, sign=True),
                interval(d.ci_low, d.ci_high),
                f"{paired.wins}/{paired.ties}/{paired.losses}",
            ]
        rows.append(row)
    return rows


def verdict_sentences(summary: SetSummary) -> list[str]:
    """One sentence per prompt against the baseline: who wins on how many questions, the
    mean difference and its paired interval, and what that says."""
    if len(summary.prompts) < 2:
        return []
    base = safe_line(summary.prompts[0].label)
    sentences = []
    for p in summary.prompts[1:]:
        paired = summary.paired_for(p.index)
        d = paired.difference
        said = (
            f"{safe_line(p.label)} vs {base}: wins {paired.wins}, ties {paired.ties}, loses "
            f"{paired.losses} of {d.n_a} questions; mean difference "
            f"{number(d.diff, sign=True)} nats/token"
        )
        if d.has_interval:
            said += f", 95% CI {interval(d.ci_low, d.ci_high)}"
        sentences.append(said + f": {paired.verdict_text}.")
    return sentences


SortKey = Literal["order", "question", "value", "difference"]
SORT_KEYS: tuple[SortKey, ...] = ("order", "question", "value", "difference")
SORT_TEXT = {
    "order": "file order",
    "question": "question text",
    "value": "mean logprob under the prompt",
    "difference": "difference to the baseline",
}


def question_order(
    summary: SetSummary, key: SortKey, prompt: int = 0, *, descending: bool = False
) -> list[int]:
    """Question positions sorted by ``key``: file order, the question's text, its mean
    logprob under ``prompt``, or that prompt's difference to the baseline. Questions
    without a value go last whichever the direction (they have nothing to rank by)."""
    plan = summary.plan
    positions = list(range(len(plan.questions)))
    if key == "order":
        return positions[::-1] if descending else positions
    if key == "question":
        return sorted(
            positions, key=lambda j: plan.questions[j].question.casefold(), reverse=descending
        )
    table = summary.table

    def value(j: int) -> float | None:
        row = table[j]
        if key == "value":
            return row[prompt]
        if row[prompt] is None or row[0] is None:
            return None
        return row[prompt] - row[0]  # type: ignore[operator]

    known = [j for j in positions if value(j) is not None]
    missing = [j for j in positions if value(j) is None]
    known.sort(key=lambda j: value(j), reverse=descending)  # type: ignore[arg-type, return-value]
    return known + missing


def question_cells(summary: SetSummary, j: int) -> list[str]:
    """Question ``j``'s row: id, question (one line), the mean logprob under each prompt
    with ``*`` on the highest of the row."""
    plan = summary.plan
    row = summary.table[j]
    known = [v for v in row if v is not None]
    best = max(known) if len(known) > 1 else None
    cells = [safe_line(plan.questions[j].id), safe_line(plan.questions[j].question)]
    for value in row:
        mark = "*" if best is not None and value == best else ""
        cells.append(number(value) + mark)
    return cells


__all__: Sequence[str] = [
    "SORT_KEYS",
    "SUMMARY_HEADINGS",
    "interval",
    "number",
    "question_cells",
    "question_order",
    "summary_cells",
    "verdict_sentences",
]
