"""The history screen (F6) in the real app at 80×24: list, search, open, rename, delete, new.

The history file is filled beforehand with a fixed clock, and the app's wall clock is fixed
too, so the dates read the same on every run (local time is pinned to UTC).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.app.history_support import DAY, NOW, answers, fill, sql
from tests.app.screens.host import screen_text
from tests.app.support import make_app, send, type_ahead, wait_for
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.history import HistoryScreen
from tui.app.screens.main import MainScreen
from tui.app.screens.rename import RenameScreen
from tui.core.store import AnswerParams

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def conversations() -> list[int]:
    return fill(
        [
            {
                "questions": ["猫はどこに座りましたか？", "なぜ？"],
                "params": AnswerParams(
                    model="gpt-oss-20b", preset="polite", system_prompt="丁寧に。", temperature=0.2
                ),
                "at": NOW - 400 * DAY,
            },
            {
                "questions": ["[bold]not markup[/bold] \x1b]0;title\x07 and an escape"],
                "params": AnswerParams(model="scripted-model"),
                "at": NOW - 2 * DAY,
            },
            {
                "questions": ["What is the capital of France?"],
                "title": "Geography quiz",
                "at": NOW - 3600,
            },
        ]
    )


async def open_history(pilot) -> HistoryScreen:
    app = pilot.app
    await app.history.ready.wait()
    await pilot.press("f6")
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
    screen = app.screen
    await screen.loaded.wait()
    await pilot.pause()
    return screen


def rows(app) -> list[str]:
    """The list's lines as shown (the screen text between the header and the status)."""
    lines = [line.strip("│ ") for line in screen_text(app).splitlines()]
    start = next(i for i, line in enumerate(lines) if "When" in line and "Mean p" in line)
    end = lines.index("", start)
    return lines[start + 1 : end]


async def test_the_list_shows_every_column_literally_at_80x24(scripted):
    conversations()
    app = make_app(scripted, new_conversation=True, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert app.focused is screen.query_one("#history-search")
        lines = rows(app)
        # When, answers, mean p, preset, model (cut in the middle), title · first question.
        assert lines == [
            "today 08:30    1   48.3%  –        scrip…model  Geography quiz · What is t…",
            "11-26 09:30    1   48.3%  –        scrip…model  [bold]not markup[/bold] ␛]…",
            "2025-10-24     2   48.3%  polite   gpt-oss-20b  猫はどこに座りましたか？",
        ]
        assert all(len(line) <= 78 for line in lines)
        assert "3 conversations" in screen_text(app)


async def test_typing_filters_and_escape_clears_then_leaves(scripted):
    conversations()
    app = make_app(scripted, new_conversation=True, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press(*"なぜ")  # a later question: every message is searched
        await wait_for(pilot, lambda: len(screen.summaries) == 1)
        await pilot.pause()
        assert "猫はどこ" in rows(app)[0]
        assert "1 conversation match “なぜ”" in screen_text(app)
        # From the list, letters still go to the search field.
        await pilot.press("tab", "x")
        await wait_for(pilot, lambda: screen.summaries == [])
        assert screen.query_one("#history-search").value == "なぜx"
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(screen.summaries) == 3)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_enter_opens_a_conversation_in_place_of_the_current_one(scripted):
    old, *_ = conversations()
    app = make_app(scripted, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app.main.chat.views) == 1)  # the latest reopened
        assert app.main.chat.views[0].turn.question == "What is the capital of France?"
        screen = await open_history(pilot)
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: app.history.conversation_id == old)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        questions = [v.turn.question for v in app.main.chat.views]
        assert questions == ["猫はどこに座りましたか？", "なぜ？"]
        assert app.session.preset == "polite" and app.session.sampling.temperature == 0.2
        assert app.focused is app.main.input
        await send(pilot, "続けて")
        await app.history.idle()
        assert screen.summaries  # (the screen object is gone; the file tells the rest)
    assert [q for q, *_ in answers()][:3] == ["猫はどこに座りましたか？", "なぜ？", "続けて"]
    body = scripted.chat_requests()[-1].json
    assert body["messages"][0] == {"role": "system", "content": "丁寧に。"}
    assert len(body["messages"]) == 6


