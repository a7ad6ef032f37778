"""Driving the question-set screen in pilot tests: a set started from the compare form."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RadioButton

from tests.app.screens.compare_support import fill, open_compare, until
from tests.support.set_replies import CAREFUL, TERSE
from tui.app.screens.question_set import QuestionSetScreen


async def start_set(
    pilot: Pilot,
    path: Path,
    *,
    samples: str = "2",
    written: str = f"{CAREFUL}\n---\n{TERSE}",
    score: bool = False,
) -> QuestionSetScreen:
    """F12, the prompts written (two by default), score mode if asked, the file's path,
    ctrl+s; the set screen once its run ended."""
    app = pilot.app
    compare = await open_compare(pilot)
    fill(compare, written=written, samples=samples, seed="5")
    compare.query_one("#compare-mode-score", RadioButton).value = score
    compare.query_one("#set-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await until(lambda: isinstance(app.screen, QuestionSetScreen))
    screen = app.screen
    assert isinstance(screen, QuestionSetScreen)
    await until(lambda: not screen.running and screen.state != "starting")
    await pilot.pause()
    return screen


def table_rows(screen: QuestionSetScreen, selector: str) -> list[list[str]]:
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(r)] for r in range(table.row_count)]
