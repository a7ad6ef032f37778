"""Faults in the TUI (Textual pilot, scripted server): a 1 MB token under the token cursor and
in the JSON pane, tokens full of characters that must not reach the terminal, a 1 MB paste, a
very long question, and a crash whose report must not carry the API key."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from textual import events

from tests.app.support import RecordingBackend, block_texts, make_app, send, wait_for
from tests.support.scripted_server import Reply, Reset, Stall, stream_of
from tui.app.text.inspect import MAX_SHOWN_CHARS
from tui.app.text.json_lines import MAX_LINE_CHARS
from tui.app.widgets.prompt_input import MAX_INPUT_CHARS
from tui.core.settings import Connection

ROOT = Path(__file__).resolve().parents[2]
BIG = "x" * 1_000_000


async def test_a_1_mb_token_is_cut_in_the_inspector_and_the_json_pane(scripted):
    tokens = [("a", -0.1), (BIG, -0.2), ("\u202eevil\u2067", -0.3), ("t\tab\rcr\u200b", -0.4)]
    scripted.queue(Reply.sse(stream_of(tokens)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        # The answer keeps every character; the chat shows the controls as symbols.
        text = app.main.chat.views[-1].turn.answer.text
        assert text == "a" + BIG + "\u202eevil\u2067t\tab\rcr\u200b"
        shown = block_texts(app)
        assert "\u202e" not in shown and "\u2067" not in shown and "\r" not in shown
        assert "\ufffdevil\ufffd" in shown and "ab␍cr" in shown
        started = time.monotonic()
        await pilot.press("escape", "t", "right")  # token cursor onto the 1 MB token
        await pilot.pause()
        inspector = str(app.main.pane.inspector.render())
        assert f"… (+{1_000_000 - MAX_SHOWN_CHARS:,} characters)" in inspector
        assert "… (1,000,000 bytes)" in inspector
        assert len(inspector) < 3000
        doc = app.main.pane.json_view.doc
        lines = [doc.line(i) for i in range(doc.line_count)]
        assert max(len(line) for line in lines) < MAX_LINE_CHARS + 50
        assert any("more characters)" in line for line in lines)
        for _ in range(2):
            await pilot.press("right")
        await pilot.pause()
        inspector = str(app.main.pane.inspector.render())
        assert "\u202e" not in inspector and "\r" not in inspector and "t→ab␍cr" in inspector
        app.export_screenshot()
        # Before the cut this took 14 s (laying out 3 MB of hex); now well under a second.
        assert time.monotonic() - started < 5
        # Narrow: the two-line token strip under the chat is cut the same way.
        await pilot.press("left", "left")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        strip = str(app.main.pane.strip.render())
        assert f"… (+{1_000_000 - MAX_SHOWN_CHARS:,} characters)" in strip and len(strip) < 1000
        assert app.is_running


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        (Stall(), "sent nothing for 0.3 s; gave up waiting"),
        (Reset(), "connection reset by the server"),
    ],
    ids=["stall", "reset"],
)
async def test_a_stream_that_stalls_or_resets_keeps_the_partial_answer(scripted, ending, message):
    scripted.queue(Reply.sse([*stream_of([("Half", -0.1), (" an", -0.2)])[:3], ending], done=False))
    connection = Connection(scripted.base_url, model="scripted-model", read_timeout=0.3)
    app = make_app(scripted, backend=RecordingBackend(connection, "scripted"))
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
        view = app.main.chat.views[-1]
        assert view.turn.state == "error"
        assert view.turn.answer.text == "Half an" and len(view.turn.answer.tokens) == 2
        assert message in view.error_text and "\n" not in view.error_text
        assert block_texts(app) == "Half an"
        await send(pilot, "again")  # the chat goes on
        assert app.main.chat.views[-1].turn.answer.text == "Hello world!"


async def test_pasting_1_mb_keeps_what_fits_says_so_and_sends_it(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.main.input.focus()
        app.main.input.insert("Summarise: ")
        await pilot.pause()
        app.post_message(events.Paste("y" * 1_000_000))  # as the terminal driver sends it
        await wait_for(pilot, lambda: bool(app._notifications))
        assert len(app.main.input.text) == MAX_INPUT_CHARS
        kept = MAX_INPUT_CHARS - len("Summarise: ")
        (note,) = [n.message for n in app._notifications]
        assert note == (
            f"pasted 1,000,000 characters; the input holds at most {MAX_INPUT_CHARS:,}: "
            f"kept {kept:,}, left out {1_000_000 - kept:,}"
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(scripted.chat_requests()))
        await wait_for(pilot, lambda: app.main.chat.views[-1].turn.answer is not None)
        question = scripted.chat_requests()[-1].json["messages"][-1]["content"]
        assert question == "Summarise: " + "y" * kept
        assert app.main.chat.views[-1].turn.answer.text == "Hello world!"
        # A paste into a full input adds nothing and says so.
        app.main.input.insert("z" * MAX_INPUT_CHARS)
        app.post_message(events.Paste("more"))
        await wait_for(pilot, lambda: len(app._notifications) == 2)
        assert len(app.main.input.text) == MAX_INPUT_CHARS


def test_a_crash_report_has_no_locals_and_no_api_key(scripted):
    # A real (headless) run whose code fails: the report Textual prints on the way out is the
    # one people paste into bug reports. Textual's own shows every frame's locals.
    key = "sk-crash-report-secret-424242"
    script = textwrap.dedent(
        f"""
        import sys
        from tui.app.app import LogprobChatApp
        from tui.core.backend import Backend
        from tui.core.settings import Connection

        KEY = {key!r}

        class Failing(LogprobChatApp):
            def on_ready(self):
                self.set_timer(0.05, self.fail)

            def fail(self):
                connection = Connection({scripted.base_url!r}, api_key=KEY)
                header = "Authorization: Bearer " + KEY + " \\x1b]0;t\\x07"
                raise RuntimeError(f"request to {{connection.base_url}} with {{header}}")

        backend = Backend(Connection({scripted.base_url!r}, api_key=KEY, model="m"), "scripted")
        app = Failing(backend=backend)
        app.run(headless=True)
        sys.exit(app.return_code)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TEXTUAL": ""},
        timeout=60,
    )
    report = result.stderr
    flat = " ".join(report.split())  # (the report is wrapped to the terminal's width)
    assert result.returncode == 1
    assert "logprob-chat stopped on an unexpected error" in flat
    assert "RuntimeError: request to http://127.0.0.1:" in flat
    assert "Authorization: Bearer ***" in flat and "␛]0;t␇" in flat
    assert key not in report.replace("\n", "") + result.stdout  # not even cut by a wrap
    assert "locals" not in report and "\x1b]" not in report
