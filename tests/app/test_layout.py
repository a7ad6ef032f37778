"""Narrow (80×24 over SSH) and wide (160×48) layouts; the side pane toggle."""

from __future__ import annotations

from tests.app.support import TOKENS, make_app, send
from tests.support.scripted_server import Reply, stream_of


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
        await pilot.press("f4")
        await pilot.pause()
        assert not pane.display
        assert log.region.width >= 150
        await pilot.press("f4")
        await pilot.pause()
        assert pane.display


async def test_narrow_layout_gives_the_chat_the_width_and_f4_swaps_in_the_pane(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "q")
        screen = app.main
        pane, log = screen.query_one("#pane"), screen.chat
        assert screen.has_class("-narrow")
        assert pane.region.height == 0  # under the chat, empty until the token cursor is on
        assert log.region.width >= 78 and log.region.bottom == screen.input.region.y
        assert screen.status.region.height == 1 and screen.input.region.height >= 3
        await pilot.press("f4")
        await pilot.pause()
        assert pane.display and not screen.query_one("#chat-area").display
        assert pane.region.width >= 78 and pane.region.height >= 18
        assert "Answer #1 · complete" in str(screen.pane.stats.render())
        assert screen.pane.json_view.region.height >= 4
        status = screen.status.text
        assert len(status) <= 80 and "T0.7" in status and "k5" in status
        await pilot.press("f4")
        await pilot.pause()
        assert log.display and log.region.width >= 78


async def test_resizing_moves_between_layouts(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.main.has_class("-wide")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.main.has_class("-narrow") and app.main.pane.region.height == 0
