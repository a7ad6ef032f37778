"""The footer at 80 columns (issue 15, item 3): whole keys only (no stray letter at the right
edge), F4 labelled, what matters in the current context first, and ``r Reasoning`` only for
an answer that has reasoning."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.app.screens.host import screen_text
from tests.app.support import TOKENS, make_app, send, wait_for
from tests.support.scripted_server import Reply, Stall, chat_chunk, stream_of, token_row
from tui.app.widgets.key_footer import KeyFooter


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


def shown_keys(app) -> list[tuple[str, str]]:
    footer = app.main.query_one(KeyFooter)
    return [(key.key_display, key.description) for key in footer.query("FooterKey")]


async def test_whole_keys_f4_labelled_and_the_focused_widget_s_keys_first(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "q")
        firsts = {}
        for context, keys in (("input", ()), ("log", ("escape",)), ("cursor", ("t",))):
            await pilot.press(*keys)
            await pilot.pause()
            line = footer_line(app)
            # The palette key ends the line (no stray letter after it) and no key is cut.
            assert line.rstrip().endswith("^p palette"), line
            for key, description in shown_keys(app):
                if description:
                    assert f"{key} {description}" in line, (key, description, line)
            firsts[context] = line
        assert firsts["input"].startswith("⏎ Send") and "f4 Numbers" in firsts["input"]
        assert firsts["log"].startswith("↑k Prev ↓j Next") and "t Tokens" in firsts["log"]
        assert "←→ Move" in firsts["cursor"]  # the cursor's keys, once it is on


async def test_stop_comes_first_while_an_answer_streams(scripted):
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main.input.insert("q")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.chat.busy and "^c Stop" in footer_line(app))
        assert footer_line(app).startswith("^c Stop")
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not app.main.chat.busy)


async def test_reasoning_key_only_for_an_answer_with_reasoning(scripted):
    thinking = [
        chat_chunk(role=True, content=""),
        chat_chunk(reasoning="Think", rows=[token_row("Think", -0.3)]),
        chat_chunk(content="Done", rows=[token_row("Done", -0.05)]),
        chat_chunk(finish="stop"),
    ]
    scripted.queue(Reply.sse(stream_of(TOKENS)), Reply.sse(thinking))
    app = make_app(scripted)
    async with app.run_test(size=(160, 24)) as pilot:
        await send(pilot, "plain")
        await send(pilot, "thinking")
        await pilot.press("escape")  # the log, on the latest answer: it has reasoning
        await pilot.pause()
        assert ("r", "Reasoning") in shown_keys(app)
        await pilot.press("up")  # the first answer: none
        await pilot.pause()
        assert "Reasoning" not in [d for _, d in shown_keys(app)]
        assert "Reasoning" not in footer_line(app)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(scripted):
    """Bindings are refreshed when a turn starts or ends and as keys are typed: rebuilding
    the footer's fifteen widgets each time cost ~10 ms on the screen's loop mid-stream."""
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = list(app.main.query(FooterKey))
        line = footer_line(app)
        for _ in range(3):
            app.main.refresh_bindings()
            await pilot.pause()
        assert list(app.main.query(FooterKey)) == before  # the same widgets: not rebuilt
        assert footer_line(app) == line
        await pilot.press("escape")  # the log has the focus: other keys first
        await pilot.pause()
        assert list(app.main.query(FooterKey)) != before
        assert footer_line(app).startswith("↑k Prev ↓j Next")
