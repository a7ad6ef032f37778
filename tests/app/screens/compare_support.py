"""Driving the compare screen in pilot tests, and a Japanese comparison with known numbers.

The Japanese replies: two system prompts, the same question, five samples each (seed 100 + i
picks the sample). Per sample, the answer's mean logprob is:

* polite: −0.10, −0.20, −0.10, −0.20, −0.15 (mean −0.15)
* terse:  −0.70, −0.90, −0.80, −1.10, −0.90 (mean −0.88)
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea

from tests.support.compare_replies import SEED, system_of
from tests.support.scripted_server import Reply, Request, default_reply, stream_of
from tui.app.screens.compare import CompareScreen

POLITE = "丁寧に、詳しく答えてください。"
TERSE = "一言で答えてください。"
QUESTION = "日本の首都はどこですか？"

ALTERNATIVE = ("京都", math.log(0.02))


def _answer(tokens: list[str], logprobs: list[float]) -> list[tuple[str, float, list]]:
    return [(t, lp, [(t, lp), ALTERNATIVE]) for t, lp in zip(tokens, logprobs, strict=True)]


JAPANESE: dict[str, list[list[tuple[str, float, list]]]] = {
    POLITE: [
        _answer(["東京", "です", "。"], lps)
        for lps in (
            [-0.05, -0.10, -0.15],
            [-0.10, -0.20, -0.30],
            [-0.02, -0.08, -0.20],
            [-0.12, -0.18, -0.30],
            [-0.06, -0.14, -0.25],
        )
    ],
    TERSE: [
        _answer(["東京", "。"], lps)
        for lps in ([-0.9, -0.5], [-1.2, -0.6], [-0.7, -0.9], [-1.5, -0.7], [-1.0, -0.8])
    ],
}
POLITE_MEANS = [-0.10, -0.20, -0.10, -0.20, -0.15]
TERSE_MEANS = [-0.70, -0.90, -0.80, -1.10, -0.90]


def japanese_reply(request: Request) -> Reply:
    if not request.path.endswith("/chat/completions"):
        return default_reply(request)
    rows = JAPANESE[system_of(request)][request.json["seed"] - SEED]  # type: ignore[index]
    return Reply.sse(stream_of(rows))


async def until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``predicate()`` holds (plain sleeps: ``pilot.pause`` in a loop
    walks every widget each time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def open_compare(pilot: Pilot) -> CompareScreen:
    """Press F12 on the chat screen and wait for the compare screen."""
    app = pilot.app
    await pilot.press("f12")
    await until(lambda: isinstance(app.screen, CompareScreen) and app.screen.is_mounted)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def fill(
    screen: CompareScreen,
    *,
    question: str | None = None,
    written: str | None = None,
    **fields: str,
) -> None:
    """Set the form as typed: the question, the written prompts, number fields by name."""
    if question is not None:
        screen.query_one("#compare-question", TextArea).load_text(question)
    if written is not None:
        screen.query_one("#compare-written", TextArea).load_text(written)
    for name, value in fields.items():
        screen.query_one(f"#compare-{name}", Input).value = value


async def run_comparison(pilot: Pilot, screen: CompareScreen) -> None:
    """ctrl+s, then wait until every sample is in and the screen shows the final numbers."""
    await pilot.press("ctrl+s")
    await until(lambda: not screen.running and screen.result is not None)
    await pilot.pause()


def row_texts(screen: CompareScreen, k: int) -> dict[str, str]:
    table = screen.query_one(DataTable)
    return {
        str(column.key.value): cell.plain
        for column, cell in zip(table.ordered_columns, table.get_row(str(k)), strict=True)
    }


def report_text(screen: CompareScreen) -> str:
    return str(screen.query_one("#compare-report").render())
