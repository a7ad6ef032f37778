"""↑ / ↓ in a text field bring back earlier entries (:class:`tui.core.recall.Recall`).

Used by the input bar (questions), the system-prompt editor (F2: system prompts) and the
compare screen's question (F12). ↑ recalls only from the field's first line and ↓ only from
its last, so moving the cursor through a multi-line text works as before.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from tui.core.recall import Recall


def recall_key(area: TextArea, recall: Recall | None, event: events.Key) -> bool:
    """Handle ``event`` (↑ or ↓) in ``area`` from ``recall``; True when it did (the event is
    then stopped, so the cursor does not move as well)."""
    if recall is None or area.read_only or event.key not in ("up", "down"):
        return False
    row = area.cursor_location[0]
    if event.key == "up":
        text = recall.older(area.text) if row == 0 else None
    else:
        last = area.document.line_count - 1
        text = recall.newer(area.text) if row == last else None
    if text is None:
        return False
    event.stop()
    event.prevent_default()
    # replace() (not load_text) keeps the edit history: ctrl+z brings back what was there.
    result = area.replace(text, area.document.start, area.document.end)
    area.move_cursor(result.end_location)
    return True
