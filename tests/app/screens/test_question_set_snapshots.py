"""Snapshots of the question-set screen with a finished set (five Japanese questions, two
prompts, two samples each; the terse prompt better on two questions, worse on three) at
80×24 and 160×48.

Deterministic: fixed replies and seeds, no rate or time left once the run ended, no cursor
blink. Update only after looking at the report:
``uv run pytest tests/app/screens/test_question_set_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.screens.set_support import start_set
from tests.app.support import make_app
from tests.support.set_replies import CAREFUL, set_reply, write_questions

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
SHIFTS = [-0.3, 0.1, -0.2, 0.05, -0.15]


@pytest.mark.parametrize("size", SIZES)
def test_a_finished_set(scripted, snap_compare, tmp_path: Path, size):
    scripted.default = set_reply(terse=lambda j: SHIFTS[j % 5])
    questions = write_questions(tmp_path / "qs.jsonl", 5, japanese=True)

    async def finished(pilot) -> None:
        await start_set(pilot, questions)
        await pilot.pause()

    app = make_app(scripted, system_prompt=CAREFUL, data_dir=tmp_path / "data")
    assert snap_compare(app, terminal_size=size, run_before=finished)
