"""Snapshots of the compare screen with a finished comparison (the Japanese one of
``compare_support``: two prompts × five samples) at 80×24 and 160×48.

Deterministic: fixed replies, fixed seeds, no timings on this screen, no cursor blink. Update
only after looking at the report: ``uv run pytest tests/app/screens/test_compare_snapshots.py
--snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.app.screens.compare_support import (
    POLITE,
    QUESTION,
    TERSE,
    fill,
    japanese_reply,
    open_compare,
    run_comparison,
)
from tests.app.support import make_app
from tests.support.compare_replies import SEED
from tui.core.presets import PresetStore

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


async def finished_comparison(pilot) -> None:
    pilot.app.main.input.insert(QUESTION)
    screen = await open_compare(pilot)
    fill(screen, written=TERSE, samples="5", seed=str(SEED), max_tokens="16")
    await run_comparison(pilot, screen)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_compare_screen_with_a_finished_comparison(scripted, snap_compare, size):
    scripted.default = japanese_reply
    store = PresetStore()
    store.save("丁寧", POLITE)
    app = make_app(scripted, presets=store, preset="丁寧", system_prompt=POLITE)
    assert snap_compare(app, terminal_size=size, run_before=finished_comparison)
