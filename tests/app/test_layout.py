"""Narrow (80×24 over SSH), middle (120×30) and wide (160×48) layouts; the pane's F4.

At 80×24 an answer and its numbers are seen together (issue 15, item 1): the chat above a
compact pane (headline numbers, coverage, the token strip, a hint), F4 enlarges it to the
whole pane, and every stat is reachable the way the hint says.
"""

from __future__ import annotations

from tests.app.screens.host import screen_text
from tests.app.support import TEXT, TOKENS, make_app, send
from tests.support.scripted_server import Reply, stream_of, usage_chunk


def _short_of_two(tokens=TOKENS) -> list[dict]:
    """The answer's chunks, the usage counting two tokens more than the rows sent."""
    chunks = stream_of(tokens, usage=False)
    return [*chunks, usage_chunk(len(tokens) + 2)]


async def _page_down_to(pilot, words: str, presses: int = 5) -> None:
    """PgDn in the focused numbers until ``words`` are on screen (fails after ``presses``)."""
    for _ in range(presses):
        if words in screen_text(pilot.app):
            return
        await pilot.press("pagedown")
        await pilot.pause()
    assert words in screen_text(pilot.app)


async def test_wide_layout_shows_chat_and_pane_side_by_side(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        screen = app.main
        pane, log = screen.query_one("#pane"), screen.chat
        assert screen.has_class("-wide")
        assert pane.region.width >= 40 and log.region.width >= 80
        assert pane.region.x > log.region.x and pane.region.y == log.region.y
        assert screen.pane.json_view.region.height >= 8
        assert screen.pane.headline.region.y == pane.region.y  # the numbers head the pane
        await pilot.press("f4")
        await pilot.pause()
        assert not pane.display
        assert log.region.width >= 150
        await pilot.press("f4")
        await pilot.pause()
        assert pane.display


async def test_at_80_by_24_the_answer_and_its_numbers_are_seen_together(scripted):
    scripted.queue(Reply.sse(_short_of_two()))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "q")
        screen = app.main
        pane, log = screen.pane, screen.chat
        assert screen.has_class("-narrow")
        assert log.region.width >= 78 and log.region.height >= 10
        # The compact pane under the chat: headline (with coverage), then the hint.
        assert pane.headline.region.y >= log.region.bottom and pane.headline.region.height >= 1
        shown = screen_text(app)
        assert TEXT in shown
        headline = " ".join(pane.headline.render().plain.split())
        assert headline.startswith("Answer #1 · ✓ complete · covers 7 of 9 tokens · 7 tokens")
        assert "mean p" in headline and "min p 4.00% at #3" in headline
        assert "covers 7 of 9 tokens" in screen.chat.views[0].footer_text  # the chat line too
        assert "F4 every number · t token cursor · F5 heatmap" in shown
        assert screen.status.region.height == 1 and screen.input.region.height >= 3
        # The token cursor: its strip joins the compact pane, the answer stays in sight.
        await pilot.press("escape", "m")
        await pilot.pause()
        assert pane.strip.region.height == 2 and pane.strip.region.y > log.region.y
        assert "token #3 of 7  ␣sat  p 4.00%" in screen_text(app)
        assert TEXT in screen_text(app)


async def test_f4_enlarges_the_pane_and_every_stat_is_reachable_as_the_hint_says(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "q")
        screen = app.main
        pane = screen.pane
        await pilot.press("escape", "t", "f4")
        await pilot.pause()
        assert not screen.query_one("#chat-area").display
        assert pane.numbers.region.height >= 8 and pane.numbers.has_focus
        shown = screen_text(app)
        assert "↑↓ PgDn scroll the numbers · ←→ tokens · F9 raw JSON · F4 back to the chat" in shown
        assert "Token #1 of 7" in shown
        # The token cursor keys work in the numbers.
        await pilot.press("right", "right")
        assert pane.cursor == 2 and "Token #3 of 7" in screen_text(app)
        # The last rows (timings, finish, model) are a few keypresses away, as the hint says.
        assert "Time to first token" not in screen_text(app)
        await _page_down_to(pilot, "Coverage")
        await _page_down_to(pilot, "Time to first token")
        await _page_down_to(pilot, "Finish")
        await pilot.press("f4")
        await pilot.pause()
        assert screen.chat.display and screen.chat.has_focus and screen.chat.region.width >= 78
        assert pane.cursor == 2  # still on the same token


async def test_at_120_by_30_every_number_is_reachable_from_the_keyboard(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "q")
        screen = app.main
        await pilot.press("escape", "m")
        await pilot.pause()
        assert "Tab ↑↓ scroll numbers · F9 raw JSON · F4 hide" in screen_text(app)
        await pilot.press("tab")
        assert screen.pane.numbers.has_focus
        await _page_down_to(pilot, "Time to first token")
        await _page_down_to(pilot, "Finish")


async def test_resizing_moves_between_layouts(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.main.has_class("-wide")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        main = app.main
        assert main.has_class("-narrow")
        assert main.pane.json_view.region.height == 0 and main.pane.headline.region.height >= 1
