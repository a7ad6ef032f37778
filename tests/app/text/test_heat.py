"""The heat scale follows the theme and adds a non-colour cue below the threshold."""

import math

from textual.app import App
from textual.color import Color

from tui.app.text.heat import LEVELS, TINT, HeatPalette, heat_level, scale_colours


def distance(a: Color, b: Color) -> int:
    return abs(a.r - b.r) + abs(a.g - b.g) + abs(a.b - b.b)


def test_levels_cover_zero_to_one():
    assert heat_level(0.0) == 0
    assert heat_level(0.099) == 0
    assert heat_level(0.1) == 1
    assert heat_level(0.95) == LEVELS - 1
    assert heat_level(1.0) == LEVELS - 1
    assert heat_level(None) is None
    assert heat_level(math.nan) is None


def test_scale_runs_from_low_through_mid_to_high():
    low, mid, high = Color(255, 0, 0), Color(255, 255, 0), Color(0, 255, 0)
    colours = scale_colours(low, mid, high, 4)
    assert len(colours) == 4
    assert colours[0].r == 255 and colours[0].g < 128  # mostly red
    assert colours[-1].g == 255 and colours[-1].r < 128  # mostly green


def test_palette_uses_the_theme_colours_and_marks_low_tokens():
    variables = App().get_css_variables()
    palette = HeatPalette.from_variables(variables, threshold=0.1)
    low = palette.style_for(math.log(0.05))
    high = palette.style_for(math.log(0.99))
    mid = palette.style_for(math.log(0.5))
    assert low.bold and low.underline
    assert not high.bold and not high.underline
    assert not mid.underline
    assert low.background != high.background
    # The lowest level leans to the theme's error colour, the highest to its success colour.
    background = Color.parse(variables["background"])
    toward_error = background.blend(Color.parse(variables["error"]), TINT)
    toward_success = background.blend(Color.parse(variables["success"]), TINT)
    assert distance(low.background, toward_error) < distance(low.background, toward_success)
    assert distance(high.background, toward_success) < distance(high.background, toward_error)
    assert palette.style_for(None).italic


def test_another_theme_gives_other_colours():
    app = App()
    dark = HeatPalette.from_variables(app.get_css_variables(), 0.1)
    app.theme = "textual-light"
    light = HeatPalette.from_variables(app.get_css_variables(), 0.1)
    assert dark.levels[5].background != light.levels[5].background


def _tier_signature(style) -> tuple:
    return (style.bold, style.underline, style.dim, style.background)


def test_without_colour_four_tiers_tell_the_probabilities_apart():
    palette = HeatPalette.from_variables(App().get_css_variables(), 0.1, mode="none")
    low, unsure, middling, sure = (palette.style_for(math.log(p)) for p in (0.05, 0.3, 0.7, 0.95))
    assert low.bold and low.underline
    assert unsure.underline and not unsure.bold
    assert not (middling.underline or middling.bold or middling.dim)
    assert sure.dim
    signatures = {_tier_signature(s) for s in (low, unsure, middling, sure)}
    assert len(signatures) == 4  # no colour needed to tell them apart
    assert all(s.background is None for s in (low, unsure, middling, sure))
    # The cursor is reverse video, which no tier uses.
    assert palette.cursor.reverse and not any(s.reverse for s in (low, unsure, middling, sure))
    assert palette.style_for(None).italic
    assert [words for words, _ in palette.tiers()] == ["p < 10%", "< 50%", "< 90%", "≥ 90%"]


def test_sixteen_colours_use_the_palette_s_own_red_and_yellow():
    from rich.color import Color as RichColor
    from rich.color import ColorSystem

    palette = HeatPalette.from_variables(App().get_css_variables(), 0.1, mode="16")
    low, unsure = palette.style_for(math.log(0.05)), palette.style_for(math.log(0.3))
    for style, name in ((low, "red"), (unsure, "bright_yellow")):
        rich = RichColor.parse(style.background.hex).downgrade(ColorSystem.STANDARD)
        assert (
            rich.name == RichColor.parse(name).name or rich.number == RichColor.parse(name).number
        )
    assert low.bold and low.underline and unsure.underline
    assert palette.style_for(math.log(0.95)).dim


def test_full_colour_keeps_the_theme_scale_and_a_reverse_cursor():
    palette = HeatPalette.from_variables(App().get_css_variables(), 0.1)
    assert palette.mode == "full" and len(palette.swatches) == LEVELS
    assert palette.cursor.reverse
