"""Keys sent in a burst apply in order, each to the widget that has the focus once the key
before it was handled (issue 15 item 8). ``type_ahead`` queues every key at once, as a
terminal delivers a fast typist's keys: nothing waits for one key before the next arrives."""

from __future__ import annotations

import asyncio

from textual import events
from textual.widgets import Input

from tests.app.support import make_app, type_ahead, wait_for
from tui.app import key_order
from tui.app.screens.settings import SettingsScreen
from tui.app.widgets.chat_log import ChatLog
from tui.app.widgets.prompt_input import PromptInput


async def test_a_binding_in_the_input_comes_between_the_letters_around_it(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        type_ahead(app, "a", "3", "ctrl+j", "b", "3", "ctrl+j")
        await wait_for(pilot, lambda: app.main.input.text.count("\n") == 2)
        assert app.main.input.text == "a3\nb3\n"  # was "a3b3\n\n"


async def test_a_key_after_f8_goes_to_the_chat_log(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        type_ahead(app, "x", "f8", "k", "i", "y")
        await wait_for(pilot, lambda: app.main.input.text == "xy")
        # k went to the chat log (select the previous answer: none), not into the input.
        assert isinstance(app.focused, type(app.main.input))


async def test_f3_tab_and_a_digit_land_in_the_settings(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        type_ahead(app, "f3", "tab", "end", "7", "enter", "h", "i")
        await wait_for(pilot, lambda: app.main.input.text == "hi")
        assert app.session.sampling.temperature == 0.77  # 0.7, then 7
        assert not isinstance(app.screen, SettingsScreen)


async def test_escape_then_letters_go_to_the_chat_log(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        type_ahead(app, "a", "escape", "i", "b")
        await wait_for(pilot, lambda: app.main.input.text == "ab")
        assert app.focused is app.main.input
        type_ahead(app, "escape", "z")
        await wait_for(pilot, lambda: isinstance(app.focused, ChatLog))
        await pilot.pause()
        assert app.main.input.text == "ab"
        assert not isinstance(app.focused, Input)


async def test_a_key_marker_handled_while_the_app_closes_does_not_crash_it(scripted):
    # Seen in a parallel run: a key's marker came back after the last screen was gone, and
    # asking for the focused widget raised ScreenStackError ("stopped on an unexpected error").
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert not app._screen_stack
    assert app._focus_path_busy() is False


async def test_keys_stay_in_order_on_a_machine_slower_than_the_markers_timeout(
    scripted, monkeypatch
):
    # Seen under load: a key took longer than the marker's timeout to go through, and the
    # next key was let through before it was done.
    monkeypatch.setattr(key_order, "KEY_DONE_TIMEOUT", 0.001)  # every key is "late"
    on_key = PromptInput._on_key

    async def slow_on_key(self: PromptInput, event: events.Key) -> None:
        await asyncio.sleep(0.02)  # a busy machine: each key takes a while in the input
        await on_key(self, event)

    monkeypatch.setattr(PromptInput, "_on_key", slow_on_key)
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        type_ahead(app, "x", "f8", "k", "i", "y", "ctrl+j", "z")
        await wait_for(pilot, lambda: app.main.input.text == "xy\nz")
        assert isinstance(app.focused, type(app.main.input))
