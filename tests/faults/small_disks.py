"""Small disks for the full-disk tests (tests/faults/test_saving.py), and what each proves.

* :class:`Tmpfs` — a real file system of 3 MB, mounted for the test (root and the right to
  mount: where ``mount`` is refused, e.g. in most CI containers, it is not offered, see
  :func:`disks`). Its faults are the operating system's: ``ENOSPC`` wherever SQLite meets it
  (the database file, its ``-wal`` journal and ``-shm`` index), turned by SQLite into
  "database or disk is full" or a disk I/O error at a write or a commit.
* :class:`PageQuota` — a stand-in that runs unprivileged everywhere: every connection the
  history store opens to a file is limited to :data:`QUOTA_PAGES` pages (``PRAGMA
  max_page_count``, see :mod:`tests.faults.file_pragmas`), and the room is taken by ballast
  rows another connection writes into the same file. Its fault is SQLite's own
  ``SQLITE_FULL`` ("database or disk is full") when the database would grow past the quota:
  the error a full disk gives a write that needs a new page. It proves the product's
  handling (what is kept, what is named, ``ask``'s exit code, the retries until there is
  room again), not the journal's failures.

Both fill up the same way (all the room taken but what a question and an answer's text
need, by ballast) and give the room back the same way (the ballast deleted), so the tests
read the same on either.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tests.faults.file_pragmas import command_with, configure_with
from tui.core.store import HISTORY_FILE, opening

if TYPE_CHECKING:
    import pytest

QUOTA_PAGES = 768
"""Pages (4 KiB) a history file may have under the page quota: 3 MiB, the tmpfs's size."""

QUOTA = f"max_page_count = {QUOTA_PAGES}"


class SmallDisk(Protocol):
    """A data directory on a disk that can be filled up and emptied again."""

    where: Path

    def command(self) -> list[str]:
        """How to run ``logprob-chat`` as a process on this disk."""
        ...

    def fill_up(self) -> None:
        """Take all the room but what a question and an answer's text need."""
        ...

    def room_again(self) -> None:
        """Give the room back."""
        ...


class Tmpfs:
    """A real, small file system (see the module docstring)."""

    leave = 160 * 1024
    """Bytes left free: room for a question, an answer's text and SQLite's journal (its -wal
    and -shm files), not for a big answer's rows."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.ballast = where / "ballast"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tui"]

    def fill_up(self) -> None:
        with self.ballast.open("wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        os.truncate(self.ballast, max(0, self.ballast.stat().st_size - self.leave))

    def room_again(self) -> None:
        self.ballast.unlink()


class PageQuota:
    """The unprivileged stand-in (see the module docstring)."""

    leave = 64 * 1024
    """Bytes of pages left under the quota: room for a question and an answer's text (the
    journal is not counted here), not for a big answer's rows."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.history = where / HISTORY_FILE

    def command(self) -> list[str]:
        return command_with(QUOTA)

    def fill_up(self) -> None:
        """Ballast rows, written by a connection of the test's own, until the file is
        :attr:`leave` bytes short of the quota (as writing a ballast file fills a disk)."""
        with closing(sqlite3.connect(self.history, timeout=10, isolation_level=None)) as conn:
            page = conn.execute("PRAGMA page_size").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {QUOTA_PAGES - self.leave // page}")
            conn.execute("CREATE TABLE IF NOT EXISTS ballast (filler BLOB)")
            for size in (65536, page, 256):
                try:
                    while True:
                        conn.execute("INSERT INTO ballast VALUES (zeroblob(?))", (size,))
                except sqlite3.OperationalError as exc:
                    assert "full" in str(exc), exc

    def room_again(self) -> None:
        """The ballast deleted: its pages are free for the store's next writes."""
        with closing(sqlite3.connect(self.history, timeout=10, isolation_level=None)) as conn:
            conn.execute("DELETE FROM ballast")


@functools.cache
def can_mount() -> bool:
    """Whether a tmpfs can be mounted here (tried once per run)."""
    with tempfile.TemporaryDirectory() as where:
        try:
            mounted = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", where], capture_output=True
            )
        except OSError:  # no mount command at all
            return False
        if mounted.returncode != 0:
            return False
        subprocess.run(["umount", where], check=True)
        return True


def disks() -> list[str]:
    """The disks this machine offers: the page quota always, a tmpfs where it can be
    mounted (both prove the same behaviour; each its own faults)."""
    return ["page-quota", *(["tmpfs"] * can_mount())]


@contextmanager
def small_disk(kind: str, where: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmallDisk]:
    """A small disk of ``kind`` (see :func:`disks`) at ``where``; the page quota also holds
    for the store opened in this process (a pilot's app)."""
    where.mkdir(mode=0o700)
    if kind == "page-quota":
        with monkeypatch.context() as patch:
            patch.setattr(opening, "configure", configure_with(QUOTA))
            yield PageQuota(where)
        return
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(where)], check=True
    )
    try:
        yield Tmpfs(where)
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)
