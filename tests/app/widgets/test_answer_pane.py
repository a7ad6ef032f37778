"""The answer pane alone, on a host app beside one answer: what it shows for each state of an
answer, its token cursor (τ included), its heatmap and the messages it hands to the app."""

from __future__ import annotations

import json

from textual.containers import VerticalScroll

from tests.app.support import TOKENS
from tests.app.widgets.host import FakeHooks, Recorder, WidgetHost, tokens
from tui.app.messages import CopyRequested, SaveRequested
from tui.app.widgets.answer import AnswerView
from tui.app.widgets.answer_pane import AnswerPane
from tui.core.conversation import Turn
from tui.core.wire.events import Finished, TextDelta


def _turn(rows=TOKENS, threshold: float = 0.1) -> Turn:
    builder = FakeHooks().new_builder()
    builder.answer.low_prob_threshold = threshold
    builder.apply(TextDelta("".join(t for t, _, _ in rows)))
    if rows:
        builder.apply(tokens([(t, lp) for t, lp, _ in rows]))
    builder.apply(Finished("stop"))
    return Turn("Where did the cat sit?", answer=builder.finish("complete"))


def _host(turn: Turn, **pane: object) -> tuple[WidgetHost, AnswerView, AnswerPane]:
    view = AnswerView(turn, 2)
    answer_pane = AnswerPane(**pane)  # type: ignore[arg-type]
    return WidgetHost(VerticalScroll(view, id="log"), answer_pane), view, answer_pane


async def test_it_shows_a_finished_answer_and_walks_its_tokens():
    app, view, pane = _host(_turn())
    async with app.run_test(size=(160, 40)) as pilot:
        pane.show(view)
        await pilot.pause()
        stats = pane.stats.render().plain
        assert stats.startswith("Answer #2 · complete") and "Mean logprob" in stats
        assert pane.json_title.render().plain == "raw logprobs · 7 rows · 16 lines"
        assert pane.json_view.doc.row_count == 7
        pane.action_cursor_least_likely()
        await pilot.pause()
        assert pane.cursor == 2 and pane.inspector.has_class("-active")
        assert "Token #3 of 7" in pane.inspector.render().plain
        assert pane.strip.render().plain.startswith("token #3 of 7  ␣sat")
        headline = pane.headline.render().plain
        assert headline.startswith("Answer #2 · ✓ complete · 7 tokens") and "at #3" in headline
        assert view.text_view.cursor == 2  # drawn in the answer's text
        first = pane.json_view.doc.line_of_row(2)
        assert first in pane.json_view._highlight
        assert pane.check_action("cursor_left", ()) is True
        assert pane.leave_cursor() and pane.cursor is None and view.text_view.cursor is None
        assert pane.check_action("cursor_left", ()) is False  # the footer drops the arrows


async def test_another_answer_takes_the_cursor_away():
    app, view, pane = _host(_turn())
    async with app.run_test() as pilot:
        pane.show(view)
        pane.action_toggle_cursor()
        await pilot.pause()
        assert pane.cursor == 0
        pane.show(view, keep_cursor=True)  # the same answer, just finished: it stays
        assert pane.cursor == 0
        pane.show(None)
        await pilot.pause()
        assert pane.cursor is None and view.text_view.cursor is None
        assert pane.stats.render().plain == "No answer yet."
        assert pane.json_title.render().plain == "raw logprobs · none"


async def test_next_low_follows_the_threshold_it_was_given():
    # τ = 0.55: " cat" (p 0.5) and " sat" (p 0.04) are below it; the default 0.1 has one.
    app, view, pane = _host(_turn(threshold=0.55), threshold=0.55)
    async with app.run_test() as pilot:
        pane.show(view)
        visited = []
        for _ in range(3):
            pane.action_cursor_next_low()
            await pilot.pause()
            visited.append(pane.cursor)
    assert visited == [1, 2, 1]


async def test_an_answer_without_logprobs_says_so_and_has_nothing_to_walk():
    turn = _turn(rows=[])
    app, view, pane = _host(turn)
    async with app.run_test(notifications=True) as pilot:
        pane.show(view)
        pane.action_toggle_cursor()
        await pilot.pause()
        assert pane.cursor is None
        assert pane.stats.render().plain.splitlines()[1].startswith("Logprobs")
        assert [n.message for n in app._notifications] == [
            "This answer has no logprobs to inspect."
        ]


async def test_a_waiting_answer_has_a_title_and_no_rows():
    app, view, pane = _host(Turn("q"))
    async with app.run_test() as pilot:
        pane.show(view)
        await pilot.pause()
        assert pane.stats.render().plain == "Answer #2 · waiting for the model"


async def test_heat_and_copies_are_messages_for_the_screen_and_the_app():
    turn = _turn()
    app, view, pane = _host(turn, heat=True, noun="Sample")
    seen = Recorder()
    async with app.run_test(message_hook=seen) as pilot:
        await pilot.pause()
        pane.show(view)
        assert pane.legend.has_class("-active")
        pane.action_toggle_heatmap()
        pane.action_copy_text()
        pane.action_copy_stats()
        pane.action_copy_json()
        pane.action_save_json()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not pane.legend.has_class("-active")
    heats = [m.heat for m in seen.of(AnswerPane.HeatChanged)]
    assert heats == [pane.palette, None]  # on at mount, then off
    copies = {m.what: m.text for m in seen.of(CopyRequested)}
    assert copies["the answer text"] == "The cat sat on the mat."
    # Stats and JSON carry their context: the question first, then the numbers.
    assert copies["the stats"].startswith("Question       Where did the cat sit?")
    assert "\nTokens " in copies["the stats"]
    copied = json.loads(copies["the raw JSON"])
    assert copied["context"]["question"] == "Where did the cat sit?"
    assert copied["content"] == turn.answer.raw_logprobs()["content"]
    (save,) = seen.of(SaveRequested)
    assert save.number == 2 and save.raw["content"] == copied["content"]
    assert save.raw["context"] == copied["context"]


async def test_compact_copies_are_one_line_per_token():
    turn = _turn()
    app, view, pane = _host(turn)
    seen = Recorder()
    async with app.run_test(message_hook=seen) as pilot:
        pane.show(view)
        pane.action_copy_stats_compact()
        pane.action_copy_json_compact()
        await pilot.pause()
    copies = {m.what: m.text for m in seen.of(CopyRequested)}
    by_token = copies["the stats, one line per token"].split("\n\n", 1)[1].splitlines()
    assert len(by_token) == 7 and by_token[2].startswith("#3  ␣sat  p 4.00%")
    lines = copies["the raw logprobs, one line per token"].splitlines()
    assert len(lines) == 1 + 7 and json.loads(lines[3])["n"] == 3
