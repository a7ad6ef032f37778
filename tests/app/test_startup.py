"""Start-up and shutdown: screen first, backend in a thread, early questions wait, failures
are one line, ctrl+q closes everything."""

from __future__ import annotations

import subprocess
import sys
import threading

from tests.app.support import RecordingBackend, make_app, send, wait_for
from tui.app.session import STARTING
from tui.app.widgets.answer import SystemLine
from tui.core.errors import EngineError
from tui.core.settings import Connection


async def test_a_question_typed_while_the_engine_starts_is_sent_when_it_is_ready(scripted):
    release = threading.Event()
    backend = RecordingBackend(Connection(scripted.base_url), "Tiny (built-in)")

    def slow_start() -> RecordingBackend:
        release.wait(10)
        return backend

    app = make_app(backend=None, backend_factory=slow_start)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main
        assert STARTING in screen.status.text
        assert app.focused is screen.input
        screen.input.insert("early bird")
        await pilot.press("enter")
        await pilot.pause()
        view = screen.chat.views[0]
        assert view.turn.state == "queued"
        assert view.footer_text == "… waiting for the model"
        assert scripted.chat_requests() == []
        release.set()
        await wait_for(pilot, lambda: view.turn.answer is not None)
        assert view.turn.state == "complete"
        assert "Tiny (built-in)" in screen.status.text
        assert scripted.chat_requests()[0].json["messages"][-1]["content"] == "early bird"
        # No --model: the model was asked from the server (GET /models) and used.
        assert scripted.chat_requests()[0].json["model"] == "scripted-model"


async def test_an_engine_that_cannot_start_is_a_message_and_the_app_stays(scripted):
    def broken() -> RecordingBackend:
        raise EngineError("model file not found: /nowhere.gguf")

    app = make_app(backend=None, backend_factory=broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.session.backend_error is not None)
        await pilot.pause()
        note = app.main.query(SystemLine).last()
        assert str(note.render()) == "⚠ model file not found: /nowhere.gguf"
        await send(pilot, "anyone?")
        view = app.main.chat.views[0]
        assert view.turn.state == "error"
        assert "no model is available: model file not found" in view.error_text
        assert app.is_running


async def test_esc_cancels_a_question_still_waiting_for_the_engine():
    release = threading.Event()

    def never() -> RecordingBackend:
        release.wait(10)
        raise EngineError("gave up")

    app = make_app(backend=None, backend_factory=never)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.input.insert("q")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+c")
        assert app.main.chat.views[0].turn.state == "stopped"
        release.set()
        await wait_for(pilot, lambda: app.session.backend_error is not None)


async def test_ctrl_q_quits_cleanly_and_closes_the_backend(scripted):
    app = make_app(scripted)
    backend = app._given_backend
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
        # ctrl+q is Textual's own priority binding for the "quit" action (the end-to-end test
        # presses the real key); pressing it here would leave the pilot waiting on a closed app.
        assert any(b.action == "quit" for b in app._bindings.key_to_bindings["ctrl+q"])
        await app.run_action("quit")
    assert app.return_value == 0
    assert backend.closed == 1
    assert app.session.client is None


async def test_a_backend_that_opens_after_quitting_is_closed(scripted):
    release = threading.Event()
    started = threading.Event()
    backend = RecordingBackend(Connection(scripted.base_url), "late")

    def late() -> RecordingBackend:
        started.set()
        release.wait(10)
        return backend

    app = make_app(backend=None, backend_factory=late)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, started.is_set)  # the engine is starting...
        await app.run_action("quit")  # ...when the person quits
    release.set()

    for _ in range(200):  # the start-up thread finishes after the app has gone
        if backend.closed:
            break
        threading.Event().wait(0.05)
    assert backend.closed == 1


def test_the_first_screen_needs_no_http_client_and_no_other_command():
    # Start-up (tests/bench case 4): what the chat imports before its first screen. httpx is
    # the largest import of all (~60 ms of CPU), loaded in the background once the screen is
    # painted; the other subcommands' modules are not loaded at all.
    code = (
        "import sys; from tui.cli.main import build_parser; build_parser('chat'); "
        "import tui.app.app; "
        "print([m for m in ('httpx', 'tui.cli.score', 'tui.cli.compare') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
