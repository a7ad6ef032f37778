"""Question files a person used lately (newest first, kept in the data directory), and
completing a path as it is typed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tui.core.private_file import write_private_text

RECENT_FILE = "recent-question-files.json"
MAX_RECENT = 10
MAX_LISTED = 2000
"""A directory with more entries than this is not listed for completion (a slow disk)."""


def recent_files(data_dir: Path) -> list[str]:
    """The recent question files that still exist, newest first ([] when none or unreadable)."""
    try:
        names = json.loads((data_dir / RECENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(names, list):
        return []
    return [n for n in names if isinstance(n, str) and Path(n).is_file()][:MAX_RECENT]


def remember_file(data_dir: Path, path: str | Path) -> None:
    """Put ``path`` (made absolute) first in the recent list; a write problem is ignored
    (the list is a convenience, never a reason to stop)."""
    full = str(Path(path).expanduser().resolve())
    names = [full, *(n for n in recent_files(data_dir) if n != full)][:MAX_RECENT]
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        write_private_text(data_dir / RECENT_FILE, json.dumps(names, ensure_ascii=False))
    except OSError:
        pass


def complete_path(text: str) -> str | None:
    """``text`` completed to the first file or directory whose name starts with its last
    part (directories end in ``/``), or ``None``. ``~`` is understood, and kept as typed."""
    if not text:
        return None
    typed_dir, _, start = text.rpartition("/")
    folder = Path(os.path.expanduser(typed_dir + "/" if typed_dir else ".") or "/")
    try:
        with os.scandir(folder) as entries:
            names = []
            for n, entry in enumerate(entries):
                if n >= MAX_LISTED:
                    return None
                if entry.name.startswith(start) and (start.startswith(".") or entry.name[0] != "."):
                    names.append((entry.name, entry.is_dir()))
    except OSError:
        return None
    if not names:
        return None
    name, is_dir = min(names)
    prefix = typed_dir + "/" if typed_dir or text.startswith("/") else ""
    completed = prefix + name + ("/" if is_dir else "")
    return completed if completed != text else None
