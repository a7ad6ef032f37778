"""Pause Python's cyclic garbage collector while streams are read.

A 20,000-token answer with ``top_logprobs`` 20 parses into about 860,000 small dicts and
lists (the raw rows, their alternatives and byte lists) that stay alive as the answer's data.
With automatic collection on, the collector walks them again and again as they pile up
(generation-2 passes run each time the long-lived objects grow by a quarter): measured on the
20k-token benchmark stream, half of the client's time (1.30 s → 0.66 s with collection off).

So while at least one stream is being read (:func:`streaming`, counted across concurrent
streams), automatic collection is off, and it is back on when the last one ends. The answer
is then walked by the usual young and older passes once (about 0.1 + 0.2 s for that stream,
after it and not in its way) instead of several times while it arrives. Nothing is frozen
here: a client runs for hours (``compare``, the soak test), and freezing would keep every
garbage cycle alive at that moment forever; the TUI, which knows when an answer has ended,
freezes its answers itself (:mod:`tui.app.gc_policy`).

If the collector is already off when the first stream starts (the TUI's own policy, or a
program with its own), it is left alone entirely.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
_resume = False


@contextmanager
def streaming() -> Iterator[None]:
    """Automatic collection off for the duration (see the module docstring)."""
    global _depth, _resume
    _depth += 1
    if _depth == 1:
        _resume = gc.isenabled()
        if _resume:
            gc.disable()
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _resume:
            _resume = False
            gc.enable()


def depth() -> int:
    """Streams being read now (for tests)."""
    return _depth
