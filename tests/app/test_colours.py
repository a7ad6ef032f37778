"""Terminals without colour and with 16 (issue 15, item 12): the heat tiers read without
colour, the token cursor is reverse video, the app rounds its colours as a 16-colour terminal
would. (Snapshots of both: ``tests/app/test_snapshots.py``.)"""

from __future__ import annotations

import math

import pytest
from rich.color import ColorType
from rich.style import Style

from tests.app.support import TOKENS, make_app, send
from tests.support.scripted_server import Reply, stream_of
from tui.app.colours import sixteen


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({"NO_COLOR": "1"}, "none"),
        ({"TERM": "xterm", "COLORTERM": None}, "16"),
        ({"TERM": "screen", "COLORTERM": None}, "16"),
        ({"TERM": "xterm-256color", "COLORTERM": None}, "full"),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, "full"),
    ],
)
def test_the_mode_follows_the_terminal(monkeypatch, env, mode):
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    app = make_app()
    assert app.colour_mode == mode and app._sixteen is None  # rounding is the terminal's
    rounding = make_app(round_colours=True)
    assert (rounding._sixteen is not None) == (mode == "16")


def test_sixteen_colours_round_every_colour_as_the_terminal_would():
    rounded = sixteen(Style(color="#3a8fd0", bgcolor="#1e1e1e", bold=True))
    assert rounded.color.type == ColorType.STANDARD and rounded.bgcolor.type == ColorType.STANDARD
    assert rounded.bold
    assert sixteen(Style(color="default")).color.is_default


def _token_styles(app) -> list[Style]:
    """The heat style of each answer token, as its block draws it."""
    view = app.main.chat.views[-1]
    track = view.answer_track
    heat = view.text_view.heat
    return [heat.style_for(track.heat_logprob(i)) for i in range(len(track.tokens))]


async def test_without_colour_the_tiers_and_the_cursor_still_read(scripted, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "q")
        await pilot.press("f5", "escape", "m")
        await pilot.pause()
        styles = _token_styles(app)
        probs = [math.exp(lp) for _, lp, _ in TOKENS]
        for p, style in zip(probs, styles, strict=True):
            assert style.background is None  # no colour at all
            assert bool(style.bold and style.underline) == (p < 0.1)
            assert bool(style.underline) == (p < 0.5)
            assert bool(style.dim) == (p >= 0.9)
        pane = app.main.pane
        assert pane.palette.cursor.reverse and not any(s.reverse for s in styles)
        legend = pane.legend.render().plain
        assert "p < 10% · < 50% · < 90% · ≥ 90%" in legend and "cursor reverse" in legend
