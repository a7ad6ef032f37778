"""What a person could read out of files the program wrote, history files included.

Token parts are compressed in the history (format 2), so a secret inside one would not show
as its bytes in the file: tests that prove no secret reached the disk look at
:func:`readable_bytes`, which adds every part of every history file among the files,
decompressed, to the files' own bytes.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from tui.core.store import codec

SQLITE_MAGIC = b"SQLite format 3\x00"


def readable_bytes(paths: Iterable[Path]) -> bytes:
    """The files' bytes, then the decompressed parts of those that are history files."""
    out: list[bytes] = []
    for path in paths:
        data = path.read_bytes()
        out.append(data)
        if data.startswith(SQLITE_MAGIC):
            out.extend(_parts(path))
    return b"".join(out)


def _parts(path: Path) -> list[bytes]:
    """Every part's JSON, read from a copy (with its WAL: the parts a killed writer left)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        try:
            with closing(sqlite3.connect(copy)) as conn:
                rows = conn.execute("SELECT format, tokens, raw FROM answer_parts").fetchall()
        except sqlite3.Error:
            return []
    return [codec.unpack(fmt, blob) for fmt, tokens, raw in rows for blob in (tokens, raw)]
