"""Which conversations a running chat holds open, so that a second chat on the same data
directory does not carry on the same one (their turns would interleave in the file, and each
next request would mix two dialogues).

A lease is an advisory POSIX record lock on one byte of a file beside the history
(``history.sqlite3-leases``): byte *N* for conversation *N*. The operating system drops every
lock of a process when it ends, however it ends (killed, crashed, terminal gone), so a lease
can never outlive its chat and nothing needs cleaning up. Locks are per process: one process
never conflicts with itself (tests of the conflict use two processes).

Where record locks do not exist (Windows) or the file cannot be opened, every lease is
granted: the chat works as before, without the protection.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LEASES_SUFFIX = "-leases"


class Leases:
    """The conversations this process holds. ``take`` / ``release`` / ``free`` / ``close``."""

    def __init__(self, history_file: Path) -> None:
        self.path = history_file.with_name(history_file.name + LEASES_SUFFIX)
        self._fd: int | None = None
        self._held: set[int] = set()
        if fcntl is None:
            return
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            self._fd = None

    def take(self, conversation_id: int) -> bool:
        """Hold ``conversation_id`` for this process; False when another process holds it."""
        if self._fd is None or conversation_id in self._held:
            return True
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, conversation_id)
        except (BlockingIOError, PermissionError):  # EAGAIN / EACCES: someone else has it
            return False
        except OSError:
            return True  # a file system without locks: no protection, no refusal
        self._held.add(conversation_id)
        return True

    def release(self, conversation_id: int) -> None:
        if self._fd is None or conversation_id not in self._held:
            return
        self._held.discard(conversation_id)
        with contextlib.suppress(OSError):
            fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, conversation_id)

    def free(self, conversation_id: int) -> bool:
        """Whether no other process holds ``conversation_id`` (this one may)."""
        if conversation_id in self._held:
            return True
        if not self.take(conversation_id):
            return False
        self.release(conversation_id)
        return True

    def close(self) -> None:
        """Drop every lease (closing the file does; so does the process ending)."""
        fd, self._fd = self._fd, None
        self._held.clear()
        if fd is not None:
            os.close(fd)
