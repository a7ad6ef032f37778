"""``logprob-chat compare --questions``'s text: which prompt wins on how many questions,
with the paired interval, then one row per question, fitted to the terminal's width by the
shared :func:`tui.core.table.fit_table` (wide characters take two cells; when the terminal
is narrow, headings take their short forms, text wraps, the least wanted columns go and are
named). On a pipe or in a file (``width`` ``None``) lines are kept whole.

The numbers and cells come from :mod:`tui.core.sets.stats` and :mod:`tui.core.sets.table`.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.core.safety import safe_line
from tui.core.sets.stats import SetSummary
from tui.core.sets.table import (
    SUMMARY_HEADINGS,
    question_cells,
    summary_cells,
    verdict_sentences,
)
from tui.core.table import Column, Table, fit_table, wrap_cells

READING_WIDTH = 100
SHORT = ("prompt", "n", "logprob", "prob", "Δ", "95% CI", "W/T/L")
"""Each summary heading's short form, for a narrow terminal."""
DROP = (0, 0, 0, 2, 0, 0, 1)
"""Which summary columns go first when even short headings do not fit: mean prob, then
win/tie/loss (the sentences under the table say them too)."""


def summary_table(summary: SetSummary, width: int | None) -> Table:
    columns = [
        Column(heading, right=k > 0, wrap=k == 0, min_cells=12, short=SHORT[k], drop=DROP[k])
        for k, heading in enumerate(SUMMARY_HEADINGS)
    ]
    return fit_table(columns, summary_cells(summary), width)


def question_table(summary: SetSummary, width: int | None) -> Table:
    """id, question, then the mean logprob under each prompt (``*`` on the highest of the
    row); prompts that do not fit go from the last one (and are named)."""
    prompts = summary.plan.prompts
    columns = [
        Column("id", wrap=True, min_cells=4),
        Column("question", wrap=True, min_cells=12),
        *(
            Column(safe_line(p.label), right=True, drop=len(prompts) - k if k else 0)
            for k, p in enumerate(prompts)
        ),
    ]
    rows = []
    for j in range(len(summary.plan.questions)):
        ident, question, *values = question_cells(summary, j)
        # a value without the highest-mark keeps a space, so the numbers line up
        rows.append([ident, question, *(v if v.endswith("*") else v + " " for v in values)])
    return fit_table(columns, rows, width)


def _line(text: str, width: int | None) -> list[str]:
    return [text] if width is None else wrap_cells(text, width)


def render_set(
    summary: SetSummary, *, backend: str, width: int | None, comparison_id: int | None
) -> str:
    """The whole report: heading, the summary, the verdicts, the questions, how to read it
    (``width`` terminal cells; ``None``: lines whole)."""
    plan = summary.plan
    prose = min(width or READING_WIDTH, READING_WIDTH)
    what = "reference answers scored" if plan.mode == "score" else f"{plan.samples} samples each"
    source = f" {safe_line(plan.source)}" if plan.source else ""
    lines = _line(
        f"Question set{source} · {len(plan.questions)} questions × {len(plan.prompts)} "
        f"prompts · {what} · {safe_line(backend)}",
        width,
    )
    if comparison_id is not None:
        lines.append(f"Kept in the history as comparison {comparison_id}.")
    if not summary.complete:
        resume = (
            f" (resume: logprob-chat compare --resume {comparison_id})" if comparison_id else ""
        )
        lines += _line(f"Incomplete: {summary.done} of {plan.total} requests done{resume}", width)
    if summary.failed:
        lines.append(f"{summary.failed} requests failed (left out of the numbers).")
    lines.append("")
    table = summary_table(summary, width)
    lines += table.lines
    if table.dropped:
        lines += _line(
            f"(left out for the terminal's width: {', '.join(table.dropped)}; "
            "--csv-summary has every column)",
            width,
        )
    lines.append("")
    for sentence in verdict_sentences(summary):
        lines += _line(sentence, prose)
    if len(plan.prompts) > 1:
        lines.append("")
    lines += _line("Mean logprob per question (nats/token; * the highest of the row)", width)
    questions = question_table(summary, width)
    lines += questions.lines
    if questions.dropped:
        lines += _line(
            f"(prompts left out for the terminal's width: "
            f"{', '.join(questions.dropped)}; --csv has every value)",
            width,
        )
    lines.append("")
    lines += _line(
        "Each question's value is the mean logprob of its answer"
        + (" (the mean over its samples)" if plan.mode == "sample" else "")
        + "; Δ is the mean over questions of the difference to the first prompt, with a "
        "paired t interval; a difference within 0.01 nats/token counts as a tie.",
        prose,
    )
    return "\n".join(lines) + "\n"


__all__: Sequence[str] = ["question_table", "render_set", "summary_table"]
