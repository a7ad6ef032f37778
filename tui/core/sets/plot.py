"""A strip plot in the terminal: per prompt, where its per-question differences to the
baseline fall on one shared scale (plain text lines, one row per prompt, an axis below).

Each question is a mark at round((d − lo) / (hi − lo) · (w − 1)) of a w-cell strip, with
lo = min(0, every d) and hi = max(0, every d) over all prompts, so strips compare at a
glance and 0 (no difference) is always on the scale, drawn ``│``. A cell holding one
question reads ``●``, 2 to 9 questions their count, more ``+``. A person sees at once whether
a prompt is better on most questions or on a few by much.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.core.cells import cell_width, fit_cells, pad_cells
from tui.core.safety import safe_line
from tui.core.sets.stats import SetSummary
from tui.core.sets.table import number

MIN_STRIP = 10
MAX_LABEL = 16
EMPTY_SPAN = 0.1
"""Half-width of the scale (nats/token) when every difference is 0."""


def mark(count: int) -> str:
    if count == 1:
        return "●"
    return str(count) if count < 10 else "+"


def strip(values: Sequence[float], lo: float, hi: float, cells: int) -> str:
    """One strip of ``cells`` characters: each value's mark, ``│`` at 0, ``·`` elsewhere."""
    counts = [0] * cells
    for value in values:
        counts[_position(value, lo, hi, cells)] += 1
    zero = _position(0.0, lo, hi, cells)
    return "".join(mark(n) if n else ("│" if c == zero else "·") for c, n in enumerate(counts))


def _position(value: float, lo: float, hi: float, cells: int) -> int:
    return max(0, min(cells - 1, round((value - lo) / (hi - lo) * (cells - 1))))


def strip_plot(summary: SetSummary, width: int, metric: str = "mean_logprob") -> list[str]:
    """The plot's lines for ``width`` cells (empty with fewer than two prompts)."""
    prompts = summary.prompts[1:]
    if not prompts:
        return []
    diffs = {p.index: summary.differences(p.index, metric) for p in prompts}
    every = [d for ds in diffs.values() for d in ds]
    lo, hi = min([0.0, *every]), max([0.0, *every])
    if hi - lo < 1e-12:
        lo, hi = -EMPTY_SPAN, EMPTY_SPAN
    label_cells = min(MAX_LABEL, max(cell_width(safe_line(p.label)) for p in prompts))
    tail = " n=" + str(len(summary.plan.questions))
    cells = max(MIN_STRIP, width - label_cells - 1 - len(tail))
    lines = []
    for p in prompts:
        label = pad_cells(fit_cells(safe_line(p.label), label_cells), label_cells)
        lines.append(f"{label} {strip(diffs[p.index], lo, hi, cells)} n={len(diffs[p.index])}")
    left, right = number(lo, 2, sign=True), number(hi, 2, sign=True)
    axis = left + " " * max(1, cells - len(left) - len(right)) + right
    lines.append(" " * (label_cells + 1) + axis)
    return lines
