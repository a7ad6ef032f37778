"""Keep-alive pings must not keep a dead answer alive (issue 17, item 10): SSE comments, empty
events and empty deltas are not progress, so the read timeout still ends a stream that sends
nothing else; the client says the server is alive meanwhile (``ServerAlive``), ctrl+c stops such
a stream in the chat, and ``ask --deadline`` bounds a whole answer for scripts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.app.support import RecordingBackend, make_app, wait_for
from tests.faults.support import chat_request, client_for
from tests.support.scripted_server import Pause, Reply, chat_chunk, stream_of
from tui.core.answer import AnswerBuilder
from tui.core.errors import RequestTimeout
from tui.core.settings import Connection
from tui.core.wire import events

ROOT = Path(__file__).resolve().parents[2]
START = [chat_chunk(content="", role=True), chat_chunk(content="Half", rows=[])]


def _pinging(keepalive: str, seconds: float = 60.0, every: float = 0.1) -> Reply:
    """The answer starts, then only ``keepalive`` every ``every`` s for ``seconds``."""
    pieces: list[object] = list(START)
    for _ in range(int(seconds / every)):
        pieces += [Pause(every), keepalive]
    return Reply.sse(pieces, done=False)


KEEPALIVES = {
    "comment": ": ping",
    "empty event": "",
    "named ping": "event: ping",
    "empty delta": 'data: {"choices": [{"index": 0, "delta": {}}]}',
}


@pytest.mark.parametrize("keepalive", KEEPALIVES.values(), ids=KEEPALIVES.keys())
async def test_keepalives_alone_do_not_defeat_the_read_timeout(scripted, keepalive):
    scripted.queue(_pinging(keepalive))
    builder = AnswerBuilder()
    alive: list[float] = []
    started = time.monotonic()
    async with client_for(scripted, read_timeout=0.6) as client:

        async def consume() -> None:
            async for event in client.chat(chat_request()):
                builder.apply(event)
                if type(event).__name__ == "ServerAlive":
                    alive.append(event.idle)  # type: ignore[attr-defined]

        with pytest.raises(RequestTimeout) as caught:
            await asyncio.wait_for(consume(), 10)
    assert time.monotonic() - started < 5
    assert "sent only keep-alives" in str(caught.value) and "0.6 s" in str(caught.value)
    assert builder.text == "Half"  # the partial answer is kept
    assert getattr(events, "ServerAlive", None) is not None
    assert alive and alive == sorted(alive) and alive[-1] <= 0.6 + 0.3


def _ask(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "ask", "--no-save", *args],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=timeout,
    )  # fmt: skip


def test_ask_with_a_read_timeout_ends_a_stream_of_pings(scripted):
    scripted.queue(_pinging(": ping", every=0.2))
    started = time.monotonic()
    result = _ask("--base-url", scripted.base_url, "--model", "m", "--read-timeout", "1", "Hi")
    assert time.monotonic() - started < 15
    assert result.returncode == 1 and "Half" in result.stdout
    (line,) = result.stderr.splitlines()
    assert "sent only keep-alives" in line


def test_ask_deadline_bounds_an_answer_that_keeps_coming(scripted):
    slow = stream_of([(f"w{i} ", -0.1) for i in range(100)])
    scripted.queue(Reply.sse(slow, interval=0.1))  # a token every 0.1 s: 10 s in all
    started = time.monotonic()
    result = _ask("--base-url", scripted.base_url, "--model", "m", "--deadline", "1.5", "Hi")
    took = time.monotonic() - started
    assert result.returncode == 1 and 1.5 <= took < 8
    assert result.stdout.startswith("w0 w1 ")  # what arrived is printed
    (line,) = result.stderr.splitlines()
    assert "no complete answer within --deadline 1.5 s" in line
    assert "--deadline SECONDS" in " ".join(_ask("--help").stdout.split())


async def test_ctrl_c_stops_a_stream_of_pings_in_the_chat(scripted):
    scripted.queue(_pinging(": ping"))
    connection = Connection(scripted.base_url, model="scripted-model", read_timeout=30)
    app = make_app(scripted, backend=RecordingBackend(connection, "scripted"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.input.focus()
        app.main.input.insert("q")
        await pilot.press("enter")
        views = app.main.chat.views
        await wait_for(pilot, lambda: bool(views) and views[-1].turn.live)
        await wait_for(pilot, lambda: app.main.chat.views[-1].turn.live.text == "Half")
        # Pings only, now: the chat line and the pane say the server is alive but silent.
        view = app.main.chat.views[-1]
        await wait_for(pilot, lambda: "server alive, no tokens for" in view.footer_text)
        assert view.footer_text.startswith("… streaming · 0 tokens · server alive, no tokens for")
        assert view.footer_text.endswith("s (ctrl+c stops)")
        # The pane follows on the tick's message, a moment after the line.
        await wait_for(pilot, lambda: "server alive" in app.main.pane.headline.render().plain)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: app.main.chat.views[-1].turn.answer is not None, timeout=3)
        answer = app.main.chat.views[-1].turn.answer
        assert answer.status == "stopped" and answer.text == "Half"
        assert app.is_running
