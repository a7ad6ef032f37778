"""Stand-ins for faults of the history file that this machine may not be able to make: every
connection the history store opens to a file runs one more ``PRAGMA`` of the test's (the
store is the product's own, unchanged; only how its file connections are configured).

* ``max_page_count = N``: the file can hold N pages, then SQLite says "database or disk is
  full" (``SQLITE_FULL``), as on a full disk (:class:`tests.faults.small_disks.PageQuota`).
* ``query_only = 1``: every write says "attempt to write a readonly database"
  (``SQLITE_READONLY``), as for a read-only file (for a user, like root without
  ``chattr``, for whom no file is read-only).

In this process: ``monkeypatch.setattr(opening, "configure", configure_with(PRAGMA))``. As a
process: :func:`command_with` (``python -m tests.faults.file_pragmas PRAGMA ARGS…`` runs
``logprob-chat ARGS…``).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable

from tui.core.store import opening


def configure_with(pragma: str) -> Callable[..., None]:
    """:func:`tui.core.store.opening.configure` that also runs ``PRAGMA pragma`` on every
    history file connection (the in-memory store's are left alone)."""
    configure = opening.configure

    def configured(conn: sqlite3.Connection, *, wal: bool) -> None:
        configure(conn, wal=wal)
        if wal:  # a file (only files are opened in WAL mode)
            conn.execute(f"PRAGMA {pragma}")

    return configured


def command_with(pragma: str) -> list[str]:
    """How to run ``logprob-chat`` as a process with ``pragma`` on its history file."""
    return [sys.executable, "-m", "tests.faults.file_pragmas", pragma]


if __name__ == "__main__":  # python -m tests.faults.file_pragmas PRAGMA ARGS…
    opening.configure = configure_with(sys.argv[1])  # type: ignore[assignment]
    from tui.cli import main

    raise SystemExit(main(sys.argv[2:]))
