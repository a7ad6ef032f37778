"""The difference heatmap: each token of an answer coloured by how much likelier it is under
one prompt (B) than under another (A), Δ = ln p_B − ln p_A in nats.

Pure functions, tested alone: :func:`token_differences` pairs the tokens of the two scores,
:class:`DifferencePalette` turns each Δ into a style from the theme (a diverging scale:
``error`` where B makes the token less likely, ``success`` where more, untinted near 0),
:func:`difference_legend` says what the colours mean.

Pairing: the same text can be scored in different tokens under two prompts (llama.cpp's
grammar takes the tokens greedy decoding takes, which depend on the prompt). Tokens are
grouped into the shortest runs whose byte spans end together in both scores; every token of
a run gets the run's Δ (Σ ln p_B − Σ ln p_A over the run). With the same tokens, as a rule,
each run is one token.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual.color import Color
from textual.content import Content
from textual.style import Style

from tui.app.text.heat import TINT, theme_colour
from tui.core.wire.normalise import is_zero_width
from tui.core.wire.records import TokenRecord

BOUNDS = (-4.0, -2.0, -1.0, -0.25, 0.25, 1.0, 2.0, 4.0)
"""Level edges in nats: Δ below −4 is level 0, between −0.25 and +0.25 the middle (4),
above +4 the top (8). 0.69 nats is a factor of two."""

MIDDLE = 4


def text_tokens(tokens: Sequence[TokenRecord]) -> list[TokenRecord]:
    """The answer's tokens with text (the final zero-width end token left out)."""
    return [t for t in tokens if t.scope == "answer" and not is_zero_width(t)]


def token_differences(
    base: Sequence[TokenRecord], other: Sequence[TokenRecord]
) -> dict[int, float | None]:
    """Δ for each token of ``other`` by its ``index`` (see the module docstring); ``None``
    where a logprob is unknown or the two do not spell the same bytes."""
    a, b = text_tokens(base), text_tokens(other)
    out: dict[int, float | None] = {t.index: None for t in b}
    i = j = 0
    end_a = end_b = 0
    run_a: list[TokenRecord] = []
    run_b: list[TokenRecord] = []
    while i < len(a) or j < len(b):
        if j < len(b) and (end_b <= end_a or i >= len(a)):
            run_b.append(b[j])
            end_b += len(b[j].bytes or b"")
            j += 1
        else:
            run_a.append(a[i])
            end_a += len(a[i].bytes or b"")
            i += 1
        if end_a == end_b and run_a and run_b:
            delta = _run_sum(run_b)
            base_sum = _run_sum(run_a)
            value = None if delta is None or base_sum is None else delta - base_sum
            for token in run_b:
                out[token.index] = value
            run_a, run_b = [], []
    return out


def _run_sum(run: Sequence[TokenRecord]) -> float | None:
    if any(t.logprob is None for t in run):
        return None
    return sum(t.logprob for t in run if t.logprob is not None)


def level_of(delta: float) -> int:
    """0 (far less likely under B) … 8 (far likelier); 4 is "about the same"."""
    return sum(1 for edge in BOUNDS if delta >= edge) if delta < 0 else _positive(delta)


def _positive(delta: float) -> int:
    # Symmetric: +0.25 still reads "about the same", as −0.25 does.
    return MIDDLE + sum(1 for edge in BOUNDS[MIDDLE:] if delta > edge)


@dataclass(frozen=True, slots=True)
class DifferencePalette:
    """Styles for the tokens of one answer by their Δ (``by_index``), built once per pair of
    prompts and theme; ``swatches`` for the legend. Colours a chat log's answer like a
    :class:`~tui.app.text.heat.HeatPalette` does (``token_style``)."""

    levels: tuple[Style, ...]
    swatches: tuple[Color, ...]
    by_index: Mapping[int, float | None]
    unknown: Style

    def style_for_delta(self, delta: float | None) -> Style:
        if delta is None or math.isnan(delta):
            return self.unknown
        return self.levels[level_of(delta)]

    def token_style(self, token: TokenRecord, heat_logprob: float | None) -> Style:
        """By the difference at ``token`` (its own logprob under each prompt, whatever a
        probability heatmap would show)."""
        return self.style_for_delta(self.by_index.get(token.index))

    @classmethod
    def from_variables(
        cls, variables: Mapping[str, str], by_index: Mapping[int, float | None]
    ) -> DifferencePalette:
        background = theme_colour(variables, "background", "#000000")
        worse = theme_colour(variables, "error", "#ff0000")
        better = theme_colour(variables, "success", "#00aa00")
        swatches = []
        for level in range(len(BOUNDS) + 1):
            distance = abs(level - MIDDLE) / MIDDLE  # 0 at the middle, 1 at either end
            target = worse if level < MIDDLE else better
            swatches.append(background.blend(target, TINT * distance))
        levels = tuple(Style(background=c, foreground=c.get_contrast_text(1.0)) for c in swatches)
        return cls(levels, tuple(swatches), dict(by_index), Style(italic=True))


def difference_legend(palette: DifferencePalette, a: str, b: str, total: float | None) -> Content:
    """Two lines: the scale (``−4 … +4`` nats, each swatch in its colour) and what the whole
    answer's difference is (``Σ Δ = −2.01 nats: 0.13× as likely under B``)."""
    parts: list[tuple[str, Style] | str] = [f"Δ = ln p under «{b}» − under «{a}»:  less "]
    labels = ("−4", "−2", "−1", "−¼", " 0 ", "+¼", "+1", "+2", "+4")
    for style, label in zip(palette.levels, labels, strict=True):
        parts.append((f" {label} ", style))
    parts.append(" more likely under B (nats)")
    line = Content.assemble(*parts)
    if total is None:
        return line
    summary = (
        f"\nwhole answer Σ Δ = {total:+.3f} nats: {math.exp(total):.3g}× as likely under «{b}»"
    )
    return Content.assemble(line, summary)
