"""A screen's export, off the UI thread: files written by a function in a worker thread,
said in a notification (or why not), the paths handed back to the screen's ``_exported``
on the UI thread. Shared by the compare and question-set screens."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any


def run_export(screen: Any, write: Callable[[], list[Path]], what: str) -> None:
    """Start :func:`export_in_thread` in a worker thread of ``screen``."""
    screen.run_worker(
        partial(export_in_thread, screen, write, what),
        thread=True,
        group="export",
        exit_on_error=False,
    )


def export_in_thread(screen: Any, write: Callable[[], list[Path]], what: str) -> None:
    """Run ``write`` (in a worker thread); ``screen._exported(paths)`` on the UI thread, or
    one line saying why ``what`` could not be exported."""
    try:
        paths = write()
    except OSError as exc:
        screen.app.call_from_thread(
            screen.notify,
            f"could not export {what}: {exc.strerror or exc}",
            markup=False,
            severity="error",
        )
        return
    screen.app.call_from_thread(screen._exported, paths)
