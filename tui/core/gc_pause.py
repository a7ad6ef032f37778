"""Pause Python's cyclic garbage collector while big logprob data is built.

A 20,000-token answer with ``top_logprobs`` 20 parses into about 860,000 small dicts and
lists (the raw rows, their alternatives and byte lists) that stay alive as the answer's data.
With automatic collection on, the collector walks them again and again as they pile up
(generation-2 passes run each time the long-lived objects grow by a quarter). Measured:
reading the 20k-token benchmark stream, half of the client's time (1.30 s → 0.66 s with
collection off); loading such an answer from the history, 3.9 s → 0.6 s. JSON holds no
cycles, so pausing loses nothing.

So while at least one :func:`paused` block is active (streams being read in the event loop,
history loads in the store's thread: counted across tasks and threads), automatic collection
is off, and it is back on when the last one ends. The data is then walked by the usual passes
once, after it and not in its way, instead of several times while it is built. Nothing is
frozen here: a client runs for hours (``compare``, the soak test), and freezing would keep
every garbage cycle alive at that moment forever; the TUI, which knows when an answer has
ended, freezes its answers itself (:mod:`tui.app.gc_policy`).

If the collector is already off when the first pause starts (the TUI's own policy, or a
program with its own), it is left alone entirely.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def paused() -> Iterator[None]:
    """Automatic collection off for the duration (see the module docstring). Nests, and may
    be held from several tasks and threads at once (a counter, not a saved flag: async
    blocks end in any order)."""
    global _depth, _resume
    with _lock:
        _depth += 1
        if _depth == 1:
            _resume = gc.isenabled()
            if _resume:
                gc.disable()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                _resume = False
                gc.enable()


def depth() -> int:
    """Pauses active now (for tests)."""
    return _depth
