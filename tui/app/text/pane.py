"""What the answer pane says about its answer, as plain strings: the stats title and rows for
each state of an answer, the headline (the numbers that stay in sight in every layout), the
hint that says how to reach the rest, the raw JSON viewer's title.

The pane (:mod:`tui.app.widgets.answer_pane`) only draws these, so a new line in the pane (a
coverage line, a "recovering N tokens…" state, a cut label) is a change here, tested alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.app.text.summary import READING_PROMPT, RECOVERING_MARK, alive_words, state_words
from tui.core.answer import Answer, AnswerBuilder
from tui.core.metrics import Metrics
from tui.core.report import (
    answer_rows,
    coverage_words,
    finish_label,
    fmt_num,
    fmt_prob,
    metric_rows,
    token_number,
)

Rows = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class AnswerState:
    """What the pane shows one answer in: finished (``answer``), streaming (``live``), or
    waiting for the model (neither); ``recovering``: the progress words of a recovery
    running now; ``alive``: seconds a stream has sent keep-alives alone; ``max_tokens``:
    what the answer was asked with (tells a cut by ``max_tokens`` from a full context)."""

    noun: str
    number: int
    answer: Answer | None = None
    live: AnswerBuilder | None = None
    max_tokens: int | None = None
    recovering: str | None = None
    alive: float | None = None


def stats_of(state: AnswerState) -> tuple[str, Rows]:
    """The stats block's title and ``(label, value)`` rows:

    * finished: "Answer #2 · complete" (or "cut: max_tokens", "refusal", "stopped"…, or
      "recovering 42 split-character tokens… 10/43") and every metric, timing and model row
      (:func:`~tui.core.report.answer_rows`: "Covers 54 of 96 tokens" first when the numbers
      leave tokens out);
    * streaming: "Answer #2 · streaming" and the running sums only (O(1) per repaint; the
      timings come when it ends, so they never depend on the repaint rate), "Answer #2 ·
      reading the prompt…" until its first token;
    * waiting for the model: the title alone.
    """
    head = f"{state.noun} #{state.number}"
    answer, live = state.answer, state.live
    if answer is not None:
        label = state.recovering or finish_label(answer, state.max_tokens)
        return f"{head} · {label}", answer_rows(answer, state.max_tokens)
    if live is not None:
        words = READING_PROMPT if live.reading_prompt else "streaming"
        return f"{head} · {words}", metric_rows(live.live_metrics())
    return f"{head} · waiting for the model", []


def headline_numbers(m: Metrics) -> list[str]:
    """The few numbers that say how sure the model was: tokens, mean p, perplexity, the
    lowest p and where (one 1-based token number), how many below τ."""
    parts = [f"{m.tokens} tokens"]
    if m.mean_prob is not None:
        parts.append(f"mean p {fmt_prob(m.mean_prob)}")
    if m.perplexity is not None:
        parts.append(f"PPL {fmt_num(m.perplexity, 2)}")
    if m.min_prob is not None:
        lowest = f"min p {fmt_prob(m.min_prob)}"
        if m.min_prob_index is not None:
            lowest += f" at #{token_number(m.min_prob_index)}"
        parts.append(lowest)
    if m.low_prob_count:
        parts.append(f"{m.low_prob_count} below {m.low_prob_threshold:g}")
    return parts


def headline(state: AnswerState | None) -> str:
    """One line (wrapped where it must) that heads the pane in every layout: the answer, its
    state, coverage whenever it is below 100 %, and the headline numbers. ``None``: no
    answer selected."""
    if state is None:
        return "No answer yet: ask a question."
    head = f"{state.noun} #{state.number}"
    answer, live = state.answer, state.live
    if answer is not None:
        first = (
            f"{RECOVERING_MARK} {state.recovering}"
            if state.recovering
            else state_words(answer, state.max_tokens)
        )
        parts = [head, first]
        if not answer.has_logprobs:
            parts.append("no logprobs returned" if answer.text else "no tokens")
        else:
            metrics = answer.metrics
            covers = coverage_words(metrics)
            if covers is not None:
                parts.append(covers)
            parts += headline_numbers(metrics)
        return " · ".join(parts)
    if live is not None:
        if live.reading_prompt:
            parts = [head, f"… {READING_PROMPT}"]
        else:
            parts = [head, "… streaming", *headline_numbers(live.live_metrics())]
    else:
        parts = [head, "… waiting for the model"]
    silent = alive_words(state.alive)
    if silent is not None:
        parts.append(silent)
    return " · ".join(parts)


PANE_HINTS = {
    "compact": "{toggle_pane} every number · {toggle_cursor} token cursor · "
    "{toggle_heatmap} heatmap",
    "large": "↑↓ PgDn scroll the numbers · ←→ tokens · {focus_json} raw JSON · "
    "{toggle_pane} back to the chat",
    "wide": "Tab ↑↓ scroll numbers · {focus_json} raw JSON · {toggle_pane} hide",
}
"""The line under the pane that says how to reach every number, per layout: ``compact``
(narrow terminals: headline and token strip under the chat), ``large`` (narrow, after F4:
the whole pane), ``wide`` (beside the chat). Placeholders are action names."""

HINT_KEYS = {"toggle_pane": "F4", "toggle_cursor": "t", "toggle_heatmap": "F5", "focus_json": "F9"}
"""The keys the hints name, as bound by default."""


def shown_key(label: str) -> str:
    """A key as hints and the welcome write it: function keys in capitals (``F4``), others
    as they are (``t``, ``ctrl+l``)."""
    return label.upper() if re.fullmatch(r"f\d{1,2}", label) else label


def pane_hint(layout: str, keys: dict[str, str] | None = None) -> str:
    """The hint for ``layout`` with each action's key (``keys``: action → key as the keymap
    binds it now; missing ones are the defaults of :data:`HINT_KEYS`)."""
    return PANE_HINTS.get(layout, PANE_HINTS["wide"]).format(**{**HINT_KEYS, **(keys or {})})


def json_title(rows: int, lines: int) -> str:
    """ "raw logprobs · 8 rows · 32 lines" (the rows received, the lines of the formatted
    document), or "raw logprobs · none"."""
    return f"raw logprobs · {rows:,} rows · {lines:,} lines" if rows else "raw logprobs · none"
