"""The scrolling chat log: questions and answers, newest at the bottom.

It uses Textual's ``stream`` layout (children stacked full width with auto height, appended
in O(1)), and stays anchored to the bottom while an answer streams unless the person scrolls
away. Its keys (select answers, token cursor, copy) run the screen's actions, which own the
state; the log only carries the bindings so they apply while it has focus.
"""

from __future__ import annotations

from textual.containers import VerticalScroll

from tui.app.actions import bindings_for


class ChatLog(VerticalScroll, can_focus=True):
    BINDINGS = bindings_for("log", "screen.")
    BLANK = True  # a plain background: Textual then skips rendering it line by line
