"""The chat log alone, on a host app with fake hooks: it asks, streams, holds, stops and says
so with its messages; a flood of rows thins its repaints but never below ~8 a second."""

from __future__ import annotations

import math

from tests.app.support import wait_for
from tests.app.widgets.host import FakeHooks, Recorder, WidgetHost, tokens
from tui.app.widgets.answer_stream import FLUSH_HZ
from tui.app.widgets.chat_log import ChatLog
from tui.core.conversation import Turn
from tui.core.wire.events import TextDelta


def _log(hooks: FakeHooks | None = None) -> tuple[WidgetHost, ChatLog]:
    log = ChatLog(hooks, id="log")
    return WidgetHost(log), log


async def test_a_turn_is_asked_streamed_and_finished_with_its_messages():
    hooks = FakeHooks()
    app, log = _log(hooks)
    seen = Recorder()
    async with app.run_test(size=(100, 30), message_hook=seen) as pilot:
        view = log.ask(Turn("Where did the cat sit?"))
        log.stream(view)
        await wait_for(pilot, lambda: ("open", "Where did the cat sit?") in hooks.calls)
        hooks.say("The", math.log(0.9), 0)
        hooks.say(" cat", math.log(0.5), 1)
        await wait_for(pilot, lambda: len(view.tokens) == 2)
        assert log.busy and view.footer_text.startswith("… streaming · 2 tokens")
        hooks.end()
        await wait_for(pilot, lambda: view.turn.answer is not None)
        await pilot.pause()
    assert view.turn.answer.status == "complete" and view.turn.answer.text == "The cat"
    assert not log.busy
    asked, finished = seen.of(ChatLog.TurnAsked), seen.of(ChatLog.TurnFinished)
    assert [m.turn for m in asked] == [view.turn] and [m.view for m in finished] == [view]
    assert [m.view for m in seen.of(ChatLog.AnswerSelected)] == [view]
    changes = [m.tick for m in seen.of(ChatLog.AnswerChanged)]
    assert changes[0] is False and True in changes and changes[-1] is False  # start, ticks, end
    names = [name for name, _ in hooks.calls]
    assert names[:3] == ["asked", "started", "open"] and names[-1] == "finished"
    assert hooks.calls[-1] == ("finished", ("complete", True))
    assert "progress" in names


async def test_esc_stops_a_streaming_answer_and_keeps_what_arrived():
    hooks = FakeHooks()
    app, log = _log(hooks)
    seen = Recorder()
    async with app.run_test(message_hook=seen) as pilot:
        view = log.ask(Turn("q"))
        log.stream(view)
        hooks.say("Half", -0.1, 0)
        await wait_for(pilot, lambda: len(view.tokens) == 1)
        log.stop()
        await wait_for(pilot, lambda: view.turn.answer is not None)
        await pilot.pause()
    assert view.turn.answer.status == "stopped" and view.turn.answer.text == "Half"
    assert view.footer_text.startswith("■ stopped · 1 tokens")
    assert [m.turn.answer.status for m in seen.of(ChatLog.TurnFinished)] == ["stopped"]


async def test_a_held_question_goes_out_when_released_or_fails_with_the_reason():
    hooks = FakeHooks()
    app, log = _log(hooks)
    async with app.run_test() as pilot:
        first = log.ask(Turn("early"))
        log.hold(first)
        assert log.busy and ("open", "early") not in hooks.calls
        log.release_held()
        await wait_for(pilot, lambda: ("open", "early") in hooks.calls)
        hooks.end()
        await wait_for(pilot, lambda: first.turn.answer is not None)
        second = log.ask(Turn("later"))
        log.hold(second)
        log.fail_held("model file not found")
        await pilot.pause()
        assert second.turn.answer.status == "error"
        assert second.error_text == "⚠ no model is available: model file not found"
    assert hooks.calls[-1] == ("finished", ("error", False))  # no request, no stream


async def test_a_log_without_hooks_shows_turns_numbered_as_given_and_selects_the_last():
    app, log = _log()
    seen = Recorder()
    async with app.run_test(message_hook=seen) as pilot:
        builder = FakeHooks().new_builder()
        builder.apply(TextDelta("Old"))
        turn = Turn("what?", answer=builder.finish("complete"))
        log.show_turns([turn], first_number=3)
        await pilot.pause()
        assert log.views[0].header_text.startswith("#3 ·")
        assert log.selected == 0 and log.pump is None and not log.busy
        log.clear()
        await pilot.pause()
    selected = [m.view for m in seen.of(ChatLog.AnswerSelected)]
    assert selected[0] is not None and selected[-1] is None  # the log was emptied


async def _repaints_per_tick(rows_per_tick: int, ticks: int) -> tuple[int, int]:
    """Stream ``rows_per_tick`` rows between each of ``ticks`` repaint ticks (the timer is
    paused and ticked by hand); return (repaints, rows shown at the end)."""
    hooks = FakeHooks()
    app, log = _log(hooks)
    async with app.run_test() as pilot:
        view = log.ask(Turn("flood"))
        log.stream(view)
        pump = log.pump
        assert pump is not None and pump.ticker is not None
        pump.ticker.pause()
        feeds: list[int] = []
        original = view.feed
        view.feed = lambda *a, **k: feeds.append(1) or original(*a, **k)  # type: ignore[method-assign]
        sent = 0
        for _ in range(ticks):
            rows = [(f" w{sent + i}", -0.5) for i in range(rows_per_tick)]
            hooks.send(TextDelta("".join(t for t, _ in rows)), tokens(rows, sent))
            sent += rows_per_tick
            await wait_for(pilot, lambda sent=sent: len(pump.live.builder.answer.tokens) == sent)
            pump.flush()
        repaints = len(feeds)
        hooks.end()
        await wait_for(pilot, lambda: view.turn.answer is not None)
        return repaints, len(view.tokens)


async def test_a_normal_stream_is_repainted_at_every_tick():
    # 2,000 tokens/s at 25 ticks a second is 80 rows per tick.
    repaints, shown = await _repaints_per_tick(2000 // FLUSH_HZ, 12)
    assert repaints == 12 and shown == 12 * 80


async def test_a_flood_thins_repaints_but_never_below_eight_a_second():
    # 25,000 tokens/s: 1,000 rows arrive between two ticks.
    repaints, shown = await _repaints_per_tick(1000, 12)
    assert repaints < 12
    assert repaints / 12 * FLUSH_HZ >= 8  # the screen keeps moving
    assert shown == 12 * 1000  # every row is shown in the end


async def test_past_the_first_or_latest_answer_the_arrows_scroll_a_long_one():
    # One long answer (the sample screen shows only one): ↓ and ↑ read it line by line.
    builder = FakeHooks().new_builder()
    builder.apply(TextDelta("\n".join(f"line {i}" for i in range(60))))
    app, log = _log()
    async with app.run_test(size=(60, 20)) as pilot:
        log.show_turns([Turn("long?", answer=builder.finish("complete"))])
        log.focus()
        await pilot.pause()
        log.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("down", "down", "j")
        assert log.scroll_y == 3 and log.selected == 0
        await pilot.press("up", "k")
        assert log.scroll_y == 1 and log.selected == 0
