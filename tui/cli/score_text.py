"""``logprob-chat score``'s text: the table of one answer under each prompt, fitted to the
terminal's width, and the lines around it.

The table's data and cells come from :mod:`tui.core.score.table` (``COLUMNS``,
``table_cells``); this only lays them out: cells padded by terminal cells (Japanese labels
take two per character), two spaces between columns. When the table is wider than the
terminal, columns go in the order of their ``keep`` (least wanted first: lowest token,
perplexity, tokens…), then the prompt labels are cut with "…". A shared table-fitting
function for every CLI table can replace :func:`fit_table` without touching the data.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from tui.core.compare.cells import cell_width, fit_cells, pad_cells
from tui.core.safety import safe_line
from tui.core.score.run import ScorePlan
from tui.core.score.table import (
    COLUMNS,
    Column,
    ScoreRow,
    columns_that_fit,
    notes,
    table_cells,
)

GAP = "  "
MIN_LABEL = 8


def fit_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Lines of the table (heading first) no wider than ``width`` cells where possible: the
    columns that fit (:func:`~tui.core.score.table.columns_that_fit`), then the prompt
    labels cut with "…" if that is still too wide."""
    everything = [[col.heading for col in columns], *rows]
    kept = columns_that_fit(columns, rows, width, len(GAP))
    sizes = [max(cell_width(row[c]) for row in everything) for c in kept]
    over = sum(sizes) + len(GAP) * (len(sizes) - 1) - width
    if over > 0:
        sizes[0] = max(MIN_LABEL, cell_width(columns[0].heading), sizes[0] - over)
    lines = []
    for row in everything:
        cells = [
            pad_cells(fit_cells(row[c], sizes[k]), sizes[k], right=columns[c].right)
            for k, c in enumerate(kept)
        ]
        lines.append(GAP.join(cells).rstrip())
    return lines


def render(
    plan: ScorePlan, rows: Sequence[ScoreRow], *, method: str | None, backend: str, width: int
) -> str:
    """The whole report: heading, question and answer, the table, notes, how to read it."""
    answer = safe_line(plan.answer)
    lines = [
        f"Score of a given answer · {safe_line(backend)} · method: {method or '–'}",
        f"Question: {fit_cells(safe_line(plan.question), max(20, width - 10))}",
        f"Answer:   {fit_cells(answer, max(20, width - 10))}"
        + (f"  ({len(plan.answer)} characters)" if cell_width(answer) > width - 10 else ""),
        "",
        *fit_table(COLUMNS, table_cells(rows), width),
    ]
    extra = notes(rows)
    if extra:
        lines.append("")
        lines += [f"Note: {n}" for n in extra]
    lines.append("")
    lines += textwrap.wrap(
        "Σ logprob = ln P(answer | prompt) in nats, the end token apart (stop prob). "
        "Δ = Σ − Σ of the first prompt: +0.69 means the answer is twice as likely under that "
        "prompt, −0.69 half as likely.",
        max(40, min(width, 100)),
    )
    return "\n".join(lines) + "\n"