async def test_rename_and_clear_a_title(scripted):
    _, _, geo = conversations()
    app = make_app(scripted, new_conversation=True, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        # The title is selected: what is typed (even at once, after F2) replaces it.
        type_ahead(app, "f2", *"Paris [trip]")
        await wait_for(pilot, lambda: isinstance(app.screen, RenameScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.summaries[0].title == "Paris [trip]")
        await pilot.pause()
        assert rows(app)[0].endswith("Paris [trip] · What is the…")
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, RenameScreen))
        await pilot.press("backspace", "enter")  # empty: back to the first question
        await wait_for(pilot, lambda: screen.summaries[0].title is None)
        await pilot.pause()
        assert rows(app)[0].endswith("  What is the capital of Fra…")
    assert sql("SELECT title FROM conversations WHERE id = ?", geo) == [(None,)]


async def test_delete_asks_first_and_deleting_the_open_one_starts_anew(scripted):
    old, _, geo = conversations()
    app = make_app(scripted, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.history.conversation_id == geo)
        screen = await open_history(pilot)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.startswith(
            "Delete “Geography quiz” (last used today 08:30, 1 answer)?"
        )
        await pilot.press("n")  # no: nothing happens
        await pilot.pause()
        assert len(screen.summaries) == 3
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(screen.summaries) == 2)
        assert app.main.chat.views == [] and app.history.conversation_id is None
        # Delete on the list works too.
        await pilot.press("tab", "down", "delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: old not in [s.id for s in screen.summaries])
        await pilot.press("escape")
        await send(pilot, "a new start")
        await app.history.idle()
    questions = [q for (q,) in sql("SELECT text FROM messages WHERE role = 'user'")]
    assert sorted(questions) == sorted(["[bold]not markup[/bold] \x1b]0;title\x07 and an escape",
                                        "a new start"])  # fmt: skip


async def test_ctrl_n_starts_a_new_conversation(scripted):
    conversations()
    app = make_app(scripted, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app.main.chat.views) == 1)
        await open_history(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.main.chat.views == []
        await send(pilot, "brand new")
        await app.history.idle()
    assert sql("SELECT count(*) FROM conversations") == [(4,)]
    assert scripted.chat_requests()[-1].json["messages"][-1]["content"] == "brand new"


async def test_opening_is_refused_while_an_answer_streams(scripted):
    from tests.app.support import TOKENS
    from tests.support.scripted_server import Reply, Stall, stream_of

    conversations()
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], Stall()], done=False))
    app = make_app(scripted, wall_clock=lambda: NOW, new_conversation=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.main.input.insert("long")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.busy)
        await open_history(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert [v.turn.question for v in app.main.chat.views] == ["long"]
        assert any("ctrl+c stops it first" in n.message for n in app._notifications)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not app.main.busy)


async def test_ctrl_d_right_after_typing_acts_on_what_was_searched(scripted):
    # Issue 15 item 16: ctrl+d right after typing a search (before its pause) beeped, or
    # asked about a row the search had not found.
    old, _, geo = conversations()
    app = make_app(scripted, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.history.conversation_id == geo)
        await open_history(pilot)
        type_ahead(app, *"猫は", "ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.startswith(
            "Delete “猫はどこに座りましたか？” (last used 2025-10-24, 2 answers)?"
        )
        await pilot.press("y")
        await wait_for(
            pilot, lambda: old not in [c for (c,) in sql("SELECT id FROM conversations")]
        )


async def test_the_list_opens_on_the_current_conversation_clearly_highlighted(scripted):
    old, _, _geo = conversations()
    app = make_app(scripted, wall_clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.history.conversation_id is not None)
        await app.history.open(old)  # the oldest: the last row
        screen = await open_history(pilot)
        assert screen.highlighted_id() == old
        options = screen.option_list
        assert app.focused is not options  # the focus is in the search field
        blurred = options.get_visual_style("option-list--option-highlighted")
        options.focus()
        await pilot.pause()
        assert options.get_visual_style("option-list--option-highlighted") == blurred
        assert blurred.background != options.get_visual_style("option-list--option").background
