"""Let the screen's thread go first while the store's thread encodes a long part.

Python runs one thread at a time (the GIL). When two threads are busy they take turns of the
switch interval (5 ms), so while the store's thread encoded a fast stream's checkpoint
(10,000 top-20 rows: ~80 ms of work) the screen's repaints ran at half speed: a 30 ms repaint
took 60-70 ms (the benchmark's screen case, one such stall a second). The encoder calls
:func:`give_way` between pieces of work (~2 ms each); when the last piece got less than half
of the time that passed (another thread held the GIL: the screen is busy), the store's thread
sleeps as long as it waited, up to :data:`MAX_PAUSE`, so the busy thread runs on unhindered.
An idle screen costs nothing: the store never waits then and never sleeps.
"""

from __future__ import annotations

import threading
import time

MAX_PAUSE = 0.010
"""Longest sleep after one piece (s): a checkpoint still ends within a few repaints."""
FRESH_AFTER = 0.1
"""A call this long (s) after the last one starts a new piece of work: nothing to compare."""

_last = threading.local()


def pause_for(wall: float, cpu: float) -> float:
    """Seconds to sleep after a piece of work that took ``wall`` seconds of which this thread
    ran ``cpu``: the time it waited for another thread, when that is more than it ran."""
    waited = wall - cpu
    return min(waited, MAX_PAUSE) if waited > cpu else 0.0


def give_way() -> None:
    """Between two pieces of work on a background thread (a no-op on the main thread)."""
    if threading.current_thread() is threading.main_thread():
        return
    now, cpu = time.perf_counter(), time.thread_time()
    last = getattr(_last, "mark", None)
    _last.mark = (now, cpu)
    if last is None or now - last[0] > FRESH_AFTER:
        return
    pause = pause_for(now - last[0], cpu - last[1])
    if pause:
        time.sleep(pause)
        _last.mark = (time.perf_counter(), time.thread_time())
