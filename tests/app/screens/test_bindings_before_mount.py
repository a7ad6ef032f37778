"""The footer asks a screen which keys it offers as soon as the screen is pushed; on a busy
machine that can come before the screen's on_mount has found its chat log and answer pane.
It crashed then (``AttributeError: 'SampleScreen' object has no attribute 'pane'``, seen in
a parallel test run); now keys that need them are simply not offered yet."""

from __future__ import annotations

from tests.app.history_support import cat_answer
from tui.app.screens.main import MainScreen
from tui.app.screens.sample import SampleScreen
from tui.core.conversation import Turn


def test_the_sample_screen_answers_before_it_is_mounted():
    screen = SampleScreen(Turn("what is it?", answer=cat_answer()), 4, "1. polite · sample #4")
    assert screen.check_action("pane", ("cursor_left",)) is False
    assert screen.check_action("copy_text", ()) is True


def test_the_chat_screen_answers_before_it_is_mounted():
    screen = MainScreen()
    assert not screen.wired
    assert screen.check_action("stop", ()) is False
    assert screen.check_action("pane", ("cursor_left",)) is False
    assert screen.check_action("help", ()) is True
