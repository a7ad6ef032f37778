"""A long reopened conversation: the latest answers at once, earlier ones as the log is
scrolled to its top or one of them is selected; raw rows parsed only for a selected answer."""

from __future__ import annotations

from tests.app.history_support import fill
from tests.app.support import make_app, wait_for
from tui.app.widgets.answer import QuestionView
from tui.app.widgets.earlier_answers import BATCH, OPEN_RECENT, EarlierMarker

ANSWERS = OPEN_RECENT + BATCH + 3


async def test_earlier_answers_are_mounted_on_demand_and_the_view_keeps_its_place():
    questions = [f"question {i}" for i in range(1, ANSWERS + 1)]
    fill([{"questions": questions}])
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        main = app.main
        log = main.chat
        views = main.chat.views
        await wait_for(pilot, lambda: len(views) == ANSWERS and views[-1].is_mounted)
        await pilot.pause()
        hidden = ANSWERS - OPEN_RECENT
        assert [v.is_mounted for v in main.chat.views] == [False] * hidden + [True] * OPEN_RECENT
        marker = main.query_one(EarlierMarker)
        assert marker.render().plain == f"▲ {hidden} earlier answers · scroll up to show them"
        # Only the selected (latest) answer had its raw rows parsed.
        assert main.chat.views[-1].turn.answer.raw
        assert all(v.turn.answer.raw_pending is not None for v in main.chat.views[:-1])

        # Scrolled to the top: the previous batch appears above, and what was at the top of
        # the log stays in sight instead of being pushed down.
        was_first = main.query(QuestionView)[0]
        log.scroll_to(y=0, animate=False, immediate=True)
        await wait_for(pilot, lambda: main.chat.views[hidden - BATCH].is_mounted)
        await pilot.pause()
        assert not main.chat.views[hidden - BATCH - 1].is_mounted
        assert (
            marker.render().plain == f"▲ {hidden - BATCH} earlier answers · scroll up to show them"
        )
        # (within a couple of rows: answers' heights settle a frame after they mount, and on
        # a busy machine the scroll that keeps the place lands a few frames later)
        await wait_for(
            pilot, lambda: log.scroll_y > 20 and was_first.virtual_region.y - log.scroll_y <= 3
        )
        assert log.scroll_y > 20
        assert 0 <= was_first.virtual_region.y - log.scroll_y <= 3

        # Selecting the first answer mounts everything down to it and shows it.
        main.chat.select(0)
        await wait_for(pilot, lambda: main.chat.views[0].is_mounted)
        await pilot.pause()
        assert not main.query(EarlierMarker)
        assert [q.render().plain for q in main.query(QuestionView)] == questions
        assert main.pane.stats.render().plain.startswith("Answer #1 · complete")
        assert main.chat.views[0].turn.answer.raw and main.pane.json_view.doc.row_count == 7
        first = main.chat.views[0].region
        assert first.height and log.region.overlaps(first)  # on screen
