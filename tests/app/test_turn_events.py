"""Turn listeners (the store's hook): asked before the request, progress while streaming,
finished at the end; a failing listener is reported once and dropped, the chat goes on."""

from __future__ import annotations

from tests.app.support import TOKENS, make_app, send
from tests.support.scripted_server import Gate, Reply, stream_of
from tui.app.widgets.answer import SystemLine


class Recorder:
    def __init__(self, scripted, gate: Gate | None = None) -> None:
        self.scripted = scripted
        self.gate = gate
        self.events: list[tuple[str, object]] = []

    def turn_asked(self, turn) -> None:
        # Called before the request goes out: the server has not seen it yet.
        self.events.append(("asked", (turn.question, len(self.scripted.chat_requests()))))

    def turn_progress(self, turn, builder) -> None:
        self.events.append(("progress", len(builder.answer.tokens)))
        if self.gate is not None:
            self.gate.open()  # progress was reported mid-stream: let the rest come

    def turn_finished(self, turn) -> None:
        self.events.append(("finished", turn.answer.status))


class Broken:
    def turn_asked(self, turn) -> None:
        raise OSError("database is locked")


async def test_listeners_follow_a_turn_in_order(scripted):
    # The stream holds after three tokens until a repaint tick has reported progress (a
    # pause of 0.2 s there was not always crossed by a tick on a loaded machine).
    chunks = stream_of(TOKENS)
    gate = Gate()
    scripted.queue(Reply.sse([*chunks[:4], gate, *chunks[4:]]))
    app = make_app(scripted)
    recorder = Recorder(scripted, gate)
    app.turn_listeners.append(recorder)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
    names = [name for name, _ in recorder.events]
    assert recorder.events[0] == ("asked", ("q", 0))
    assert names[-1] == "finished" and recorder.events[-1][1] == "complete"
    progress = [n for name, n in recorder.events if name == "progress"]
    assert progress and progress == sorted(progress) and progress[0] < len(TOKENS)


async def test_a_failing_listener_is_reported_and_the_chat_goes_on(scripted):
    app = make_app(scripted)
    app.turn_listeners.append(Broken())
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
        await pilot.pause()
        assert app.main.chat.views[-1].turn.state == "complete"
        note = app.main.query(SystemLine).last()
        assert str(note.render()) == "⚠ Broken stopped working: OSError: database is locked"
        assert not any(isinstance(listener, Broken) for listener in app.turn_listeners)
        assert app.turn_listeners == [app.history]  # the history store keeps listening
        await send(pilot, "again")
        assert len(app.main.query(SystemLine)) == 1
