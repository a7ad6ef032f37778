"""The app-level messages (tui/app/messages.py), observed with Textual's message hook: the app
and the history link tell the chat screen what happened instead of calling it, and widgets
hand copies and comparison samples up to the app."""

from __future__ import annotations

import threading

from tests.app.history_support import cat_answer, fill
from tests.app.support import RecordingBackend, make_app, send, wait_for
from tests.app.widgets.host import Recorder
from tui.app.messages import (
    BackendFailed,
    BackendReady,
    ConversationShown,
    CopyRequested,
    Note,
    SampleChosen,
    SessionChanged,
)
from tui.app.screens.main import MainScreen
from tui.app.screens.sample import SampleScreen
from tui.core.conversation import Turn
from tui.core.errors import EngineError
from tui.core.settings import Connection


async def test_the_backend_opening_is_told_to_the_chat_screen(scripted):
    release = threading.Event()
    backend = RecordingBackend(Connection(scripted.base_url), "Tiny (built-in)")
    app = make_app(backend=None, backend_factory=lambda: release.wait(10) and backend)
    seen = Recorder()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await pilot.pause()
        assert not seen.of(BackendReady)
        release.set()
        await wait_for(pilot, lambda: bool(seen.of(BackendReady)))
        # The model was asked from the server afterwards: the status line is told again.
        await wait_for(pilot, lambda: bool(seen.of(SessionChanged)))
        assert "Tiny (built-in)" in app.main.status.text


async def test_a_backend_that_fails_is_told_with_its_reason(scripted):
    def broken() -> RecordingBackend:
        raise EngineError("model file not found: /nowhere.gguf")

    app = make_app(backend=None, backend_factory=broken)
    seen = Recorder()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_for(pilot, lambda: bool(seen.of(BackendFailed)))
    assert [m.reason for m in seen.of(BackendFailed)] == ["model file not found: /nowhere.gguf"]


async def test_the_history_link_shows_conversations_by_message(scripted):
    fill([{"questions": ["saved one", "saved two"]}])
    app = make_app(scripted)
    seen = Recorder()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_for(pilot, lambda: len(app.main.chat.views) == 2)
        (shown,) = seen.of(ConversationShown)
        assert [t.question for t in shown.turns] == ["saved one", "saved two"]
        app.main.dialogs.new_conversation()
        await wait_for(pilot, lambda: app.main.chat.views == [])
    assert [len(m.turns) for m in seen.of(ConversationShown)] == [2, 0]


async def test_a_store_problem_is_a_note_in_the_chat(scripted):
    app = make_app(scripted)
    seen = Recorder()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await app.history.ready.wait()
        app.history.report("history: the disk is full")
        app.history.report("history: the disk is full")  # said once
        await wait_for(pilot, lambda: bool(seen.of(Note)))
        await pilot.pause()
    assert [(m.text, m.kind) for m in seen.of(Note)] == [("history: the disk is full", "error")]


async def test_copies_and_samples_go_up_to_the_app(scripted):
    app = make_app(scripted)
    seen = Recorder()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await send(pilot, "q")
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: app.clipboard == "Hello world!")
        assert [m.what for m in seen.of(CopyRequested)] == ["the answer text"]
        # A comparison's sample, chosen anywhere, opens on the sample screen.
        turn = Turn("what is it?", answer=cat_answer())
        app.main.post_message(SampleChosen(turn, 4, "1. polite · sample #4"))
        await wait_for(pilot, lambda: isinstance(app.screen, SampleScreen))
        await pilot.pause()
        assert app.screen.chat.views[0].header_text.startswith("#4 ·")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
