"""Copies of the history file: a backup while the chat runs, and what can still be read of a
damaged one. Neither ever writes to the history file itself.

* :func:`backup` — SQLite's backup API through a read-only connection: one consistent copy,
  the WAL's committed pages included (copying ``history.sqlite3`` alone while the chat runs
  gives a file without its latest tables: they are still in ``-wal``). The copy is a single
  file (rollback journal), made 0600, never written over an existing file.
* :func:`recover` — a new file with the same tables, filled row by row from the damaged one.
  Rows on a page that cannot be read are skipped: the reader jumps past the damage (a binary
  search over rowids for the first row it can read again), so one bad page costs the rows on
  it, not the rest of the table. Rows left pointing at lost ones (an answer whose message was
  on the bad page) are dropped, so the copy passes SQLite's own checks and opens like any
  history.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.store.opening import DEFAULT_BUSY_TIMEOUT, check_pages, copy_read_only
from tui.core.store.problems import StoreError, describe

MAX_ROWID = 2**63 - 1
FETCH_ROWS = 256
COUNTED_TABLES = ("conversations", "messages", "answers")


@dataclass(slots=True)
class CopyReport:
    """What a copy holds: rows per table; for a recovery, the tables with unreadable rows and
    the rows dropped for pointing at lost ones; for a backup, whether the source is damaged."""

    target: Path
    rows: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    dropped: int = 0
    damaged: str | None = None

    def counts(self) -> str:
        """``"5 conversations, 17 messages, 8 answers"``."""
        return ", ".join(f"{self.rows.get(name, 0)} {name}" for name in COUNTED_TABLES)


def backup(source: Path, target: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> CopyReport:
    """Copy the history at ``source`` to a new file ``target`` (see the module docstring).
    Raises :class:`StoreError` (one line)."""
    _check_paths(source, target)

    def fill(conn: sqlite3.Connection) -> CopyReport:
        copy_read_only(source, conn, busy_timeout)
        conn.execute("PRAGMA journal_mode = DELETE")  # one file, whatever the source used
        report = CopyReport(target)
        try:
            check_pages(conn)
        except sqlite3.DatabaseError as exc:
            report.damaged = str(exc)
        for name in _tables(conn):
            with contextlib.suppress(sqlite3.DatabaseError):
                report.rows[name] = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        return report

    return _write_new(source, target, fill)


def recover(source: Path, target: Path) -> CopyReport:
    """Copy every row that can be read from the (damaged) history at ``source`` into a new
    file ``target`` (see the module docstring). Raises :class:`StoreError` (one line) when
    not even its list of tables can be read."""
    _check_paths(source, target)

    def fill(conn: sqlite3.Connection) -> CopyReport:
        report = CopyReport(target)
        with contextlib.closing(_open_read_only(source)) as damaged:
            try:
                schema = damaged.execute(
                    "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid"
                ).fetchall()
                version = damaged.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    f"nothing can be read from {source}: its list of tables is damaged ({exc})"
                ) from exc
            tables = [(name, sql) for kind, name, sql in schema if kind == "table"]
            for name, sql in tables:
                conn.execute(sql)
                copied, complete = _copy_rows(damaged, conn, name)
                report.rows[name] = copied
                if not complete:
                    report.unreadable.append(name)
            for kind, _name, sql in schema:
                if kind != "table":
                    conn.execute(sql)
        conn.execute(f"PRAGMA user_version = {int(version)}")
        report.dropped = _drop_orphans(conn)
        for name, _sql in tables:
            report.rows[name] = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise StoreError(f"the recovered copy of {source} does not pass SQLite's check")
        return report

    return _write_new(source, target, fill)


# ---------------------------------------------------------------------- recovering rows


def _copy_rows(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str
) -> tuple[int, bool]:
    """Copy ``table``'s readable rows in rowid order; return (rows copied, whether every
    row could be read). Batches while all goes well; after the first error, one row at a
    time, jumping over each stretch that cannot be read."""
    columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    after = -MAX_ROWID - 1
    copied = 0
    try:
        for row in _rows(source, select, after):
            target.execute(insert, row[1:])
            after = row[0]
            copied += 1
        return copied, True
    except sqlite3.DatabaseError:
        pass
    one = select + " LIMIT 1"
    while True:
        try:
            row = source.execute(one, (after,)).fetchone()
        except sqlite3.DatabaseError:
            resumed = _first_readable_after(source, one, after)
            if resumed is None:
                return copied, False
            after = resumed
            continue
        if row is None:
            return copied, False
        target.execute(insert, row[1:])
        after = row[0]
        copied += 1


def _rows(conn: sqlite3.Connection, select: str, after: int) -> Iterator[tuple]:
    cursor = conn.execute(select, (after,))
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch


def _first_readable_after(conn: sqlite3.Connection, probe: str, after: int) -> int | None:
    """The smallest ``c > after`` (as found by a binary search) from which the next row can
    be read again, or ``None`` when none can. Reading the row after ``after`` just failed."""

    def readable(c: int) -> bool:
        try:
            conn.execute(probe, (c,)).fetchall()
        except sqlite3.DatabaseError:
            return False
        return True

    step, high = 1, None
    while after + step < MAX_ROWID:
        if readable(after + step):
            high = after + step
            break
        step *= 2
    if high is None:
        return None
    low = after  # unreadable from here (the search keeps low unreadable, high readable)
    while high - low > 1:
        middle = (low + high) // 2
        if readable(middle):
            high = middle
        else:
            low = middle
    return high


def _drop_orphans(conn: sqlite3.Connection) -> int:
    """Rows whose foreign key points at a lost row: the key is cleared where the schema says
    so (``ON DELETE SET NULL``: an answer keeps its text when its question was lost), the row
    deleted otherwise, until none is left. Returns the rows deleted."""
    dropped = 0
    for _ in range(10):  # each round may orphan rows one level down (answer → its parts)
        orphans = {tuple(row) for row in conn.execute("PRAGMA foreign_key_check")}
        if not orphans:
            break
        for table, rowid, _parent, key in orphans:
            rule = next(
                (
                    (row[3], row[6])  # (column, on_delete)
                    for row in conn.execute(f'PRAGMA foreign_key_list("{table}")')
                    if row[0] == key
                ),
                None,
            )
            if rule is not None and rule[1].upper() == "SET NULL":
                conn.execute(f'UPDATE "{table}" SET "{rule[0]}" = NULL WHERE rowid = ?', (rowid,))
            else:
                conn.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
                dropped += 1
    return dropped


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to ``path`` (``immutable`` where the WAL index cannot
    be made, as in a read-only directory)."""
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe(exc, path)) from exc
    return conn


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


# ---------------------------------------------------------------------- the new file


def _check_paths(source: Path, target: Path) -> None:
    if not source.is_file():
        raise StoreError(f"no history file at {source}")
    if target.exists() or target.is_symlink():
        raise StoreError(f"{target} already exists: give a new file name")
    with contextlib.suppress(OSError):
        if target.resolve() == source.resolve():
            raise StoreError("the copy must be another file than the history itself")


def _write_new(
    source: Path, target: Path, fill: Callable[[sqlite3.Connection], CopyReport]
) -> CopyReport:
    """Build the copy in a private temporary file beside ``target``, then move it there."""
    try:
        target.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            report = fill(conn)
        finally:
            conn.close()
        if target.exists():
            raise StoreError(f"{target} already exists: give a new file name")
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise StoreError(describe(exc, source)) from exc
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return report
