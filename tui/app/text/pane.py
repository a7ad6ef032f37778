"""What the answer pane says about its answer, as plain strings: the stats title and rows for
each state of an answer, the raw JSON viewer's title.

The pane (:mod:`tui.app.widgets.answer_pane`) only draws these, so a new line in the pane (a
coverage line, a "recovering N tokens…" state, a cut label) is a change here, tested alone.
"""

from __future__ import annotations

from tui.app.text.summary import READING_PROMPT
from tui.core.answer import Answer, AnswerBuilder
from tui.core.report import answer_rows, metric_rows

Rows = list[tuple[str, str]]


def stats_of(
    noun: str, number: int, answer: Answer | None, live: AnswerBuilder | None
) -> tuple[str, Rows]:
    """The stats block's title and ``(label, value)`` rows for answer ``number``:

    * finished (``answer``): "Answer #2 · complete" and every metric, timing and model row
      (:func:`~tui.core.report.answer_rows`, which says when the server sent no logprobs);
    * streaming (``live``): "Answer #2 · streaming" and the running sums only (O(1) per
      repaint; the timings come when it ends, so they never depend on the repaint rate),
      "Answer #2 · reading the prompt…" until its first token;
    * neither (waiting for the model): the title alone.

    ``noun`` names what the pane shows ("Answer", or "Sample" on the sample screen).
    """
    if answer is not None:
        return f"{noun} #{number} · {answer.status}", answer_rows(answer)
    if live is not None:
        state = READING_PROMPT if live.reading_prompt else "streaming"
        return f"{noun} #{number} · {state}", metric_rows(live.live_metrics())
    return f"{noun} #{number} · waiting for the model", []


def json_title(rows: int, lines: int) -> str:
    """ "raw logprobs · 8 rows · 32 lines" (the rows received, the lines of the formatted
    document), or "raw logprobs · none"."""
    return f"raw logprobs · {rows:,} rows · {lines:,} lines" if rows else "raw logprobs · none"
