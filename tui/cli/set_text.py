"""``logprob-chat compare --questions``'s text: which prompt wins on how many questions,
with the paired interval, then one row per question, fitted to the terminal's width.

The numbers come from :mod:`tui.core.sets.stats`; this only lays them out (cells padded by
terminal cells: Japanese takes two per character).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from tui.cli.score_text import fit_table
from tui.core.compare.cells import cell_width, fit_cells, pad_cells
from tui.core.safety import safe_line
from tui.core.score.table import Column
from tui.core.sets.stats import SetSummary
from tui.core.sets.table import (
    SUMMARY_HEADINGS,
    question_cells,
    summary_cells,
    verdict_sentences,
)

GAP = "  "
MIN_QUESTION = 12
VALUE_CELLS = 8


def _column(heading: str, *, right: bool = True, keep: int = 1) -> Column:
    return Column(heading, lambda _row: "", right=right, keep=keep)


KEEP = (9, 3, 8, 5, 7, 6, 8)
"""How long each summary column stays when the table must lose columns to fit (higher
stays longer): prompt, questions, mean logprob, mean prob, Δ, interval, win/tie/loss."""

SUMMARY_COLUMNS = tuple(
    _column(heading, right=k > 0, keep=KEEP[k]) for k, heading in enumerate(SUMMARY_HEADINGS)
)


def verdict_lines(summary: SetSummary, width: int) -> list[str]:
    """One sentence per prompt against the baseline, wrapped to ``width``."""
    lines = []
    for sentence in verdict_sentences(summary):
        lines += textwrap.wrap(sentence, width, subsequent_indent="  ")
    return lines


def question_lines(summary: SetSummary, width: int) -> list[str]:
    """The per-question table: id, question, then mean logprob under each prompt (``*`` on
    the highest of the row). Prompts that do not fit are left out, said below it."""
    plan = summary.plan
    labels = [safe_line(p.label) for p in plan.prompts]
    ids = [safe_line(q.id) for q in plan.questions]
    id_cells = max(cell_width("id"), *(cell_width(i) for i in ids))
    value_sizes = [max(VALUE_CELLS, min(cell_width(label), 16)) for label in labels]
    room = width - id_cells - len(GAP)
    shown = 0
    for size in value_sizes:
        if room - (size + len(GAP)) < MIN_QUESTION and shown >= 1:
            break
        room -= size + len(GAP)
        shown += 1
    question_size = max(MIN_QUESTION, room)
    heading = [
        pad_cells("id", id_cells),
        pad_cells("question", question_size),
        *(
            pad_cells(fit_cells(labels[k], value_sizes[k]), value_sizes[k], right=True)
            for k in range(shown)
        ),
    ]
    lines = [GAP.join(heading).rstrip()]
    for j in range(len(plan.questions)):
        ident, question, *values = question_cells(summary, j)
        cells = [
            pad_cells(ident, id_cells),
            pad_cells(fit_cells(question, question_size), question_size),
            # a value without the highest-mark keeps a space, so the numbers line up
            *(
                pad_cells(
                    values[k] if values[k].endswith("*") else values[k] + " ",
                    value_sizes[k],
                    right=True,
                )
                for k in range(shown)
            ),
        ]
        lines.append(GAP.join(cells).rstrip())
    if shown < len(labels):
        lines.append(
            f"(prompts {shown + 1}–{len(labels)} do not fit in {width} columns: "
            "--csv has every value)"
        )
    return lines


def render_set(summary: SetSummary, *, backend: str, width: int, comparison_id: int | None) -> str:
    """The whole report: heading, prompts, the summary, the verdicts, the questions."""
    plan = summary.plan
    width = max(40, width)
    what = "reference answers scored" if plan.mode == "score" else f"{plan.samples} samples each"
    heading = (
        f"Question set{f' {safe_line(plan.source)}' if plan.source else ''} · "
        f"{len(plan.questions)} questions × {len(plan.prompts)} prompts · {what} · "
        f"{safe_line(backend)}"
    )
    lines = textwrap.wrap(heading, width)
    if comparison_id is not None:
        lines.append(f"Kept in the history as comparison {comparison_id}.")
    if not summary.complete:
        lines.append(
            f"Incomplete: {summary.done} of {plan.total} requests done"
            + (f" (resume: logprob-chat compare --resume {comparison_id})" if comparison_id else "")
        )
    if summary.failed:
        lines.append(f"{summary.failed} requests failed (left out of the numbers).")
    lines.append("")
    lines += fit_table(SUMMARY_COLUMNS, summary_cells(summary), width)
    lines.append("")
    verdicts = verdict_lines(summary, width)
    if verdicts:
        lines += verdicts
        lines.append("")
    lines += textwrap.wrap(
        "Mean logprob per question (nats/token; * the highest of the row)", width
    )
    lines += question_lines(summary, width)
    lines.append("")
    lines += textwrap.wrap(
        "Each question's value is the mean logprob of its answer"
        + (" (the mean over its samples)" if plan.mode == "sample" else "")
        + "; Δ is the mean over questions of the difference to the first prompt, with a "
        "paired t interval; a difference within 0.01 nats/token counts as a tie.",
        width,
    )
    return "\n".join(lines) + "\n"


__all__: Sequence[str] = ["render_set"]
