"""Opening the history file: where it lives, its mode, its journal, and reading it read-only.

Plain functions over ``sqlite3`` connections, used by :class:`~tui.core.store.Store`'s
constructors. Choices, and why:

* WAL journal with ``synchronous=NORMAL``: a commit is a write into the WAL, no fsync, so a
  checkpoint per second costs little; a killed process loses nothing that was committed
  (the WAL is in the OS cache), a power cut may lose the last commits but never corrupts.
* ``secure_delete``: a deleted conversation is overwritten, not left in free pages.
* The file is created 0600 in a 0700 directory: it holds the user's conversations.
* A locked or read-only file is copied into memory with SQLite's backup API, never written.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tui.core.paths import data_dir

HISTORY_FILE = "history.sqlite3"
DEFAULT_BUSY_TIMEOUT = 3.0
"""Seconds to wait for another process's write lock before giving up (the TUI and an ``ask``
in another terminal share the file; their transactions take milliseconds)."""

SNAPSHOT_LIMIT = 512 * 1024 * 1024
"""Largest file copied into memory to show a locked or read-only history (bytes); a bigger one
leaves an empty in-memory store rather than eat the machine's memory."""


def history_path(given_data_dir: str | os.PathLike[str] | None = None) -> Path:
    """``data_dir()/history.sqlite3`` (``--data-dir`` or ``$LOGPROB_CHAT_DATA_DIR`` win)."""
    return data_dir(given_data_dir) / HISTORY_FILE


def connect_file(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """The file at ``path`` (created private when missing), checked for damage, in WAL mode;
    raises sqlite3 and OS errors as they come. Nothing is written before the check passes."""
    create_private(path)
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    try:
        check_pages(conn)
        configure(conn, wal=True)
    except BaseException:
        conn.close()
        raise
    return conn


def check_pages(conn: sqlite3.Connection) -> None:
    """Raise ``sqlite3.DatabaseError`` ("... malformed") when a page of the file is damaged.

    SQLite reads a damaged page only when a query reaches it, and may then write next to it;
    a file whose first page is fine but whose page 9 is garbage would otherwise be written
    into (and the damage spread) before anyone notices. ``PRAGMA quick_check`` reads every
    page of every table (not the indexes' contents): 0.07-0.1 s for a 183 MB history of
    200 answers × 500 tokens × top-20 (tests/bench case 5's file), once per open."""
    # (A page too broken to check raises "database disk image is malformed" itself.)
    rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
    if problems:
        first = " ".join(problems[0].replace("*** in database main ***", "").split())
        raise sqlite3.DatabaseError(f"database disk image is malformed ({first})")


def connect_memory() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    configure(conn, wal=False)
    return conn


def configure(conn: sqlite3.Connection, *, wal: bool) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    if wal:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot use WAL journal mode (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")


def create_private(path: Path) -> None:
    """Create the data directory (0700) and an empty history file (0600) if missing, so the
    user's conversations are not world-readable whatever the umask."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it just now
            return
        os.close(fd)


def copy_read_only(path: Path, target: sqlite3.Connection, busy_timeout: float) -> None:
    """Copy the database at ``path`` into ``target`` without writing to ``path``."""
    uri = path.resolve().as_uri()
    try:
        _copy(f"{uri}?mode=ro", target, busy_timeout)
    except sqlite3.Error as exc:
        if "locked" in str(exc).lower():
            raise  # someone is writing: an immutable read could see half-written pages
        # mode=ro still needs the WAL index (-shm); immutable=1 reads a file that nobody can
        # write, such as one in a read-only directory.
        _copy(f"{uri}?mode=ro&immutable=1", target, busy_timeout)


def _copy(uri: str, target: sqlite3.Connection, busy_timeout: float) -> None:
    source = sqlite3.connect(uri, uri=True, timeout=busy_timeout)
    try:
        source.backup(target, progress=_give_up_after(busy_timeout), sleep=0.02)
    finally:
        source.close()


def _give_up_after(seconds: float) -> Callable[[int, int, int], None]:
    """A backup progress callback that stops a copy kept waiting on a lock: sqlite3's
    ``backup`` otherwise retries a busy source forever, in C, where no signal reaches it."""
    deadline = time.monotonic() + seconds

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked")

    return progress


def process_alive(pid: int | None, host: str | None) -> bool:
    """Whether the process that was writing an answer still runs (same host only: another
    host's process cannot be checked, so its answer counts as abandoned)."""
    if pid is None or host != socket.gethostname():
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    except OSError:
        return False
    return True
