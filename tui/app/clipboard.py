"""Clipboard and export decisions, kept apart from the widgets so they can be tested.

Copying uses two routes (harlequin's and toad's lesson: each alone fails somewhere):

* OSC 52 through the terminal (``App.copy_to_clipboard``): works over SSH and in tmux with
  ``set-clipboard on``, but terminals drop payloads above a few KB, and a huge one would
  flood a slow link, so it is not sent above :data:`OSC52_MAX_BYTES`;
* pyperclip, when this machine has a local clipboard (not over a bare SSH session).

Raw logprob JSON is often far above what a terminal accepts, so it can also be saved to a file
in ``data_dir()/exports``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

OSC52_SAFE_BYTES = 4 * 1024
"""Below this every terminal with OSC 52 support takes the payload."""
OSC52_MAX_BYTES = 1024 * 1024
"""Above this nothing is sent through the terminal: no terminal keeps it, and it would take
seconds over SSH."""


def local_clipboard_available(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> bool:
    """Whether pyperclip has a chance: macOS and Windows always; Linux needs a display, and a
    bare SSH session (no forwarded display) has none."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def copy_note(what: str, size: int, *, osc52: bool, local: bool) -> str:
    """The notification after a copy: what went where, and a hint when it may not arrive."""
    kb = f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} bytes"
    if not osc52 and not local:
        return (
            f"{what} is {kb}: too big for the terminal clipboard and no local clipboard here; "
            "save it to a file instead (w)"
        )
    note = f"copied {what} ({kb})"
    if osc52 and size > OSC52_SAFE_BYTES and not local:
        note += "; many terminals drop clipboard writes over a few KB: if it did not arrive, "
        note += "save it to a file (w)"
    return note


def export_path(directory: Path, number: int, now: datetime) -> Path:
    """``answer-20261128-142501-3.json``, with ``-2``, ``-3``… if that name is taken."""
    stem = f"answer-{now:%Y%m%d-%H%M%S}-{number}"
    path = directory / f"{stem}.json"
    n = 2
    while path.exists():
        path = directory / f"{stem}-{n}.json"
        n += 1
    return path
