"""Snapshots of the main screen (SVG, compared by pytest-textual-snapshot).

Deterministic: fixed answers from the scripted server, a fake clock for the timings, no
cursor blink, no notifications. Update with ``uv run pytest tests/app/test_snapshots.py
--snapshot-update`` after looking at the report.
"""

from __future__ import annotations

import math

from tests.app.support import make_app, wait_for
from tests.support.scripted_server import Reply, stream_of

# Japanese, as the users write it: wide characters must line up.
JAPANESE = [
    ("猫", math.log(0.92), [("猫", math.log(0.92)), ("犬", math.log(0.05))]),
    ("は", math.log(0.97), [("は", math.log(0.97)), ("が", math.log(0.02))]),
    ("マット", math.log(0.45), [("マット", math.log(0.45)), ("床", math.log(0.3))]),
    ("の", math.log(0.99), [("の", math.log(0.99))]),
    ("上", math.log(0.88), [("上", math.log(0.88)), ("横", math.log(0.07))]),
    ("に", math.log(0.95), [("に", math.log(0.95))]),
    ("座りました", math.log(0.06), [("いました", math.log(0.7)), ("座りました", math.log(0.06))]),
    ("。", math.log(0.9), [("。", math.log(0.9)), ("!", math.log(0.05))]),
]
ENGLISH = [
    ("The", math.log(0.9), [("The", math.log(0.9)), ("A", math.log(0.08))]),
    (" cat", math.log(0.5), [(" cat", math.log(0.5)), (" dog", math.log(0.3))]),
    (" sat", math.log(0.04), [(" ran", math.log(0.6)), (" sat", math.log(0.04))]),
    (".", math.log(0.85), [(".", math.log(0.85)), ("!", math.log(0.1))]),
]


def _app(scripted, **options):
    scripted.queue(Reply.sse(stream_of(ENGLISH)), Reply.sse(stream_of(JAPANESE)))
    return make_app(scripted, **options)


async def _two_answers_with_heatmap(pilot) -> None:
    app = pilot.app
    for question in ("Where did the cat sit?", "猫はどこに座りましたか？"):
        app.main.input.insert(question)
        await pilot.press("enter")
        n = len(app.main.chat.views)
        await wait_for(pilot, lambda n=n: n and app.main.chat.views[n - 1].turn.answer is not None)
    await pilot.press("f5")
    await pilot.pause()


async def _with_cursor_on_least_likely(pilot) -> None:
    await _two_answers_with_heatmap(pilot)
    await pilot.press("escape", "m")
    await pilot.pause()


def test_wide_main_screen_with_heatmap_and_inspector(scripted, snap_compare):
    assert snap_compare(
        _app(scripted), terminal_size=(160, 48), run_before=_with_cursor_on_least_likely
    )


def test_narrow_main_screen_with_the_token_cursor(scripted, snap_compare):
    """80×24: the answer above, its headline numbers and the cursor's token strip under it."""
    assert snap_compare(
        _app(scripted), terminal_size=(80, 24), run_before=_with_cursor_on_least_likely
    )


def test_narrow_main_screen_welcomes_an_empty_chat(scripted, snap_compare):
    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: pilot.app.main.chat.welcome is not None)
        await pilot.pause()

    assert snap_compare(_app(scripted), terminal_size=(80, 24), run_before=run_before)


def test_narrow_main_screen_without_colour(scripted, snap_compare, monkeypatch):
    """NO_COLOR: heat tiers by attributes (bold underline, underline, plain, dim), the
    cursor in reverse video."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(
        _app(scripted), terminal_size=(80, 24), run_before=_with_cursor_on_least_likely
    )


def test_narrow_main_screen_in_16_colours(scripted, snap_compare, monkeypatch):
    """TERM=xterm: every colour rounded to the 16 the terminal has (as its output is: see
    ``round_colours``); heat tiers on its red and yellow plus attributes, the cursor in
    reverse video."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = _app(scripted, round_colours=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_with_cursor_on_least_likely)


def test_narrow_main_screen_with_the_pane_enlarged(scripted, snap_compare):
    async def run_before(pilot) -> None:
        await _with_cursor_on_least_likely(pilot)
        await pilot.press("f4")
        await pilot.pause()

    assert snap_compare(_app(scripted), terminal_size=(80, 24), run_before=run_before)


def test_narrow_main_screen_with_the_system_prompt_modal(scripted, tmp_path, snap_compare):
    from tests.app.screens.host import freeze_cursors
    from tui.core.presets import PresetStore

    presets = PresetStore(tmp_path / "presets.toml")
    presets.save("polite", "あなたは親切なAIです。丁寧に答えてください。")
    presets.save("terse", "Answer in one word.")

    async def run_before(pilot) -> None:
        await _two_answers_with_heatmap(pilot)
        await pilot.press("f2")
        await pilot.pause()
        freeze_cursors(pilot.app)
        await pilot.pause()

    app = _app(scripted)
    app.presets = presets
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
