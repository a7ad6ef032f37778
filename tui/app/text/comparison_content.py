"""Rich pieces of the compare screen: the rows of the prompt-order list and the report under
the table (distribution, differences from the first prompt, notes). Model and user text goes
through ``safe_line`` and into ``Content``: never markup."""

from __future__ import annotations

from textual.content import Content
from textual.style import Style

from tui.app.text.comparison import distribution
from tui.core.compare import VERDICT_TEXT, CompareResult
from tui.core.compare.cells import cell_width, fit_cells, pad_cells
from tui.core.compare.form import Candidate
from tui.core.compare.format import difference_heading, difference_rows, reading_text
from tui.core.safety import safe_line

PREVIEW = 50
"""Characters of a prompt shown beside its name in the lists."""

TITLE = Style(bold=True)
DIM = Style(dim=True)


def preview(text: str) -> str:
    return fit_cells(" ".join(safe_line(text).split()), PREVIEW)


def candidate_label(position: int, candidate: Candidate) -> Content:
    """A row of the order list: position, label, "baseline" on the first, the prompt's start."""
    spec = candidate.spec
    parts: list[Content | tuple[str, Style] | str] = [f"{position + 1}. ", safe_line(spec.label)]
    if position == 0:
        parts.append((" (baseline)", TITLE))
    # A written prompt's label is already its start; a preset's name says nothing of its text.
    if spec.preset:
        parts.append(("  preset: " + preview(spec.system), DIM))
    elif not spec.system:
        parts.append(("  no system message", DIM))
    return Content.assemble(*parts)


def report_content(result: CompareResult, width: int) -> Content:
    """Distribution (histograms ``width`` cells wide), differences from the first prompt with
    the beyond-noise verdicts in bold, notes, and how to read them."""
    dist = distribution(result, width)
    parts: list[Content | tuple[str, Style] | str] = [
        ("Mean logprob of each sample, shared scale (▁…█: how many samples)", TITLE)
    ]
    labels = max((cell_width(label) for label, _, _ in dist.rows), default=0)
    for label, bars, spread in dist.rows:
        parts += ["\n", pad_cells(label, labels), "  ", bars, "  ", (spread, DIM)]
    if dist.rows:
        parts += ["\n", " " * (labels + 2), (dist.axis(width), DIM)]
    else:
        parts += ["\n", ("no successful samples yet", DIM)]
    if len(result.prompts) > 1:
        parts += ["\n\n", (safe_line(difference_heading(result)), TITLE)]
        for row in difference_rows(result):
            if row.label:
                parts += ["\n", safe_line(row.label)]
            verdict = row.verdict or ""
            style = TITLE if row.verdict == VERDICT_TEXT["larger_than_noise"] else Style()
            parts += ["\n  ", f"{row.name:<12}  ", pad_cells(row.value, 26), "  "]
            parts.append((verdict, style))
    for note in result.notes:
        parts += ["\n\n", ("Note: ", TITLE), safe_line(note)]
    parts += ["\n\n", (reading_text(result), DIM)]
    return Content.assemble(*parts)
