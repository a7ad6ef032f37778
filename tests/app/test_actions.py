"""The action table: every entry runs a real method, and screen keys are not swallowed by the
input bar (it has the focus most of the time)."""

from __future__ import annotations

from textual.widgets import TextArea

from tui.app.actions import ACTIONS, help_rows, palette_actions
from tui.app.screens.main import MainScreen
from tui.app.widgets.prompt_input import PromptInput


def _keys(bindings) -> set[str]:
    keys: set[str] = set()
    for binding in bindings:
        key = binding.key if hasattr(binding, "key") else binding[0]
        keys.update(k.strip() for k in key.split(","))
    return keys


def test_every_action_has_a_method_on_its_owner():
    for spec in ACTIONS:
        name = spec.action.removeprefix("screen.")
        owner = PromptInput if spec.where == "input" and "." not in spec.action else MainScreen
        assert hasattr(owner, f"action_{name}"), spec


def test_screen_keys_are_not_taken_by_the_text_area():
    taken = _keys(TextArea.BINDINGS)
    for spec in ACTIONS:
        if spec.where == "screen" and not spec.priority:
            assert not (set(spec.keys.split(",")) & taken), spec


def test_help_and_palette_cover_every_action():
    rows = help_rows()
    assert len(rows) == len(ACTIONS)
    assert ("f1", "Show every key and what it does", "General") in rows
    titles = [spec.title for spec in palette_actions()]
    assert len(titles) == len(set(titles))
    for wanted in ("Copy raw logprob JSON", "Save raw logprob JSON to a file",
                   "System prompt and presets", "Settings: model and sampling",
                   "Jump to the least likely token", "Token heatmap on/off"):  # fmt: skip
        assert wanted in titles
