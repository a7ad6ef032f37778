"""Keep Python's cyclic garbage collector from stalling the screen on big answers.

A 20,000-token answer with ``top_logprobs`` 20 keeps about half a million small dicts alive
(the raw rows and their alternatives). They are long-lived data, not garbage, yet automatic
collections keep walking them: measured on a 2-core machine, full (generation 2) collections
took 1–2 s each, several times per stream (the screen froze that long), and collections as a
whole took a third of the stream's time.

So while an answer streams, automatic collection is off. At each repaint tick the app collects
the youngest generation itself (``gc.collect(0)``: only what survived since the last tick, so
the cost is bounded by the rows per tick, a few ms), and every ``FREEZE_EVERY_ROWS`` rows or
``FREEZE_EVERY_SECONDS`` it moves the survivors into the permanent generation
(``gc.freeze()``, O(1)), which later collections skip. At start-up (Textual's own objects) and
when each answer ends, young cycles are collected (``gc.collect(1)``) and the rest frozen; then
automatic collection is back on. Objects that die later are still freed by reference counting;
only a garbage *cycle* that was frozen would outlive its use (a small, bounded leak: cycles
are rare in what the app allocates per row).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

FREEZE_EVERY_ROWS = 1000
FREEZE_EVERY_SECONDS = 2.0


class GcPolicy:
    """See the module docstring. ``enabled=False`` leaves the collector alone (tests of the
    policy itself, or embedding in a program with its own GC policy)."""

    def __init__(
        self,
        every_rows: int = FREEZE_EVERY_ROWS,
        every_seconds: float = FREEZE_EVERY_SECONDS,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every_rows = every_rows
        self.every_seconds = every_seconds
        self.enabled = enabled
        self.clock = clock
        self._pending = 0
        self._last = clock()
        self._streaming = 0
        self.freezes = 0

    def stream_started(self) -> None:
        self._streaming += 1
        if self.enabled and self._streaming == 1:
            gc.disable()
            self._last = self.clock()

    def rows_added(self, count: int) -> None:
        """Called by the repaint timer with the rows that arrived since its last tick: collect
        the youngest generation (what survived since the last tick: cost bounded by the rows
        per tick), and every ``every_rows`` rows or ``every_seconds`` freeze the survivors
        (O(1)), so no collection ever walks them again."""
        if not self._streaming:
            return
        self._pending += count
        if self.enabled:
            gc.collect(0)
        if self._pending >= self.every_rows or self.clock() - self._last >= self.every_seconds:
            self._pending = 0
            self._last = self.clock()
            if self.enabled:
                gc.freeze()
                self.freezes += 1

    def stream_ended(self) -> None:
        self._streaming = max(0, self._streaming - 1)
        self.settle()
        if self.enabled and self._streaming == 0:
            gc.enable()

    def release(self) -> None:
        """When the app ends: automatic collection back on, frozen objects collectable again
        (so a program that runs the app several times, like a test suite, does not keep every
        run's objects)."""
        self._streaming = 0
        if self.enabled:
            gc.unfreeze()
            gc.enable()

    def settle(self, *, full: bool = False) -> None:
        """Collect young cycles (every generation when ``full``), then freeze everything alive.

        The app's first settle is full: garbage cycles already in the oldest generation
        (import-time leftovers, or an earlier app run in the same process, as in a test suite
        or the benchmarks) would otherwise be frozen and kept for good. It costs about 8 ms
        at start-up; after each answer a young collection is enough (the answer's rows are
        data, and older garbage was collected before the last freeze)."""
        self._pending = 0
        self._last = self.clock()
        if not self.enabled:
            return
        gc.collect(2 if full else 1)
        gc.freeze()
        self.freezes += 1
