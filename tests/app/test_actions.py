"""The action table: every entry runs a real method of its owner, screen keys are not swallowed
by the input bar (it has the focus most of the time), and the help lists the keys that work."""

from __future__ import annotations

from textual.widgets import TextArea

from tests.app.support import make_app, send, wait_for
from tui.app.actions import ACTIONS, action_string, palette_actions
from tui.app.screens.help import HelpScreen
from tui.app.screens.main import MainScreen
from tui.app.widgets.answer_pane import AnswerPane
from tui.app.widgets.chat_log import ChatLog
from tui.app.widgets.prompt_input import PromptInput

OWNERS = {"screen": MainScreen, "chat": ChatLog, "pane": AnswerPane, "input": PromptInput}


def _keys(bindings) -> set[str]:
    keys: set[str] = set()
    for binding in bindings:
        key = binding.key if hasattr(binding, "key") else binding[0]
        keys.update(k.strip() for k in key.split(","))
    return keys


def test_every_action_has_a_method_on_its_owner():
    for spec in ACTIONS:
        assert hasattr(OWNERS[spec.owner], f"action_{spec.action}"), spec
        if spec.owner == "pane":  # reached from any key through the screen
            assert action_string(spec).endswith(f"pane({spec.action!r})")
            assert hasattr(MainScreen, "action_pane")


def test_screen_keys_are_not_taken_by_the_text_area():
    taken = _keys(TextArea.BINDINGS)
    for spec in ACTIONS:
        if spec.where == "screen" and not spec.priority:
            assert not (set(spec.keys.split(",")) & taken), spec


def test_palette_titles_are_unique_and_say_what_they_do():
    titles = [spec.title for spec in palette_actions()]
    assert len(titles) == len(set(titles))
    for wanted in ("Copy raw logprob JSON", "Save raw logprob JSON to a file",
                   "System prompt and presets", "Settings: model and sampling",
                   "Jump to the least likely token", "Token heatmap on/off"):  # fmt: skip
        assert wanted in titles


async def test_help_lists_every_key_the_chat_screen_answers_to(scripted):
    """What the footer offers (input focused, then the chat log with the token cursor on) is
    in the help screen, with the same key."""
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        shown: set[tuple[str, str]] = set()
        for keys in ((), ("escape", "t")):
            await pilot.press(*keys)
            await pilot.pause()
            for active in app.main.active_bindings.values():
                binding = active.binding
                if binding.show and active.enabled and binding.tooltip:
                    shown.add((binding.key_display or binding.key, binding.tooltip))
        await pilot.press("escape", "escape", "f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {(key, text) for key, text, _ in app.screen.rows}
    assert len(shown) > 15
    missing = [(key, text) for key, text in shown if not any(
        text == row_text and key.split(",")[0] in row_key.replace(" / ", ",")
        for row_key, row_text in rows
    )]  # fmt: skip
    assert missing == []
