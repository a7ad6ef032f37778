"""The heatmap's colour scale: probability → style, derived from the current theme.

Colours come from the theme's own ``error`` → ``warning`` → ``success`` variables, so the
scale reads right in every theme (dark or light), and they tint the *background* of a token
with a contrasting text colour, so the words stay readable. Colour is not the only cue:
tokens with p < τ (``Metrics.low_prob_threshold``) are also **bold and underlined**, and
tokens without a usable logprob are italic (and untinted), for people who cannot tell the
colours apart and for terminals with few colours.

Levels: p in [k/L, (k+1)/L) is level k (L = ``LEVELS``); p = 1 is the top level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from textual.color import Color, ColorParseError
from textual.style import Style

from tui.core.wire.records import TokenRecord

LEVELS = 10
TINT = 0.6
"""How far a token's background moves from the theme background toward its scale colour."""


def heat_level(p: float | None, levels: int = LEVELS) -> int | None:
    """The scale level (0 = least likely) of probability ``p``; ``None`` when unknown."""
    if p is None or math.isnan(p):
        return None
    return max(0, min(levels - 1, int(p * levels)))


def scale_colours(low: Color, mid: Color, high: Color, levels: int = LEVELS) -> list[Color]:
    """``levels`` colours from ``low`` through ``mid`` to ``high``, sampled at level centres."""
    colours = []
    for k in range(levels):
        t = (k + 0.5) / levels
        if t < 0.5:
            colours.append(low.blend(mid, t * 2))
        else:
            colours.append(mid.blend(high, (t - 0.5) * 2))
    return colours


class TokenColouring(Protocol):
    """What colours an answer's tokens in the chat log: the heatmap (:class:`HeatPalette`,
    by probability) or another scale, such as the difference between two prompts
    (:class:`~tui.app.text.difference.DifferencePalette`)."""

    def token_style(self, token: TokenRecord) -> Style: ...


def theme_colour(variables: Mapping[str, str], name: str, default: str) -> Color:
    """A theme variable as a colour; values such as ``auto 87%`` fall back to ``default``."""
    try:
        return Color.parse(variables.get(name, default))
    except ColorParseError:
        return Color.parse(default)


@dataclass(frozen=True, slots=True)
class HeatPalette:
    """Ready-made styles for every level, built once per theme."""

    levels: tuple[Style, ...]
    low_levels: tuple[Style, ...]  # the same colours plus bold + underline (p < threshold)
    swatches: tuple[Color, ...]  # the tinted backgrounds, for the legend
    unknown: Style
    cursor: Style
    threshold: float

    def style_for(self, logprob: float | None) -> Style:
        """Style of a token with this logprob (natural log)."""
        if logprob is None:
            return self.unknown
        p = math.exp(logprob)
        level = heat_level(p, len(self.levels))
        assert level is not None
        return (self.low_levels if p < self.threshold else self.levels)[level]

    def token_style(self, token: TokenRecord) -> Style:
        """The style of ``token`` (by its logprob): a :class:`TokenColouring`."""
        return self.style_for(token.logprob)

    @classmethod
    def from_variables(cls, variables: Mapping[str, str], threshold: float) -> HeatPalette:
        """Build from a theme's CSS variables (``App.theme_variables``)."""
        background = theme_colour(variables, "background", "#000000")
        low = theme_colour(variables, "error", "#ff0000")
        mid = theme_colour(variables, "warning", "#ffaa00")
        high = theme_colour(variables, "success", "#00aa00")
        swatches = tuple(background.blend(c, TINT) for c in scale_colours(low, mid, high))
        levels = tuple(
            Style(background=bg, foreground=bg.get_contrast_text(1.0)) for bg in swatches
        )
        low_levels = tuple(
            Style(background=s.background, foreground=s.foreground, bold=True, underline=True)
            for s in levels
        )
        cursor_bg = theme_colour(variables, "block-cursor-background", "#ffffff")
        cursor_fg = cursor_bg.get_contrast_text(1.0)
        return cls(
            levels=levels,
            low_levels=low_levels,
            swatches=swatches,
            unknown=Style(italic=True),
            cursor=Style(background=cursor_bg, foreground=cursor_fg, bold=True),
            threshold=threshold,
        )
