"""The score screen on the real built-in model: a chat answer scored under two prompts (the
table, the heatmap under the second, the difference heatmap with its legend), kept in the
history, exported; and snapshots at 80×24 and 160×48."""

from __future__ import annotations

import json

import pytest

from tests.app.screens.score_support import PIRATE, SYSTEM, engine_app, scored_under_two_prompts
from tests.app.support import wait_for
from tui.app.actions import ACTIONS, help_rows, palette_actions
from tui.app.text.difference import DifferencePalette
from tui.app.text.heat import HeatPalette
from tui.core.store import Store, history_path

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def test_the_key_is_in_the_table_the_palette_and_help() -> None:
    (spec,) = [s for s in ACTIONS if s.action == "score_answer"]
    assert spec.keys == "o" and spec.where == "log"
    assert spec in palette_actions()
    assert any("Score the selected answer" in text for _, text, _ in help_rows())


@pytest.mark.engine
async def test_two_prompts_the_table_and_the_difference_heatmap(engine, tmp_path) -> None:
    app = engine_app(engine)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await scored_under_two_prompts(pilot)
        chat_answer = app.main.chat.views[0].turn.answer
        assert chat_answer is not None
        first, second = screen.entries
        assert first.ok and second.ok, [first.error, second.error]
        assert (first.prompt.system, second.prompt.system) == (SYSTEM, PIRATE)
        # Scored under the prompt that generated it: the chat's own logprobs, token by token.
        assert first.score is not None and second.score is not None
        generated = [t.logprob for t in chat_answer.tokens if t.bytes]
        scored = [t.logprob for t in first.score.answer.tokens if t.bytes]
        assert len(generated) == len(scored)
        assert all(abs(a - b) < 1e-4 for a, b in zip(generated, scored, strict=True) if a and b)
        assert first.score.metrics.sum_logprob != second.score.metrics.sum_logprob
        # The table: two rows, the second's difference to the first in nats.
        assert screen.table.row_count == 2
        row = [str(c) for c in screen.table.get_row_at(1)]
        delta = second.score.metrics.sum_logprob - first.score.metrics.sum_logprob
        assert row[-1] == ("+" if delta > 0 else "−") + f"{abs(delta):.3f}"
        # Under the second prompt: its heatmap, then the difference heatmap with its legend.
        under, difference = screen.chat.views
        assert isinstance(under.text_view.heat, HeatPalette)
        assert isinstance(difference.text_view.heat, DifferencePalette)
        legend = str(screen.query_one("#score-legend").render())
        assert "Δ = ln p under" in legend and f"{delta:+.3f} nats" in legend
        # The token cursor and the inspector work on the difference view as in the chat.
        await pilot.press("f8", "t")
        assert screen.pane.cursor == 0
        # Exported like a comparison: JSON and CSV.
        await pilot.press("escape", "x")
        await wait_for(pilot, lambda: bool(screen.last_export))
        document = json.loads(screen.last_export[0].read_text(encoding="utf-8"))
        assert [r["system"] for r in document["results"]] == [SYSTEM, PIRATE]
        await app.history.idle()
    with Store.open(history_path()) as store:
        (summary,) = store.list_comparisons(kind="score")
        stored = store.load_comparison(summary.id)
    assert stored.status == "complete" and len(stored.results) == 2
    assert stored.questions[0].answer == chat_answer.text


@pytest.mark.engine
@pytest.mark.parametrize("size", SIZES)
def test_snapshots(engine, snap_compare, size) -> None:
    assert snap_compare(engine_app(engine), terminal_size=size, run_before=scored_under_two_prompts)


@pytest.mark.engine
async def test_the_compare_screen_scores_a_given_answer(engine) -> None:
    from textual.widgets import RadioButton, TextArea

    from tests.app.screens.compare_support import open_compare
    from tests.app.support import send
    from tui.app.screens.score import ScoreScreen
    from tui.app.widgets.compare_mode import CompareMode

    app = engine_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "What is the capital of Japan?")
        chat_answer = app.main.chat.views[0].turn.answer
        assert chat_answer is not None
        compare = await open_compare(pilot)
        mode = compare.query_one(CompareMode)
        assert mode.answer == chat_answer.text  # the chat's selected answer, taken
        compare.query_one("#compare-mode-score", RadioButton).value = True
        await pilot.pause()
        assert mode.scoring and not compare.query_one(".compare-fields").display
        compare.query_one("#compare-written", TextArea).text = f"{PIRATE}\n---\n{SYSTEM}"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScoreScreen))
        screen = app.screen
        assert isinstance(screen, ScoreScreen)
        await wait_for(pilot, lambda: bool(screen.entries) and not screen.running, timeout=60)
        labels = [e.prompt.system for e in screen.entries]
        assert labels == [SYSTEM, PIRATE]  # the chat's prompt is the compare's baseline
        assert all(e.ok for e in screen.entries)


async def test_scoring_needs_an_answer_and_says_so(scripted) -> None:
    from textual.widgets import RadioButton

    from tests.app.screens.compare_support import open_compare
    from tests.app.support import make_app
    from tui.app.screens.compare import CompareScreen

    app = make_app(scripted)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f8", "o")  # no answer in the chat: one line, no screen
        await pilot.pause()
        assert app.screen is app.main
        compare = await open_compare(pilot)
        compare.query_one("#compare-mode-score", RadioButton).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert "type the answer to score" in compare.form_errors()["run"]
