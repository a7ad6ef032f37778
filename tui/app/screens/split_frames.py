"""A screen that draws a frame in a later turn of the event loop than the layout before it.

Textual lays the screen out and draws it in one callback. While a fast answer streams, a
repaint at 160×48 is ~12 ms of layout and ~15-20 ms of drawing; as one callback that is up to
35 ms during which no key, network read or timer runs, and beside a busy neighbour process
the scheduler stretches it past 50 ms (the benchmark's screen case). Split in two, other work
runs between the halves. Only while :attr:`split_frames` is true (an answer streams): at all
other times the screen behaves exactly as Textual's.

The frame is drawn by a zero-delay timer, not ``call_soon``: asyncio runs due timers in the
order they fell due, so whatever was already waiting (a key, a read) goes before the drawing.

Also: a frame asked for while the app batches updates is drawn when the batch ends. Textual
renders it at once and then drops it (its display waits for the batch), and the parts it
drew count as drawn: the chat's first full frame was lost that way at start-up, the terminal
got a partial frame without the status line, and "starting built-in model…" appeared one
frame (25-50 ms) later.
"""

from __future__ import annotations

import asyncio

from textual.screen import Screen

AFTER_BATCH_POLL = 0.002
"""Seconds between looks at whether the app's batch of updates is over."""


class SplitFrameScreen(Screen[None]):
    """See the module docstring."""

    _draw_pending: asyncio.TimerHandle | None = None
    _after_batch_pending = False

    @property
    def split_frames(self) -> bool:
        """Draw frames apart from their layout now (subclasses say when)."""
        return False

    def _compositor_refresh(self) -> None:
        app = self.app
        if app._batch_count and self is app.screen and not app.is_inline:
            # Drawn whole once the batch is over (see the module docstring); what is dirty
            # stays dirty meanwhile.
            if not self._after_batch_pending:
                self._after_batch_pending = True
                self.set_timer(AFTER_BATCH_POLL, self._after_batch)
            return
        if not self.split_frames or app.is_inline or self is not app.screen:
            super()._compositor_refresh()
            return
        if self._draw_pending is None:
            self._draw_pending = asyncio.get_running_loop().call_later(0, self._draw_now)

    def _after_batch(self) -> None:
        if self.app._batch_count:
            self.set_timer(AFTER_BATCH_POLL, self._after_batch)
            return
        self._after_batch_pending = False
        self.refresh()  # the whole screen, at the next update

    def _draw_now(self) -> None:
        self._draw_pending = None
        if not self.is_attached or self is not self.app.screen:
            return
        # Widgets marked dirty since the layout are drawn too (Textual would clear them
        # with this frame's widgets and never draw them).
        if self._dirty_widgets:
            self._compositor.update_widgets(self._dirty_widgets)
        super()._compositor_refresh()
