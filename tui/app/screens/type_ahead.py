"""Keys typed right after the key that opened a screen must not be lost.

Textual sends a key to the widget that has the focus when the key is read. A screen pushed by
a (priority) binding is the active screen at once, but none of its widgets has the focus until
it is mounted, so the next few keys go to the screen itself: bindings still work (they are
looked up from the focused widget when the key reaches the app), but printable characters,
which only a text widget handles, would vanish. A fast typist pressing F2 then typing the
prompt lost their first characters. :func:`deliver_early_key` gives such a key to the text
widget that has the focus by the time the screen handles it.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widgets import Input, TextArea


def deliver_early_key(screen: Screen[object], event: events.Key) -> bool:
    """Call from a screen's ``on_key``. A printable key that reached the screen while a text
    widget has the focus never went through that widget (it would have used and stopped it):
    insert it there. True when the key was delivered."""
    focused = screen.focused
    if not (event.is_printable and event.character):
        return False
    if isinstance(focused, TextArea) and not focused.read_only:
        focused.replace(event.character, *focused.selection)
    elif isinstance(focused, Input):
        focused.insert_text_at_cursor(event.character)
    else:
        return False
    event.stop()
    event.prevent_default()
    return True
