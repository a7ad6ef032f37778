"""What the compare screen shows, as plain strings: table cells, progress, the per-prompt
distribution, one line per sample. The words and numbers come from
:mod:`tui.core.compare.format`, so the screen says what ``logprob-chat compare`` prints.

Everything from the server or the user goes through ``safe_line`` here; the screen turns the
strings into ``Text``/``Content`` (never markup).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.compare import METRICS, CompareResult, Sample
from tui.core.compare.cells import fit_cells
from tui.core.compare.format import MISSING, metric_cell
from tui.core.report import fmt_prob
from tui.core.safety import safe_line

BEST_MARK = "*"
"""After the most confident value of a column (as in the CLI table): a cue that is not colour."""

FIXED_COLUMNS: dict[str, str] = {
    "index": "#",
    "prompt": "prompt",
    "n": "n",
    "verdict": "vs #1 (mean logprob)",
}
"""The columns that are not metrics: (key, heading)."""


def table_columns() -> tuple[tuple[str, str, str | None], ...]:
    """(column key, heading, metric or None) in order; keys name DataTable columns. The metric
    columns are :data:`tui.core.compare.METRICS`, in its order and with its headings; the
    verdict comes right after the mean logprob it is about, so a narrow terminal shows it
    without scrolling the table sideways."""
    columns: list[tuple[str, str, str | None]] = [
        (key, FIXED_COLUMNS[key], None) for key in ("index", "prompt", "n")
    ]
    for metric in METRICS.values():
        columns.append((metric.name, metric.heading, metric.name))
        if metric.name == "mean_logprob":
            columns.append(("verdict", FIXED_COLUMNS["verdict"], None))
    return tuple(columns)


TABLE_COLUMNS = table_columns()
RIGHT_ALIGNED = frozenset({"index", "n", *METRICS})
LABEL_CELLS = 24
NARROW_LABEL_CELLS = 14
"""At 80 columns: room for the verdict column without scrolling the table sideways."""

BLOCKS = "▁▂▃▄▅▆▇█"
EMPTY_BIN = "·"


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    best: bool = False


def table_rows(result: CompareResult, label_cells: int = LABEL_CELLS) -> list[list[Cell]]:
    """One row per prompt, cells in :data:`TABLE_COLUMNS` order, labels cut to
    ``label_cells``. The most confident mean of each metric with a direction ends in ``*``
    and is flagged ``best``."""
    best = {metric: result.best(metric) for _, _, metric in TABLE_COLUMNS if metric}
    verdicts = {
        p.prompt_index: p.verdict_text for p in result.pairwise if p.metric == "mean_logprob"
    }
    rows = []
    for p in result.prompts:
        n = f"{p.ok}/{p.planned}"
        if p.failed:
            n += f" ✗{p.failed}"
        fixed = {
            "index": str(p.index + 1),
            "prompt": fit_cells(safe_line(p.label), label_cells),
            "n": n,
            "verdict": "baseline" if p.index == 0 else verdicts.get(p.index, MISSING),
        }
        row = []
        for key, _, metric in TABLE_COLUMNS:
            if metric is None:
                row.append(Cell(fixed[key]))
                continue
            is_best = best.get(metric) == p.index
            text = metric_cell(metric, p.stats[metric]) + (BEST_MARK if is_best else " ")
            row.append(Cell(text, is_best))
        rows.append(row)
    return rows


def finished_count(result: CompareResult) -> int:
    """Samples that got an answer or an error (cancelled ones are not done)."""
    return sum(1 for s in result.samples if s.status in ("ok", "error"))


def progress_text(result: CompareResult, state: str) -> str:
    """ "7/10 done (2×5), 1 failed · running" — ``state`` is running, finished or stopped."""
    plan = result.plan
    done = finished_count(result)
    return (
        f"{done}/{plan.total} done ({len(plan.prompts)}×{plan.samples}), "
        f"{result.failed} failed · {state}"
    )


# ---------------------------------------------------------------------------- distribution


def bin_counts(values: Sequence[float], low: float, high: float, width: int) -> list[int]:
    """How many values fall in each of ``width`` equal bins over [low, high] (``high`` goes in
    the last bin; with ``high == low`` every value is in the middle bin)."""
    counts = [0] * width
    span = high - low
    for value in values:
        b = width // 2 if span <= 0 else min(width - 1, max(0, int((value - low) / span * width)))
        counts[b] += 1
    return counts


def histogram(values: Sequence[float], low: float, high: float, width: int, peak: int) -> str:
    """``values`` counted in ``width`` equal bins over [low, high], each bin drawn as a block
    whose height is its count relative to ``peak`` (the fullest bin of *all* prompts, so the
    rows compare); empty bins are ``·``. With ``high == low`` everything is in the middle bin."""
    peak = max(peak, 1)
    out = []
    for count in bin_counts(values, low, high, width):
        if count == 0:
            out.append(EMPTY_BIN)
        else:
            level = math.ceil(count / peak * len(BLOCKS)) - 1
            out.append(BLOCKS[max(0, min(len(BLOCKS) - 1, level))])
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Distribution:
    """Each prompt's successful samples' mean logprob on one shared scale."""

    low: float | None
    high: float | None
    rows: list[tuple[str, str, str]]  # (label, histogram, "min … max (n=3)")

    def axis(self, width: int) -> str:
        """The scale under the histograms: low at the left edge, high at the right."""
        if self.low is None or self.high is None:
            return ""
        left, right = f"{self.low:.2f}", f"{self.high:.2f}"
        gap = max(1, width - len(left) - len(right))
        return left + " " * gap + right


def distribution(result: CompareResult, width: int) -> Distribution:
    values = {
        p.index: [
            v
            for s in result.samples_of(p.index)
            if s.ok and (v := s.values.get("mean_logprob")) is not None
        ]
        for p in result.prompts
    }
    everything = [v for vs in values.values() for v in vs]
    if not everything:
        return Distribution(None, None, [])
    low, high = min(everything), max(everything)
    peak = 0
    for vs in values.values():
        peak = max(peak, *bin_counts(vs, low, high, width))
    rows = []
    for p in result.prompts:
        vs = values[p.index]
        label = fit_cells(safe_line(p.label), LABEL_CELLS)
        if not vs:
            rows.append((label, " " * width, "no samples yet"))
            continue
        spread = f"{min(vs):.2f} … {max(vs):.2f} (n={len(vs)})"
        rows.append((label, histogram(vs, low, high, width, peak), spread))
    return Distribution(low, high, rows)


# ---------------------------------------------------------------------------- samples

STATUS_TEXT = {
    "pending": "waiting",
    "running": "running",
    "ok": "ok",
    "error": "✗ failed",
    "cancelled": "cancelled",
}


def sample_line(sample: Sample, width: int = 60) -> str:
    """ "#3  ok         p 81.9%   12 tok  東京です。…" — the start of the answer (or the error),
    on one safe line."""
    status = STATUS_TEXT.get(sample.status, sample.status)
    prob = fmt_prob(sample.values.get("mean_prob")) if sample.ok else MISSING
    length = sample.values.get("length")
    tokens = f"{length:.0f} tok" if length is not None else MISSING
    if sample.status == "error":
        words = sample.error or ""
    elif sample.answer is not None:
        words = sample.answer.text
    else:
        words = ""
    words = " ".join(safe_line(words).split())
    head = f"#{sample.number:<3} {status:<10} p {prob:>6}  {tokens:>7}  "
    return head + fit_cells(words, max(8, width))
