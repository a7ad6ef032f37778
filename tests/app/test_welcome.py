"""The welcome of an empty chat (issue 15, item 4): what to type and the keys that matter
first, the built-in model said to be a tiny demo; gone after the first question, shown again
by F1."""

from __future__ import annotations

from tests.app.screens.host import screen_text
from tests.app.support import TOKENS, make_app, send, wait_for
from tests.support.scripted_server import Reply, stream_of
from tui.app.screens.help import HelpScreen
from tui.core.backend import Backend
from tui.core.settings import Connection


class BuiltIn:
    """Stands for the embedded engine a built-in backend carries."""

    def stop(self) -> None:
        pass


async def test_an_empty_chat_welcomes_then_the_first_question_clears_it(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    backend = Backend(Connection(scripted.base_url, model="m"), "built-in", engine=BuiltIn())  # type: ignore[arg-type]
    app = make_app(scripted, backend=backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Type a question below" in screen_text(app))
        shown = screen_text(app)
        assert "Type a question below and press Enter. Then:" in shown
        for line in ("F4  every number", "F5  heatmap", "t   token cursor", "F2  system prompt"):
            assert line in shown, line
        assert "F1  every key" in shown
        lines = [line.rstrip() for line in shown.splitlines()]
        assert any(line.endswith("tiny English demo: expect odd") for line in lines)
        assert "--base-url http://HOST:8000/v1" in shown
        await send(pilot, "q")
        assert "Type a question below" not in screen_text(app)
        assert app.main.chat.welcome is None
        # F1 shows it again, above every key.
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        help_text = screen_text(app)
        assert "Getting started" in help_text and "Type a question below" in help_text
        assert help_text.index("Getting started") < help_text.index("General")
        await pilot.press("escape")
        # A new conversation is an empty chat again: welcomed again.
        app.history.start_new()
        await wait_for(pilot, lambda: "Type a question below" in screen_text(app))
