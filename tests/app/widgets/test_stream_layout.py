"""A streaming answer costs one layout of the screen per repaint (tui.app.widgets.sizing):
not a second one for the sizes the first one found, nor one more for the blocks it mounts."""

from __future__ import annotations

from textual.screen import Screen

from tests.app.support import wait_for
from tests.app.widgets.host import FakeHooks, WidgetHost, tokens
from tui.app.widgets.chat_log import ChatLog
from tui.core.conversation import Turn
from tui.core.wire.events import TextDelta


def paragraphs(start: int, count: int) -> list[tuple[str, float]]:
    """``count`` tokens of prose with a paragraph break every 40."""
    return [
        ("\n\n" if i % 40 == 39 else f" words{i:06d}", -0.5) for i in range(start, start + count)
    ]


async def test_each_repaint_of_a_streaming_answer_is_laid_out_once(monkeypatch):
    layouts: list[int] = []
    real = Screen._refresh_layout

    def counting(self, *args, **kwargs):
        layouts.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    hooks = FakeHooks()
    log = ChatLog(hooks, id="log")
    async with WidgetHost(log).run_test(size=(100, 30)) as pilot:
        view = log.ask(Turn("flood"))
        log.stream(view)
        pump = log.pump
        assert pump is not None and pump.ticker is not None
        pump.ticker.pause()  # ticked by hand
        per_repaint: list[int] = []
        sent = 0
        for _ in range(6):
            # ~1,100 characters: new blocks at every repaint; under 100 rows, so no repaint
            # tick is let pass (answer_stream.ticks_to_skip)
            rows = paragraphs(sent, 90)
            hooks.send(TextDelta("".join(t for t, _ in rows)), tokens(rows, sent))
            sent += len(rows)
            await wait_for(pilot, lambda sent=sent: len(pump.live.builder.answer.tokens) == sent)
            await pilot.pause()
            before = len(layouts)
            blocks = view.answer_track.block_count()
            pump.flush()
            await pilot.pause()
            await pilot.pause()
            assert view.answer_track.block_count() > blocks  # new blocks were mounted
            per_repaint.append(len(layouts) - before)
        hooks.end()
        await wait_for(pilot, lambda: view.turn.answer is not None)
    # (Except the repaint where the log first overflows: its scrollbar appears, and that is
    # laid out again. Before tui.app.widgets.sizing: [2, 3, 2, 2, 2, 2].)
    assert per_repaint[0] == 1 and per_repaint[2:] == [1, 1, 1, 1]
