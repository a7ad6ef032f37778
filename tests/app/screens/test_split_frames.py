"""While an answer streams, the main screen draws a frame in a later turn of the event loop
than its layout (so keys, reads and timers run between the halves); otherwise at once."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.app.screens.host import screen_text
from tests.app.support import TOKENS, make_app, wait_for
from tests.support.scripted_server import Reply, Stall, stream_of
from tui.app.screens.split_frames import SplitFrameScreen


class Split(SplitFrameScreen):
    split = False

    @property
    def split_frames(self) -> bool:
        return self.split

    def compose(self) -> ComposeResult:
        yield Static("one", id="one")
        yield Static("two", id="two")


class Host(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Split())


async def test_a_frame_is_drawn_after_the_layout_only_while_frames_are_split():
    app = Host()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, Split)
        drawn: list[object] = []
        real = app._display
        app._display = lambda s, update: (drawn.append(update), real(s, update))[1]  # type: ignore[method-assign]

        screen._compositor_refresh()  # not split: drawn at once, as Textual does
        assert len(drawn) == 1

        screen.split = True
        screen._compositor_refresh()
        screen._compositor_refresh()  # a second request while one is pending: one frame
        assert len(drawn) == 1
        await asyncio.sleep(0.01)
        assert len(drawn) == 2

        # A widget marked dirty between the layout and the drawing is drawn with the frame.
        updated: list[set] = []
        real_update = screen._compositor.update_widgets
        screen._compositor.update_widgets = lambda ws: (updated.append(set(ws)), real_update(ws))[1]  # type: ignore[method-assign]
        screen._compositor_refresh()
        late = screen.query_one("#two", Static)
        screen._dirty_widgets.add(late)
        await asyncio.sleep(0.01)
        assert len(drawn) == 3 and any(late in ws for ws in updated)
        assert not screen._dirty_widgets


async def test_the_chat_splits_its_frames_while_an_answer_streams_and_not_after(scripted):
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.main.split_frames
        app.main.input.insert("q")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.chat.pump.live is not None)
        assert app.main.split_frames
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not app.main.chat.busy)
        assert not app.main.split_frames
        await pilot.pause()
        assert "stopped" in screen_text(app)  # the last frame was drawn


async def test_a_frame_asked_for_during_a_batch_is_drawn_after_it():
    """Textual rendered such a frame and dropped it (its display waits for the batch) with
    its parts counted as drawn: the chat's first frame at start-up was lost so (the status
    line came one frame later)."""
    app = Host()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        screen = app.screen
        shown: list[str] = []
        real = app._display

        def display(s, update) -> None:
            if update is not None and not app._batch_count:
                console = Console(file=io.StringIO(), width=40, color_system=None)
                console.print(update)
                shown.append(console.file.getvalue())
            real(s, update)

        app._display = display  # type: ignore[method-assign]
        with app.batch_update():
            screen._compositor.update_widgets({screen.query_one("#one", Static)})
            screen._compositor_refresh()
        await pilot.pause()
        assert any("one" in frame for frame in shown), shown
