"""Whether the terminal is still there.

When a terminal window closes or an SSH connection drops, the kernel hangs up the terminal:
it sends SIGHUP (which ends the program, unless ``nohup`` or ``trap '' HUP`` ignores it), and
from then on every read of it returns end-of-file at once and every write fails with EIO.
A full-screen program that ignores the signal would read that end-of-file forever, spinning
(Textual's input thread does: ~8,000 reads a second). :func:`terminal_gone` tells, without
reading any input, by the hang-up the terminal reports to ``poll``.
"""

from __future__ import annotations

import select

_GONE = (
    getattr(select, "POLLHUP", 0) | getattr(select, "POLLERR", 0) | getattr(select, "POLLNVAL", 0)
)


def terminal_gone(fd: int) -> bool:
    """True when the terminal on ``fd`` has hung up or ``fd`` is no longer open. Costs one
    ``poll`` with no wait; False where ``poll`` does not exist (Windows)."""
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    try:
        poller.register(fd, select.POLLIN)
        events = poller.poll(0)
    except (OSError, ValueError):
        return True
    return any(mask & _GONE for _, mask in events)
