"""The history list's lines: one conversation per line, columns sized to the terminal.

Columns, left to right: when it was last used, number of answers, mean confidence (the
conversation's mean of each answer's "Mean prob", see ``ConversationSummary.mean_prob``),
preset, model, then the title (a name given with rename, else the first question), which
takes what is left and is cut with ``…``. Everything shown went through ``safe_line`` and is
built as literal :class:`Content` (titles and questions are user text, models come from
servers: never markup).

Dates are local time: ``today 14:05``, ``11-27 14:05`` (this year), ``2025-11-27`` (older).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len
from textual.content import Content

from tui.app.text.status import shorten_middle
from tui.core.report import fmt_prob
from tui.core.safety import safe_line
from tui.core.store.comparisons import ComparisonSummary
from tui.core.store.models import ConversationSummary

GAP = "  "
ASK_MARK = "(ask) "
"""Before the title of a conversation ``logprob-chat ask`` started."""
WHEN = 11
ANSWERS = 3
MEAN = 6


@dataclass(frozen=True, slots=True)
class Columns:
    """Cell widths of the variable columns for a line ``width`` cells wide."""

    preset: int
    model: int
    title: int

    @classmethod
    def for_width(cls, width: int) -> Columns:
        fixed = WHEN + ANSWERS + MEAN + 5 * len(GAP)
        room = max(0, width - fixed)
        # Narrow (80 columns): 10 + 12 for preset and model, the title gets the rest (~24).
        # Wide: they grow to 16 and 28; the title keeps at least half of what is left.
        preset = max(6, min(16, room // 6))
        model = max(8, min(28, room // 4))
        return cls(preset, model, max(8, room - preset - model))


def when_label(epoch: float, now: float, tz: tzinfo | None = None) -> str:
    moment = datetime.fromtimestamp(epoch, tz)
    today = datetime.fromtimestamp(now, tz)
    if moment.date() == today.date():
        return moment.strftime("today %H:%M")
    if moment.year == today.year:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%Y-%m-%d")


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with ``…``, padded to exactly ``width``."""
    if cell_len(text) > width:
        cut = ""
        for ch in text:
            if cell_len(cut + ch) > width - 1:
                break
            cut += ch
        text = cut + "…"
    return text + " " * (width - cell_len(text))


def header_line(width: int) -> Content:
    c = Columns.for_width(width)
    text = GAP.join(
        [
            _fit("When", WHEN),
            "Ans".rjust(ANSWERS),
            "Mean p".rjust(MEAN),
            _fit("Preset", c.preset),
            _fit("Model", c.model),
            "Title / first question",
        ]
    )
    return Content(text)


def summary_line(
    summary: ConversationSummary, width: int, now: float, tz: tzinfo | None = None
) -> Content:
    """One conversation on one line of ``width`` cells."""
    c = Columns.for_width(width)
    preset = safe_line(summary.preset) if summary.preset else "–"
    model = shorten_middle(safe_line(summary.model), c.model) if summary.model else "–"
    first = safe_line(summary.first_question.strip().split("\n", 1)[0])
    named = bool(summary.title and summary.title.strip())
    title = safe_line(summary.display_title)
    if summary.source == "ask":
        title = ASK_MARK + title  # kept apart: the chat never reopens it on its own
    head = GAP.join(
        [
            _fit(when_label(summary.updated_at, now, tz), WHEN),
            str(summary.answers).rjust(ANSWERS),
            fmt_prob(summary.mean_prob).rjust(MEAN),
            _fit(preset, c.preset),
            _fit(model, c.model),
            "",
        ]
    )
    if not named or not first:
        return Content(head + _fit(title, c.title).rstrip())
    rest = c.title - cell_len(title) - 3
    if rest < 6:
        return Content(head + _fit(title, c.title).rstrip())
    return Content.assemble(head + title, (" · " + _fit(first, rest).rstrip(), "dim"))


def comparison_line(
    summary: ComparisonSummary, width: int, now: float, tz: tzinfo | None = None
) -> Content:
    """One stored comparison on one line: when, what (a question set and its file, or a
    scored answer), its size, how far it got, then its first question."""
    kind = "scored" if summary.kind == "score" else "sampled"
    what = f"set of {summary.questions} questions" if summary.questions > 1 else "one question"
    status = {"incomplete": "interrupted", "running": "running"}.get(summary.status, summary.status)
    title = safe_line(summary.title) + " · " if summary.title else ""
    head = GAP.join(
        [
            _fit(when_label(summary.updated_at, now, tz), WHEN),
            f"#{summary.id} {what} × {summary.prompts} prompts, {kind}, "
            f"{summary.results} results, {status}",
            "",
        ]
    )
    first = safe_line(summary.first_question.strip().split("\n", 1)[0])
    rest = max(0, width - cell_len(head))
    return Content.assemble(head, (_fit(title + first, rest).rstrip(), "dim"))
