"""What the side-by-side view shows of two answers: their numbers in two columns with the
difference, and their texts with their heatmaps, cut where they part. Pure functions over the
core's :mod:`tui.core.side_by_side` (the numbers, the shared start), tested alone.

* :func:`stats_table` — one line per number: label, left, right, right − left, and an arrow
  toward the more confident side (``◀`` left, ``▶`` right) where a direction means that;
* :func:`parted_texts` — the shared start once, then each answer's own text from where they
  part, each token coloured by the palette as in the chat (its text as the chat shows it:
  the same :class:`~tui.app.text.track.TextTrack` alignment).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content, Span

from tui.app.text.heat import TokenColouring
from tui.app.text.track import TextTrack
from tui.core.answer import Answer
from tui.core.safety import safe_text
from tui.core.side_by_side import metric_rows, shared_tokens

BETTER_MARK = {"left": "◀", "right": "▶", None: " "}


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells (with an ellipsis), padded to ``width``."""
    if cell_len(text) > width:
        while cell_len(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - cell_len(text))


def stats_table(left: Answer, right: Answer, names: tuple[str, str], width: int) -> list[str]:
    """The two answers' numbers as lines of at most ``width`` cells (at least 60): a head
    line with the two ``names``, then one line per number, values right-aligned under
    their names (see the module docstring)."""
    width = max(60, width)
    value = max(10, min(16, (width - 24) // 3))
    label = width - 3 * value - 6

    def line(first: str, a: str, b: str, difference: str) -> str:
        cells = [_fit(first, label), _fit(a, value).rstrip().rjust(value)]
        cells += [_fit(b, value).rstrip().rjust(value), _fit(difference, value)]
        return "  ".join(cells).rstrip()

    lines = [line("", names[0], names[1], "right − left")]
    for row in metric_rows(left, right):
        lines.append(
            line(row.label, row.left, row.right, f"{row.difference} {BETTER_MARK[row.better]}")
        )
    return lines


@dataclass(frozen=True, slots=True)
class PartedTexts:
    """The shared start (``shared`` tokens, its text heat-coloured) and each answer's own
    text after it."""

    shared: int
    start: Content
    left: Content
    right: Content


def _track(answer: Answer) -> TextTrack:
    track = TextTrack()
    track.extend(answer.text, [t for t in answer.tokens if t.scope == "answer"], final=True)
    return track


def _coloured(track: TextTrack, start: int, end: int, heat: TokenColouring | None) -> Content:
    text = safe_text(track.text[start:end])  # same length: one character for one
    spans: list[Span] = []
    if heat is not None:
        for s, e, ti in track.spans_in(start, end):
            style = heat.token_style(track.tokens[ti], track.heat_logprob(ti))
            spans.append(Span(s - start, e - start, style))
    return Content(text, spans, strip_control_codes=False)


def _cut_at(track: TextTrack, shared: int) -> int:
    """Where the text of the answer-scope tokens after the first ``shared`` begins."""
    if shared >= len(track.tokens):
        return len(track.text)
    for k in range(shared, len(track.tokens)):
        span = track.display_span(k)
        if span is not None:
            return span[0]
    return len(track.text)


def parted_texts(left: Answer, right: Answer, heat: TokenColouring | None) -> PartedTexts:
    """See the module docstring; ``heat`` ``None``: plain text."""
    left.load_raw()
    right.load_raw()
    shared_all = shared_tokens(left, right)
    shared = sum(1 for t in left.tokens[:shared_all] if t.scope == "answer")
    a, b = _track(left), _track(right)
    cut_a, cut_b = _cut_at(a, shared), _cut_at(b, shared)
    if a.text[:cut_a] != b.text[:cut_b]:  # the same tokens showing other text: part at 0
        shared, cut_a, cut_b = 0, 0, 0
    return PartedTexts(
        shared=shared,
        start=_coloured(a, 0, cut_a, heat),
        left=_coloured(a, cut_a, len(a.text), heat),
        right=_coloured(b, cut_b, len(b.text), heat),
    )
