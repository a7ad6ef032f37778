"""The compare screen's export, off the UI thread: JSON and CSV files of a comparison in
the data directory's ``exports/``, said in a notification (or why not)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from tui.core.compare import CompareResult
from tui.core.compare.export import write_exports


def export_in_thread(
    screen: Any, result: CompareResult, directory: Path, extra: dict[str, Any]
) -> None:
    """Write the files (in a worker thread); ``screen._exported(paths)`` on the UI thread."""
    try:
        paths = write_exports(result, directory, datetime.now(), extra)
    except OSError as exc:
        screen.app.call_from_thread(
            screen.notify,
            f"could not export the comparison: {exc.strerror or exc}",
            markup=False,
            severity="error",
        )
        return
    screen.app.call_from_thread(screen._exported, paths)
