"""Snapshots of the system-prompt and settings modals at 80×24 and 160×48.

Deterministic: fixed presets, models and values; cursors do not blink. Update only after
looking at the report: ``uv run pytest tests/app/screens/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.app.screens.host import Host, freeze_cursors
from tui.app.screens.settings import SettingsScreen
from tui.app.screens.system_prompt import SystemPromptScreen
from tui.core.presets import PresetStore
from tui.core.settings import Sampling

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
MODELS = ["scripted-model", "openai/gpt-oss-20b", "Qwen/Qwen3-8B", "[/INST] odd-name"]


async def settle(pilot) -> None:
    await pilot.pause()
    freeze_cursors(pilot.app)
    await pilot.pause()


def system_prompt_host() -> Host:
    store = PresetStore()
    store.save("polite", "あなたは親切なAIです。丁寧に、簡潔に答えてください。")
    store.save("terse", "Answer in one word.")
    store.save("[bold]markup[/bold]", "Shown literally: [/INST]")
    prompt = "あなたは親切なAIです。丁寧に、簡潔に答えてください。"
    return Host(lambda: SystemPromptScreen(store, prompt, "polite"))


@pytest.mark.parametrize("size", SIZES)
def test_system_prompt_modal(snap_compare, size):
    assert snap_compare(system_prompt_host(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_settings_modal(snap_compare, size):
    sampling = Sampling(temperature=0.7, top_logprobs=5, max_tokens=512, seed=None)
    app = Host(lambda: SettingsScreen(MODELS, "openai/gpt-oss-20b", sampling))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_settings_modal_with_a_bad_value(snap_compare):
    app = Host(lambda: SettingsScreen(MODELS, "openai/gpt-oss-20b", Sampling()))

    async def type_bad_temperature(pilot) -> None:
        await settle(pilot)
        await pilot.press("tab", "ctrl+u", "5", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=type_bad_temperature)
