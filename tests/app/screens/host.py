"""A tiny app that opens one screen and records what it is dismissed with (oterm's pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, TextArea

from tui.app.key_order import OrderedKeys


class Host(OrderedKeys, App[None]):
    """Pushes ``make_screen()`` on mount; every dismissal result lands in ``results``. Keys
    are handled in order, one at a time, as in the chat app (``tui.app.key_order``)."""

    TITLE = "logprob-chat test host"

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)


def screen_text(app: App[Any]) -> str:
    """What the active screen shows, as plain text lines (what a person would read)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def freeze_cursors(app: App[Any]) -> None:
    """Steady cursors, so snapshots do not depend on when the blink timer fired."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
