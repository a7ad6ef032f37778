"""Branches and siblings in the chat (issue 16), against a scripted llama.cpp: take another
token in the inspector and continue from there, regenerate, edit and resend, switch siblings
(the path follows), the server without prefill, and the tree after a restart."""

from __future__ import annotations

import math

import pytest

from tests.app.branch_support import CONTINUATION, LlamaServer, ask_and_branch
from tests.app.support import TOKENS, make_app, send, wait_for
from tui.core.backend import BackendOptions
from tui.core.wire.prefill import OTHER_NO_PREFILL


@pytest.fixture
def llama():
    with LlamaServer() as server:
        yield server


async def test_a_branch_continues_from_the_chosen_alternative_as_a_prefill(llama):
    llama.answers(TOKENS, CONTINUATION)
    app = make_app(llama)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask_and_branch(pilot)
        chat = app.main.chat
        assert len(chat.views) == 1  # the branch is shown in its parent's place
        view = chat.views[0]
        parent = view.turn.source
        assert view.turn.origin == "branch" and parent is not None
        # Sent: the question, then the start to continue as the assistant's message.
        body = llama.chat_requests()[-1].json
        assert body["messages"][-1] == {"role": "assistant", "content": "The cat ran"}
        assert body["messages"][-2] == {"role": "user", "content": "Where did the cat sit?"}
        answer = view.turn.answer
        assert answer.text == "The cat ran away."
        # The prefix keeps its logprobs, the chosen token has the parent's top-k one, the
        # new tokens their own.
        assert [t.logprob for t in answer.tokens[:2]] == [
            t.logprob for t in parent.answer.tokens[:2]
        ]
        assert answer.tokens[2].text == " ran" and answer.tokens[2].logprob == math.log(0.6)
        assert [t.logprob for t in answer.tokens[3:]] == [math.log(0.7), math.log(0.9)]
        assert [t.index for t in answer.tokens] == [0, 1, 2, 3, 4]
        assert view.header_text.startswith("#1 ‹2/2› · ")
        assert "⑂ branch at token #3: “ ran” (60.0%) instead of “ sat” (4.00%)" in (
            view.header_text
        )
        assert view.text_view.mark == 2  # the chosen token is marked in the text
        assert "Answer #1" in str(app.main.pane.stats.render())
        # [ goes back to the answer it came from, ] to the branch again.
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert chat.views[0].turn is parent and chat.views[0].header_text.startswith("#1 ‹1/2›")
        assert app.main.pane.subject is chat.views[0]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert chat.views[0].turn is view.turn


async def test_the_dialog_takes_a_digit_and_typed_text(llama):
    llama.answers(TOKENS, CONTINUATION, CONTINUATION)
    app = make_app(llama)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "Where did the cat sit?")
        await pilot.press("f8", "t", "right")  # token #2: " cat" (" dog" the other)
        await pilot.press("b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BranchScreen")
        await pilot.press("2")
        chat = app.main.chat
        await wait_for(pilot, lambda: chat.views[0].turn.answer is not None)
        await wait_for(pilot, lambda: chat.views[0].turn.origin == "branch")
        await wait_for(pilot, lambda: chat.views[0].turn.answer is not None)
        assert llama.chat_requests()[-1].json["messages"][-1]["content"] == "The dog"
        # Typed text, from the enlarged pane of 80 columns (F4): Tab to the field, type, Enter.
        await pilot.press("t", "right", "f4")
        assert app.focused is app.main.pane.numbers
        await pilot.press("b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BranchScreen")
        await pilot.press("tab", *" bird", "enter")
        await wait_for(pilot, lambda: len(llama.chat_requests()) == 3)
        await wait_for(pilot, lambda: chat.views[0].turn.answer is not None)
        assert llama.chat_requests()[-1].json["messages"][-1]["content"] == "The bird"
        typed = chat.views[0].turn.answer.tokens[1]
        assert typed.text == " bird" and typed.logprob is None  # typed: no known logprob
        assert chat.views[0].header_text.startswith("#1 ‹3/3›")


