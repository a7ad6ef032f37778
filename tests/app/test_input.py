"""The input bar: Enter sends; ctrl+j newline; multi-line mode for terminals without
shift+enter."""

from __future__ import annotations

from tests.app.support import make_app, send, wait_for


async def test_ctrl_j_inserts_a_newline_and_enter_sends_both_lines(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a", "ctrl+j", "b")
        assert app.main.input.text == "a\nb"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(scripted.chat_requests()) == 1)
        assert scripted.chat_requests()[0].json["messages"][-1]["content"] == "a\nb"


async def test_multiline_mode_enter_is_a_newline_and_ctrl_s_sends(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        field = app.main.input
        await pilot.press("ctrl+o")
        assert field.multiline and "ctrl+s send" in str(field.border_title)
        await pilot.press("x", "enter", "y", "enter", "z")
        assert field.text == "x\ny\nz"
        assert app.main.chat.views == []
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(scripted.chat_requests()) == 1)
        assert scripted.chat_requests()[0].json["messages"][-1]["content"] == "x\ny\nz"
        assert field.text == ""
        await pilot.press("ctrl+o")
        assert not field.multiline


async def test_blank_input_is_not_sent(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "enter")
        await pilot.pause()
        assert app.main.chat.views == [] and scripted.chat_requests() == []


async def test_up_in_the_empty_input_recalls_earlier_questions(scripted):
    # Issue 15 item 10: shell-like history in the chat's input.
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "first question")
        await send(pilot, "second\nquestion")
        field = app.main.input
        field.focus()
        await pilot.press("up")
        assert field.text == "second\nquestion"
        await pilot.press("up")  # the cursor is on the last line: up moves it first
        assert field.text == "second\nquestion" and field.cursor_location[0] == 0
        await pilot.press("up")
        assert field.text == "first question"
        await pilot.press("down")
        assert field.text == "second\nquestion"
        await pilot.press("down", "down")
        assert field.text == ""
        await pilot.press("up", "!", "enter")  # recalled, edited, asked again
        await wait_for(pilot, lambda: len(scripted.chat_requests()) == 3)
    assert scripted.chat_requests()[-1].json["messages"][-1]["content"] == "second\nquestion!"


async def test_questions_of_earlier_sessions_are_recalled(scripted):
    from tests.app.history_support import fill

    fill([{"questions": ["asked yesterday"]}])
    app = make_app(scripted, new_conversation=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(app.question_recall.entries))
        await pilot.press("up")
        assert app.main.input.text == "asked yesterday"
