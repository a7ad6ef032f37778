"""Snapshots of the history screen at 80×24 and 160×48.

Deterministic: the history is filled with a fixed clock, the app's wall clock is fixed, local
time is UTC, cursors do not blink. Update only after looking at the report:
``uv run pytest tests/app/screens/test_history_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.app.history_support import DAY, NOW, fill
from tests.app.screens.test_history import open_history
from tests.app.support import make_app
from tui.core.store import AnswerParams

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _history() -> None:
    polite = AnswerParams(model="openai/gpt-oss-20b", preset="polite", system_prompt="丁寧に。")
    fill(
        [
            {"questions": ["猫はどこに座りましたか？", "なぜ？"], "params": polite,
             "at": NOW - 400 * DAY},
            {"questions": ["[bold]not markup[/bold] and \x1b[31mred\x1b[0m"], "at": NOW - 2 * DAY},
            {"questions": ["Explain logprobs in one paragraph, please, with an example"],
             "params": AnswerParams(model="Qwen/Qwen3-8B-Instruct-GGUF:Q4_K_M", preset="teacher"),
             "at": NOW - 5 * 3600},
            {"questions": ["What is the capital of France?"], "title": "Geography quiz",
             "at": NOW - 600},
        ]
    )  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_history_screen(scripted, snap_compare, size):
    _history()
    app = make_app(scripted, new_conversation=True, wall_clock=lambda: NOW)
    assert snap_compare(app, terminal_size=size, run_before=open_history)
