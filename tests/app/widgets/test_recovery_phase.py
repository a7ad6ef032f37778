"""The chat log's recovery phase, with fake hooks (issue 11 in the TUI): after a complete
answer whose rows llama.cpp merged, its hidden tokens are measured with progress in the chat
line and the pane; ctrl+c skips it and the answer stays complete with its coverage; a recovered
answer replaces the shown one (text blocks, pane, heat) and goes to the store after its final
write. The same on the real engine: ``tests/app/test_recovery.py``."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace

from tests.app.support import wait_for
from tests.app.widgets.host import FakeHooks, Recorder, WidgetHost
from tui.app.widgets.answer_pane import AnswerPane
from tui.app.widgets.chat_log import ChatLog
from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.recovery import RecoveryProgress, RecoveryResult
from tui.core.wire.events import Finished, TextDelta, TokensReceived, UsageReported
from tui.core.wire.records import TokenRecord

# "Aど。": llama.cpp sends ど (e3 81 a9) as one row with the id and logprob of its last
# piece; the usage counts 5 tokens for the 3 rows.
ROWS = [
    TokenRecord(0, "answer", "A", "A", b"A", math.log(0.9), id=32),
    TokenRecord(1, "answer", "ど", "ど", b"\xe3\x81\xa9", math.log(0.5), id=231),
    TokenRecord(2, "answer", "。", "。", b"\xe3\x80\x82", math.log(0.8), id=99),
]


def recovered_form(answer: Answer) -> Answer:
    """What recovery makes of it: ど as three entries (two measured), renumbered."""
    a, do, end = answer.tokens
    hidden = {"char_start": 1, "recovered": True}
    pieces = [
        replace(a),
        TokenRecord(1, "answer", "", "", b"\xe3", math.log(0.6), id=20, **hidden),  # type: ignore[arg-type]
        TokenRecord(2, "answer", "", "", b"\x81", math.log(0.7), id=21, **hidden),  # type: ignore[arg-type]
        replace(do, index=3, bytes=b"\xa9", char_start=1),
        replace(end, index=4),
    ]
    return replace(answer, tokens=pieces, raw=[{"token": t.token} for t in pieces])


def stream(hooks: FakeHooks) -> None:
    hooks.send(
        TextDelta("Aど。"),
        TokensReceived(list(ROWS), [{"token": t.token} for t in ROWS]),
        UsageReported({"completion_tokens": 5, "prompt_tokens": 9}),
        Finished("stop"),
    )
    hooks.queue.put_nowait(None)


def _host(hooks: FakeHooks) -> tuple[WidgetHost, ChatLog, AnswerPane]:
    log = ChatLog(hooks, id="log")
    pane = AnswerPane()
    return WidgetHost(log, pane), log, pane


async def test_recovery_shows_progress_then_the_recovered_answer_everywhere():
    release = asyncio.Event()

    async def recovery(turn: Turn, on_progress) -> RecoveryResult:
        on_progress(RecoveryProgress(0, 2, 2))
        on_progress(RecoveryProgress(1, 2, 2))
        await release.wait()
        return RecoveryResult(recovered_form(turn.answer), "recovered", 2)

    hooks = FakeHooks(recovery)
    app, log, pane = _host(hooks)
    seen = Recorder()
    async with app.run_test(size=(100, 30), message_hook=seen) as pilot:
        view = log.ask(Turn("q"))
        pane.show(view)
        log.stream(view)
        stream(hooks)
        await wait_for(pilot, lambda: "1/2" in view.footer_text)
        await pilot.pause()
        # The answer is complete (and saved) first; recovery is its own phase, ctrl+c skips it.
        assert view.turn.answer.status == "complete" and log.busy
        assert view.footer_text.startswith(
            "⟳ recovering 2 split-character tokens… 1/2 (ctrl+c skips) · covers 3 of 5 tokens"
        )
        pane.show_progress()
        assert pane.headline.render().plain.startswith(
            "Answer #1 · ⟳ recovering 2 split-character tokens… 1/2 · covers 3 of 5 tokens"
        )
        assert not seen.of(ChatLog.TurnFinished)  # not finished until recovered or skipped
        pane.set_cursor(1)  # on ど
        release.set()
        await wait_for(pilot, lambda: not log.busy)
        await pilot.pause()
        changed = seen.of(ChatLog.AnswerChanged)[-1]
        assert changed.view is view and not changed.tick
        pane.show(view, keep_cursor=True)  # what a screen does with that message
        answer = view.turn.answer
        assert len(answer.tokens) == 5 and len(view.tokens) == 5
        assert view.footer_text.startswith("✓ complete · 5 tokens")  # covers every token
        assert "covers" not in pane.headline.render().plain
        # The cursor stays on the character: now its last piece, listing the three pieces.
        assert pane.cursor == 3
        inspector = pane.inspector.render().plain
        assert "Character p  21.0% = 60.0% × 70.0% × 50.0%" in inspector
        assert "#4         a9  p 50.0%  ◀" in inspector
        assert pane.json_view.doc.row_count == 5
        # Shown once, and coloured (when heat is on) by the character's probability.
        assert view.answer_track.spans_in(0, 3) == [(0, 1, 0), (1, 2, 3), (2, 3, 4)]
        assert abs(view.answer_track.heat_logprob(3) - math.log(0.21)) < 1e-9
    names = [name for name, _ in hooks.calls]
    assert names[-3:] == ["finished", "recover", "recovered"]
    assert hooks.calls[-1] == ("recovered", 5)
    assert [m.view for m in seen.of(ChatLog.TurnFinished)] == [view]


async def test_esc_skips_recovery_and_the_answer_stays_complete_with_its_coverage():
    started = asyncio.Event()

    async def recovery(turn: Turn, on_progress) -> RecoveryResult:
        on_progress(RecoveryProgress(0, 2, 2))
        started.set()
        await asyncio.Event().wait()  # a slow server: only Esc ends it
        raise AssertionError("not reached")

    hooks = FakeHooks(recovery)
    app, log, _ = _host(hooks)
    async with app.run_test(size=(100, 30)) as pilot:
        view = log.ask(Turn("q"))
        log.stream(view)
        stream(hooks)
        await wait_for(pilot, started.is_set)
        await wait_for(pilot, lambda: "recovering" in view.footer_text)
        log.stop()  # Esc
        await wait_for(pilot, lambda: not log.busy)
        await pilot.pause()
        answer = view.turn.answer
        assert answer.status == "complete" and len(answer.tokens) == 3  # as it came
        assert view.footer_text.startswith("✓ complete · covers 3 of 5 tokens · 3 tokens")
        assert "recovered" not in [name for name, _ in hooks.calls]
        # The next question can go out.
        view2 = log.ask(Turn("again"))
        assert view2 is log.views[-1]


async def test_a_server_that_cannot_recover_says_why_once():
    async def recovery(turn: Turn, on_progress) -> RecoveryResult:
        return RecoveryResult(turn.answer, "impossible", reason="the prompt could not be rebuilt")

    hooks = FakeHooks(recovery)
    app, log, _ = _host(hooks)
    async with app.run_test(size=(100, 30)) as pilot:
        view = log.ask(Turn("q"))
        log.stream(view)
        stream(hooks)
        await wait_for(pilot, lambda: view.turn.answer is not None and not log.busy)
        await pilot.pause()
        notes = [str(w.render()) for w in log.query(".system")]
        assert notes == ["⚠ hidden tokens not recovered: the prompt could not be rebuilt"]
        assert view.footer_text.startswith("✓ complete · covers 3 of 5 tokens")
