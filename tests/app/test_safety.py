"""Model text is data: markup shows literally, escape sequences are neutralised everywhere."""

from __future__ import annotations

import pytest

from tests.app.support import block_texts, make_app, send
from tests.support.scripted_server import Reply, stream_of

HOSTILE = [
    ("[/INST]", -0.2),
    (" [bold]x[/bold]", -0.3),
    (" [link=https://evil.example]click[/link]", -0.4),
    (" \x1b]0;pwned-title\x07", -0.5),
    (" \x1b]52;c;SElKQUNLRUQ=\x07", -0.6),
    (" \x1b[31mred\x1b[0m", -0.7),
    (" \x1b[200~paste\x1b[201~", -0.8),
]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_hostile_answer_is_shown_literally_and_neutralised(scripted, size):
    scripted.queue(Reply.sse(stream_of(HOSTILE, model="[red]m\x1b]0;x\x07")))
    app = make_app(scripted)
    async with app.run_test(size=size, notifications=True) as pilot:
        await send(pilot, "[/INST] \x1b]0;q\x07")
        shown = block_texts(app)
        assert "[/INST] [bold]x[/bold] [link=https://evil.example]click[/link]" in shown
        assert "␛]0;pwned-title␇" in shown
        assert "␛]52;c;SElKQUNLRUQ=␇" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        # Heatmap, token cursor on every token, stats, JSON: nothing crashes, nothing leaks.
        await pilot.press("f5", "escape", "t")
        for _ in HOSTILE:
            await pilot.press("right")
        await pilot.press("c", "s", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "\x1b" not in app.clipboard
        chat = app.export_screenshot()
        assert "[/INST]" in chat and "␛]0;pwned-title␇" in chat
        await pilot.press("f4")  # narrow: the pane instead of the chat; wide: hide the pane
        await pilot.pause()
        for svg in (chat, app.export_screenshot()):
            assert "\x1b" not in svg and "\x07" not in svg
        for line in range(app.main.pane.json_view.doc.line_count):
            assert "\x1b" not in app.main.pane.json_view.doc.line(line)
        assert app.is_running


async def test_hostile_server_error_message_is_plain_in_chat_and_notifications(scripted):
    scripted.queue(Reply.json({"error": {"message": "[/oops] \x1b]0;t\x07"}}, status=400))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await send(pilot, "q")
        error = app.main.chat.views[-1].error_text
        assert "[/oops]" in error and "␛]0;t␇" in error
