"""The numbers of one answer under each prompt, as data (:class:`ScoreRow`) and as the cells
of a table (:data:`COLUMNS`, :func:`table_cells`), apart from any rendering: the command
line pads them into text, the TUI puts them in a data table.

Per prompt, over the answer's N scored tokens with logprobs lᵢ (natural log):

* ``tokens`` N; ``sum_logprob`` Σ lᵢ = ln P(answer | prompt) (nats); ``mean_logprob`` Σ/N;
  ``mean_prob`` exp(mean) (the geometric mean token probability); ``perplexity`` exp(−mean);
* ``lowest``: the least likely token, its probability and 1-based number;
* ``stop_prob``: P(end token right after the answer), never among the N;
* ``difference``: Σ lᵢ under this prompt − Σ lᵢ under the first (nats): ln of how many times
  likelier the whole answer is under this prompt (+0.69 = twice as likely).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tui.core.compare.cells import cell_width
from tui.core.report import coverage_words, fmt_num, fmt_prob, token_number
from tui.core.safety import safe_line
from tui.core.score.run import ScoreEntry


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One prompt's numbers (``None``: not known: failed, cancelled, no logprob)."""

    index: int
    label: str
    status: str
    error: str | None
    tokens: int | None = None
    sum_logprob: float | None = None
    mean_logprob: float | None = None
    mean_prob: float | None = None
    perplexity: float | None = None
    lowest_prob: float | None = None
    lowest_number: int | None = None
    lowest_text: str | None = None
    stop_prob: float | None = None
    difference: float | None = None
    covers: str | None = None


def score_rows(entries: Sequence[ScoreEntry]) -> list[ScoreRow]:
    """One row per entry, the difference taken against the first entry."""
    base = entries[0].score.metrics.sum_logprob if entries and entries[0].score else None
    rows = []
    for entry in entries:
        score = entry.score
        if score is None:
            rows.append(ScoreRow(entry.index, entry.label, entry.status, entry.error))
            continue
        m = score.metrics
        lowest = None
        if m.min_prob_index is not None:
            lowest = next((t for t in score.answer.tokens if t.index == m.min_prob_index), None)
        difference = None
        if base is not None and m.sum_logprob is not None:
            difference = m.sum_logprob - base
        rows.append(
            ScoreRow(
                entry.index,
                entry.label,
                entry.status,
                entry.error,
                tokens=m.tokens,
                sum_logprob=m.sum_logprob,
                mean_logprob=m.mean_logprob,
                mean_prob=m.mean_prob,
                perplexity=m.perplexity,
                lowest_prob=m.min_prob,
                lowest_number=None if lowest is None else token_number(lowest.index),
                lowest_text=None if lowest is None else lowest.text or lowest.token,
                stop_prob=m.stop_prob,
                difference=difference,
                covers=coverage_words(m),
            )
        )
    return rows


def fmt_difference(value: float | None, index: int) -> str:
    """ "+1.234" / "−0.500" nats; "base" for the first prompt."""
    if index == 0:
        return "base"
    if value is None:
        return "–"
    if value == 0:
        return "0.000"
    return ("+" if value > 0 else "−") + fmt_num(abs(value))


def fmt_lowest(row: ScoreRow) -> str:
    """ "3.1% #4 'Tokyo'" (the token's text made one safe line, cut to 12 characters)."""
    if row.lowest_prob is None:
        return "–"
    text = safe_line(row.lowest_text or "").strip()
    if len(text) > 12:
        text = text[:11] + "…"
    return (
        f"{fmt_prob(row.lowest_prob)} #{row.lowest_number} {text!r}"
        if text
        else fmt_prob(row.lowest_prob)
    )


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the table: heading, how a row reads in it, right-aligned or not, and
    ``keep`` (higher stays longer when the table must lose columns to fit a width)."""

    heading: str
    cell: Callable[[ScoreRow], str]
    right: bool = True
    keep: int = 1


def _numbers(row: ScoreRow, value: float | None) -> str:
    if row.status != "ok":
        return "✗" if row.status == "error" else "–"
    return fmt_num(value)


COLUMNS: tuple[Column, ...] = (
    Column("prompt", lambda r: safe_line(r.label), right=False, keep=9),
    Column("tokens", lambda r: "–" if r.tokens is None else str(r.tokens), keep=3),
    Column("Σ logprob", lambda r: _numbers(r, r.sum_logprob), keep=8),
    Column("mean logprob", lambda r: _numbers(r, r.mean_logprob), keep=4),
    Column("mean prob", lambda r: fmt_prob(r.mean_prob) if r.status == "ok" else "–", keep=6),
    Column("perplexity", lambda r: _numbers(r, r.perplexity), keep=2),
    Column("lowest token", fmt_lowest, right=False, keep=1),
    Column("stop prob", lambda r: fmt_prob(r.stop_prob) if r.status == "ok" else "–", keep=5),
    Column("Δ nats vs first", lambda r: fmt_difference(r.difference, r.index), keep=7),
)
"""The table's columns, in order (a column added here shows in the CLI and the TUI)."""


def table_cells(rows: Sequence[ScoreRow]) -> list[list[str]]:
    """The cells of every row, in :data:`COLUMNS` order."""
    return [[column.cell(row) for column in COLUMNS] for row in rows]


def columns_that_fit(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int, gap: int = 2
) -> list[int]:
    """The columns (their positions) that fit in ``width`` cells, ``gap`` cells between two:
    all when they fit, else the least wanted go first (lowest ``keep``), down to three."""
    sizes = [
        max(cell_width(text) for text in [column.heading, *(row[c] for row in rows)])
        for c, column in enumerate(columns)
    ]
    kept = list(range(len(columns)))
    while sum(sizes[c] for c in kept) + gap * (len(kept) - 1) > width and len(kept) > 3:
        kept.remove(min(kept[1:], key=lambda c: columns[c].keep))
    return kept


def notes(rows: Sequence[ScoreRow]) -> list[str]:
    """What the table cannot say in a cell: failures and coverage, one line each."""
    out = []
    for row in rows:
        if row.error:
            out.append(f"{safe_line(row.label)}: {safe_line(row.error)}")
        elif row.covers:
            out.append(f"{safe_line(row.label)}: the numbers {row.covers}")
    return out


def times_as_likely(difference: float) -> float:
    """exp(Δ): how many times likelier the answer is under the prompt than under the first."""
    return math.exp(difference)
