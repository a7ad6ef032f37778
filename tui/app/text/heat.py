"""The heatmap's colour scale: probability → style, derived from the current theme.

Three colour modes (:data:`ColourMode`, chosen from the terminal by
:func:`tui.app.colours.colour_mode`):

* ``full`` (256 colours or more): colours come from the theme's own ``error`` → ``warning``
  → ``success`` variables, so the scale reads right in every theme (dark or light), and they
  tint the *background* of a token with a contrasting text colour, so the words stay
  readable. Colour is not the only cue: tokens with p < τ (``Metrics.low_prob_threshold``)
  are also **bold and underlined**.
* ``16`` (``TERM=xterm``, ``screen``): the theme's tints all round to the same grey there,
  so the scale is four *tiers* (:data:`TIERS`) drawn with attributes, the two lowest also
  on the 16-colour palette's own red and yellow, which every such terminal shows.
* ``none`` (``NO_COLOR``): the same tiers, attributes alone: p < τ bold and underlined,
  below 50 % underlined, below 90 % plain, from 90 % dim.

In every mode tokens without a usable logprob are italic (and untinted), and the token
cursor is reverse video (bold), which no heat tier uses.

Levels: p in [k/L, (k+1)/L) is level k (L = ``LEVELS``); p = 1 is the top level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from textual.color import Color, ColorParseError
from textual.style import Style

from tui.core.wire.records import TokenRecord

LEVELS = 10
TINT = 0.6
"""How far a token's background moves from the theme background toward its scale colour."""

ColourMode = Literal["full", "16", "none"]

UNSURE_BELOW = 0.5
SURE_FROM = 0.9
"""The tiers' edges above τ: p < 0.5 is "unsure" (underlined), p ≥ 0.9 is "sure" (dim)."""

# Exact colours of the 16-colour palette (rich.color.STANDARD_PALETTE): a terminal with 16
# colours shows them as they are, where the theme's tints would all round to one grey.
RED, YELLOW, BLACK, WHITE = (
    Color(170, 0, 0),
    Color(255, 255, 85),
    Color(0, 0, 0),
    Color(255, 255, 255),
)

CURSOR = Style(reverse=True, bold=True)
"""The token cursor in every mode: reverse video, which no heat tier uses."""


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

    def token_style(self, token: TokenRecord, heat_logprob: float | None) -> Style:
        """The style of ``token``; ``heat_logprob`` is what a probability heatmap shows for
        it (its own logprob, or its character's when it is a piece of a split character)."""
        ...


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
    swatches: tuple[Color, ...]  # the tinted backgrounds, for the legend (full mode)
    unknown: Style
    cursor: Style
    threshold: float
    mode: ColourMode = "full"

    def style_for(self, logprob: float | None) -> Style:
        """Style of a token with this logprob (natural log)."""
        if logprob is None:
            return self.unknown
        p = math.exp(logprob)
        level = heat_level(p, len(self.levels))
        assert level is not None
        return (self.low_levels if p < self.threshold else self.levels)[level]

    def token_style(self, token: TokenRecord, heat_logprob: float | None) -> Style:
        """The style of ``token`` by the logprob its heat shows (``heat_logprob``: its own, or
        its character's for a piece of a split character): a :class:`TokenColouring`."""
        return self.style_for(heat_logprob)

    def tiers(self) -> list[tuple[str, Style]]:
        """The legend of the tier modes: ``(words, style)`` from the least likely tier up."""
        low = f"p < {self.threshold * 100:g}%"
        return [
            (low, self.low_levels[0]),
            (f"< {UNSURE_BELOW * 100:g}%", self.levels[0]),
            (f"< {SURE_FROM * 100:g}%", self.levels[LEVELS - 2]),
            (f"≥ {SURE_FROM * 100:g}%", self.levels[LEVELS - 1]),
        ]

    @classmethod
    def from_variables(
        cls, variables: Mapping[str, str], threshold: float, mode: ColourMode = "full"
    ) -> HeatPalette:
        """Build from a theme's CSS variables (``App.theme_variables``) for a terminal of
        ``mode`` (see the module docstring)."""
        if mode != "full":
            return cls.tiered(threshold, mode)
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
        return cls(
            levels=levels,
            low_levels=low_levels,
            swatches=swatches,
            unknown=Style(italic=True),
            cursor=CURSOR,
            threshold=threshold,
        )

    @classmethod
    def tiered(cls, threshold: float, mode: ColourMode) -> HeatPalette:
        """The four tiers for 16 colours (``mode="16"``) or none (``"none"``): by level,
        below 50 % underlined (on yellow in 16 colours), below 90 % plain, from 90 % dim;
        below τ bold and underlined (on red)."""
        coloured = mode == "16"
        unsure = Style(underline=True)
        if coloured:
            unsure = Style(background=YELLOW, foreground=BLACK, underline=True)
        levels = []
        for k in range(LEVELS):
            p = (k + 0.5) / LEVELS
            levels.append(unsure if p < UNSURE_BELOW else Style(dim=p >= SURE_FROM))
        low = Style(bold=True, underline=True)
        if coloured:
            low = Style(background=RED, foreground=WHITE, bold=True, underline=True)
        return cls(
            levels=tuple(levels),
            low_levels=(low,) * LEVELS,
            swatches=(),
            unknown=Style(italic=True),
            cursor=CURSOR,
            threshold=threshold,
            mode=mode,
        )
