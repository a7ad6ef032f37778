"""Keep Python's cyclic garbage collector from stalling the screen on big answers.

A 20,000-token answer with ``top_logprobs`` 20 keeps about half a million small dicts alive
(the raw rows and their alternatives). They are long-lived data, not garbage, yet automatic
collections keep walking them: measured on a 2-core machine, full (generation 2) collections
took 1–2 s each, several times per stream (the screen froze that long), and collections as a
whole took a third of the stream's time.

So while an answer streams, automatic collection is off. The app collects the youngest
generation itself (``gc.collect(0)``: only what was allocated since the last one): while the
stream is read, each time more than ``YOUNG_LIMIT`` objects have piled up (:meth:`young`,
~2 ms each; a 20k-token top-20 answer allocates ~50 per row, and one collection per repaint
tick of a fast stream was 10–16 ms at once, up to 47 ms), and at each repaint tick what is
left (:meth:`rows_added`). Every ``FREEZE_EVERY_ROWS`` rows or
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
YOUNG_LIMIT = 20_000
"""Objects allocated (net) after which :meth:`GcPolicy.young` collects them: ~2 ms of work."""


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
        young_limit: int = YOUNG_LIMIT,
    ) -> None:
        self.every_rows = every_rows
        self.young_limit = young_limit
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

    def young(self) -> None:
        """Called by the stream's reader as it goes: collect the youngest generation once
        more than ``young_limit`` objects are in it, so no single collection (and no repaint
        tick) walks a whole tick's rows at once. The total is the same: each object is
        walked once, then survives into an older generation until it is frozen."""
        if self._streaming and self.enabled and gc.get_count()[0] >= self.young_limit:
            gc.collect(0)

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
