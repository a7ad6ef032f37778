"""How the messages screen writes one notice: ``23:10:05  ⚠ could not export: …``."""

from __future__ import annotations

from datetime import datetime

from tui.core.safety import safe_line

SEVERITY_MARK = {"information": "·", "warning": "!", "error": "⚠"}


def notice_line(at: float, text: str, severity: str) -> str:
    """One line: local time, a mark for the severity, the text (made safe, on one line)."""
    when = datetime.fromtimestamp(at).strftime("%H:%M:%S")
    return f"{when}  {SEVERITY_MARK.get(severity, '·')} {safe_line(text)}"
