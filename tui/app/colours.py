"""How many colours the terminal shows, and a screen that looks the way it will there.

* ``NO_COLOR`` set (https://no-color.org): Textual turns every colour grey (its monochrome
  filter); the heatmap then uses attributes alone (:mod:`tui.app.text.heat`, mode ``none``).
* 16 colours (Rich's detection: ``TERM=xterm``, ``TERM=screen``, no ``COLORTERM``): the
  terminal rounds every colour to one of its 16, which turns the theme's tints into one grey;
  the heatmap uses its tiers on the palette's own colours (mode ``16``). Rich rounds every
  colour when it writes to such a terminal; :class:`SixteenColours` does the same on screen
  (``LogprobChatApp(round_colours=True)``), so a snapshot shows what the terminal shows.
  Off by default: a filter over every line drawn (about 1 ms per full 160×48 frame, a fifth
  of drawing it), for nothing the person would see.
* otherwise: full colour (mode ``full``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

from tui.app.text.heat import ColourMode

if TYPE_CHECKING:
    from textual.app import App

FEW_COLOURS = ("standard", "windows")
"""Rich's names (``Console.color_system``) of the colour systems with 16 colours."""


def colour_mode(app: App[object]) -> ColourMode:
    """``none`` under ``NO_COLOR``, ``16`` on a 16-colour terminal, else ``full``."""
    if getattr(app, "no_color", False):
        return "none"
    if app.console.color_system in FEW_COLOURS:
        return "16"
    return "full"


@lru_cache(maxsize=4096)
def sixteen(style: Style) -> Style:
    """``style`` with its colours rounded to the 16-colour palette, as the terminal would."""
    color, bgcolor = style.color, style.bgcolor
    if color is not None and not color.is_default:
        color = color.downgrade(ColorSystem.STANDARD)
    if bgcolor is not None and not bgcolor.is_default:
        bgcolor = bgcolor.downgrade(ColorSystem.STANDARD)
    return style + Style(color=color, bgcolor=bgcolor)


class SixteenColours(LineFilter):
    """Rounds every colour on screen to the 16-colour palette (see the module docstring)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else sixteen(style), control)
            for text, style, control in segments
        ]


__all__ = ["FEW_COLOURS", "SixteenColours", "colour_mode", "sixteen"]
