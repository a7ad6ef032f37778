"""One readable line for every way the history file can fail."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from tui.core.errors import LogprobChatError
from tui.core.paths import data_dir_problem
from tui.core.store.schema import SCHEMA_VERSION, NewerSchemaError


class StoreError(LogprobChatError):
    """The history file cannot be read or written (locked, read-only, damaged, newer).
    ``passing``: the cause may go away by itself (a full disk, another program's lock), so
    the same write is worth trying again later."""

    kind = "store"

    def __init__(self, message: str, *, passing: bool = False) -> None:
        super().__init__(message)
        self.passing = passing


def may_pass(exc: BaseException) -> bool:
    """Whether ``exc`` is a condition that may go away by itself: a full disk or quota,
    another program's lock."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    lowered = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and (
        "full" in lowered or "locked" in lowered or "busy" in lowered
    )


def describe(exc: BaseException, path: Path | None) -> str:
    """What went wrong with ``path``, in words a user can act on (no traceback, one line)."""
    where = str(path) if path is not None else "the in-memory history"
    if isinstance(exc, NewerSchemaError):
        return (
            f"history file {where} was written by a newer logprob-chat (schema version "
            f"{exc.found}; this one reads up to {SCHEMA_VERSION}); it was left as it is"
        )
    text = str(exc)
    lowered = text.lower()
    blocked = data_dir_problem(path.parent) if path is not None else None
    if blocked and isinstance(exc, OSError | sqlite3.OperationalError):
        return blocked
    if isinstance(exc, sqlite3.OperationalError) and "locked" in lowered:
        return f"history file {where} is locked by another program ({text})"
    if "readonly" in lowered or "read-only" in lowered:
        return f"history file {where} is read-only ({text})"
    if "unable to open" in lowered:
        return f"cannot open history file {where} ({text}); check the directory's permissions"
    if "disk is full" in lowered or "disk i/o" in lowered:
        return f"cannot write history file {where} ({text})"
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered
    ):
        return (
            f"history file {where} is damaged ({text}); it was left as it is: "
            "`logprob-chat history recover NEW_FILE` copies what can still be read, and "
            "moving the file away starts a new history"
        )
    if isinstance(exc, PermissionError):
        return f"cannot write history file {where} (permission denied)"
    if isinstance(exc, OSError):
        return f"cannot use history file {where} ({exc.strerror or text})"
    return f"history file {where}: {type(exc).__name__}: {text}"


def is_damage(exc: BaseException) -> bool:
    """True when the file itself is broken (not a passing condition like a lock)."""
    lowered = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered
    )