async def test_without_the_cursor_or_without_prefill_one_line_says_why_and_nothing_is_sent():
    with LlamaServer(kind="other") as server:
        app = make_app(server)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await send(pilot, "Where did the cat sit?")
            await pilot.press("f8", "b")  # no token cursor: how to put it there
            await wait_for(pilot, lambda: bool(app._notifications))
            assert "token cursor" in [n.message for n in app._notifications][-1]
            await pilot.press("m", "b")  # a server that cannot continue a given start
            await wait_for(pilot, lambda: len(app._notifications) == 2)
            assert type(app.screen).__name__ == "MainScreen"
            assert [n.message for n in app._notifications][-1] == (
                f"cannot branch here: {OTHER_NO_PREFILL}"
            )
            assert len(server.chat_requests()) == 1
            await send(pilot, "again")  # the app goes on
            assert len(app.main.chat.views) == 2


async def test_regenerate_and_edit_make_siblings_and_later_turns_follow_the_path(llama):
    llama.answers(TOKENS, TOKENS, TOKENS, TOKENS, TOKENS)
    app = make_app(llama)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "first")
        await send(pilot, "second")
        chat = app.main.chat
        await pilot.press("f8", "k")  # select answer #1
        await pilot.press("g")
        await wait_for(pilot, lambda: len(llama.chat_requests()) == 3)
        await wait_for(pilot, lambda: chat.views[-1].turn.answer is not None)
        # The regenerated answer takes #1's place; "second" followed the old #1: gone from
        # the path, which now ends with the new sibling.
        assert [v.turn.question for v in chat.views] == ["first"]
        assert chat.views[0].header_text.startswith("#1 ‹2/2›")
        assert "↻ regenerated" in chat.views[0].header_text
        assert llama.chat_requests()[-1].json["messages"] == [{"role": "user", "content": "first"}]
        # Edit: the question back in the input, changed, sent as a sibling.
        await pilot.press("e")
        assert app.focused is app.main.input and app.main.input.text == "first"
        assert "question #1" in str(app.main.input.border_title)
        app.main.input.clear()
        app.main.input.insert("first, edited")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(llama.chat_requests()) == 4)
        await wait_for(pilot, lambda: chat.views[-1].turn.answer is not None)
        assert [v.turn.question for v in chat.views] == ["first, edited"]
        assert chat.views[0].header_text.startswith("#1 ‹3/3›")
        # Back to the first sibling: "second" follows it again.
        await pilot.press("escape", "f8", "left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert [v.turn.question for v in chat.views] == ["first", "second"]
        assert chat.views[0].header_text.startswith("#1 ‹1/3›")
        # A question asked now goes after the selected path's end.
        await send(pilot, "third")
        assert [m["content"] for m in llama.chat_requests()[-1].json["messages"]] == [
            "first", "The cat sat on the mat.", "second", "The cat sat on the mat.", "third"
        ]  # fmt: skip


async def test_the_tree_and_the_selection_come_back_after_a_restart(llama):
    llama.answers(TOKENS, CONTINUATION, TOKENS, TOKENS)
    app = make_app(llama)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask_and_branch(pilot)
        await pilot.press("g")  # regenerate the branch: a new continuation of its start
        chat = app.main.chat
        await wait_for(pilot, lambda: len(llama.chat_requests()) == 3)
        await wait_for(pilot, lambda: chat.views[0].turn.answer is not None)
        assert llama.chat_requests()[-1].json["messages"][-1]["content"] == "The cat ran"
        await pilot.press("left_square_bracket")  # select the branch (2/3) again
        await pilot.pause()
        await send(pilot, "and then?")
        await app.history.idle()
    again = make_app(llama, options=BackendOptions(base_url=llama.base_url))
    async with again.run_test(size=(120, 40)) as pilot:
        chat = again.main.chat
        await wait_for(pilot, lambda: len(chat.views) == 2)
        await pilot.pause()
        first, second = chat.views
        assert first.turn.origin == "branch" and first.header_text.startswith("#1 ‹2/3›")
        assert first.turn.answer.text == "The cat ran away."
        assert "⑂ branch at token #3" in first.header_text
        assert second.turn.question == "and then?"
        conversation = again.session.conversation
        assert [t.origin for t in conversation.siblings(first.turn)] == [
            "ask", "branch", "regenerate"
        ]  # fmt: skip
        await pilot.press("f8", "k", "right_square_bracket")
        await pilot.pause()
        assert [v.turn.origin for v in chat.views] == ["regenerate"]
        await app.history.idle()
        await again.history.idle()
