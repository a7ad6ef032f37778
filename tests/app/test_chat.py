"""The main screen against the scripted server: send, stream, stop, errors, selection."""

from __future__ import annotations

import socket

from tests.app.screens.host import screen_text
from tests.app.support import TEXT, TOKENS, block_texts, make_app, send, wait_for
from tests.support.scripted_server import Pause, Reply, Stall, chat_chunk, stream_of, token_row
from tui.app.messages import Note
from tui.app.widgets.answer import SystemLine


async def test_input_has_focus_at_start_and_a_question_gets_a_streamed_answer(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS), interval=0.01))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.focused is app.main.input
        await send(pilot, "Where did the cat sit?")
        view = app.main.chat.views[-1]
        assert view.turn.state == "complete"
        assert block_texts(app) == TEXT
        assert len(view.tokens) == len(TOKENS)
        footer = view.footer_text
        assert footer.startswith("✓ complete · 7 tokens")
        assert "1 below 0.1" in footer
        body = scripted.chat_requests()[0].json
        assert body["messages"] == [{"role": "user", "content": "Where did the cat sit?"}]
        assert body["stream"] is True and body["top_logprobs"] == 5
        assert app.main.input.text == ""  # sent text leaves the input
        stats = str(app.main.pane.stats.render())
        assert "Answer #1 · complete" in stats
        assert "Time to first token" in stats and "Tokens/s" in stats


async def test_live_count_while_streaming_then_ctrl_c_stops_and_keeps_the_partial(scripted):
    half = stream_of(TOKENS)[:4]  # role chunk + 3 tokens, then the server goes silent
    scripted.queue(Reply.sse([*half, Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        app.main.input.insert("go")
        await pilot.press("enter")
        chat = app.main.chat
        await wait_for(pilot, lambda: bool(chat.views) and len(chat.views[0].tokens) == 3)
        view = chat.views[0]
        await wait_for(pilot, lambda: "3 tokens" in view.footer_text)
        assert view.footer_text.startswith("… streaming · 3 tokens")
        assert "streaming" in str(app.main.pane.stats.render())
        assert view.turn.state == "streaming"
        # Typing stays possible while the answer streams.
        await pilot.press("a", "b")
        assert app.main.input.text == "ab"
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: view.turn.answer is not None)
        answer = view.turn.answer
        assert answer.status == "stopped"
        assert answer.text == "The cat sat"
        assert len(answer.tokens) == 3
        assert view.footer_text.startswith("■ stopped · 3 tokens")
        assert block_texts(app) == "The cat sat"
        assert app.main.input.text == "ab"
        # The app is still usable: the next question goes out.
        app.main.input.clear()
        await send(pilot, "again")
        assert app.main.chat.views[-1].turn.state == "complete"


async def test_esc_leaves_the_input_while_streaming_and_esc_twice_stops(scripted):
    # Issue 15 item 9: Esc in the input stopped the answer; a person who only wanted to
    # leave the input had to know F8.
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main.input.insert("go")
        await pilot.press("enter")
        chat = app.main.chat
        await wait_for(pilot, lambda: bool(chat.views) and len(chat.views[0].tokens) == 2)
        footer = footer_text(app)
        assert "^c Stop" in footer  # said while it streams
        await pilot.press("escape")
        assert app.focused is chat and chat.busy  # left the input; the answer keeps coming
        await pilot.press("i", *"next")
        assert app.main.input.text == "next"
        await pilot.press("escape", "escape")  # twice: stop
        await wait_for(pilot, lambda: chat.views[0].turn.answer is not None)
        assert chat.views[0].turn.answer.status == "stopped"
        assert app.focused is app.main.input and app.main.input.text == "next"
        assert "^c Stop" not in footer_text(app)
        await pilot.press("escape")  # nothing streams: Esc only leaves, never stops
        assert app.focused is chat


def footer_text(app) -> str:
    from textual.widgets import Footer

    footer = app.main.query_one(Footer)
    return " ".join(str(item.render()) for item in footer.query("FooterKey"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_connection_refused_is_one_line_in_the_chat_and_the_app_lives_on():
    app = make_app(base_url=f"http://127.0.0.1:{_closed_port()}/v1")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello?")
        view = app.main.chat.views[-1]
        assert view.turn.state == "error"
        error = view.error_text
        assert error.startswith("⚠ cannot connect to http://127.0.0.1:")
        assert "connection refused" in error and "\n" not in error
        assert app.is_running
        await send(pilot, "still there?")
        assert len(app.main.chat.views) == 2


async def test_http_500_mid_conversation_keeps_earlier_answers(scripted):
    scripted.queue(
        Reply.sse(stream_of(TOKENS)),
        Reply.json({"error": {"message": "the GPU caught fire"}}, status=500),
    )
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "one")
        await send(pilot, "two")
        first, second = app.main.chat.views
        assert first.turn.state == "complete" and block_texts(app, 0) == TEXT
        assert second.turn.state == "error"
        assert second.error_text == ("⚠ HTTP 500 Internal Server Error: the GPU caught fire")


async def test_a_full_context_keeps_the_question_and_ctrl_n_asks_it_again(scripted):
    # Issue 15 item 18: llama.cpp's own words (its 400 reply when a slot's 2,048 tokens are
    # full), on the built-in engine: no "try increasing it", ⚠ once, the question kept, one
    # key to ask it again in a new conversation.
    too_long = "request (2531 tokens) exceeds the available context size (2048 tokens)"
    body = {"error": {"code": 400, "message": too_long + ", try increasing it",
                      "type": "exceed_context_size_error", "n_prompt_tokens": 2531,
                      "n_ctx": 2048}}  # fmt: skip
    scripted.queue(Reply.sse(stream_of(TOKENS)), Reply.json(body, status=400))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        app.session.embedded = True  # the built-in engine's context cannot be enlarged
        await send(pilot, "one")
        await send(pilot, "a long question")
        view = app.main.chat.views[-1]
        assert view.turn.state == "error"
        assert too_long in view.error_text and "increas" not in view.error_text
        assert "ctrl+n asks it again in a new conversation" in view.error_text
        shown = screen_text(app)
        assert shown.count("⚠") == 1, shown
        assert app.main.input.text == "a long question"  # kept
        app.main.input.clear()
        await pilot.press("up")
        assert app.main.input.text == "a long question"  # and ↑ brings it back
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: len(scripted.chat_requests()) == 3)
        await wait_for(pilot, lambda: app.main.chat.views[-1].turn.answer is not None)
        assert [v.turn.question for v in app.main.chat.views] == ["a long question"]
        assert app.main.input.text == ""
    # Asked alone, in a conversation of its own: the full one stays in the history.
    assert [m["content"] for m in scripted.chat_requests()[-1].json["messages"]] == [
        "a long question"
    ]


async def test_a_remote_servers_full_context_keeps_its_words(scripted):
    too_long = "request (2064 tokens) exceeds the available context size (2048 tokens)"
    scripted.queue(Reply.json({"error": {"code": 400, "message": too_long}}, status=400))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "one more")
        view = app.main.chat.views[-1]
        assert view.turn.state == "error"
        assert too_long in view.error_text
        assert view.footer_text.startswith("✗ error")


async def test_a_broken_stream_keeps_the_partial_answer_with_the_error(scripted):
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], "data: {not json"], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "x")
        view = app.main.chat.views[-1]
        assert view.turn.state == "error"
        assert view.turn.answer.text == "The cat"
        assert "not JSON" in view.error_text
        assert block_texts(app) == "The cat"


async def test_the_second_request_carries_the_history(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "first")
        await send(pilot, "second")
        messages = scripted.chat_requests()[1].json["messages"]
        assert messages == [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "Hello world!"},
            {"role": "user", "content": "second"},
        ]


async def test_selecting_an_earlier_answer_shows_its_stats_and_json(scripted):
    scripted.queue(
        Reply.sse(stream_of(TOKENS)),
        Reply.sse(stream_of([("Yes", -0.2), (".", -0.01)])),
    )
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "one")
        await send(pilot, "two")
        screen = app.main
        assert screen.chat.selected == 1
        assert "Answer #2" in str(screen.pane.stats.render())
        assert screen.pane.json_view.doc.row_count == 2
        await pilot.press("escape")  # input → chat log
        assert app.focused is screen.chat
        await pilot.press("up")
        assert screen.chat.selected == 0
        stats = str(screen.pane.stats.render())
        assert "Answer #1 · complete" in stats
        assert "Tokens                           7" in stats
        assert screen.pane.json_view.doc.row_count == len(TOKENS)
        assert screen.pane.json_view.doc.line(2).strip().startswith('{"token": "The"')
        assert screen.chat.views[0].has_class("-selected")
        assert not screen.chat.views[1].has_class("-selected")
        await pilot.press("j")
        assert screen.chat.selected == 1
        await pilot.press("i")
        assert app.focused is screen.input


async def test_reasoning_is_shown_apart_and_collapsed(scripted):
    chunks = [
        chat_chunk(role=True, content=""),
        chat_chunk(reasoning="Think", rows=[token_row("Think", -0.3)]),
        chat_chunk(reasoning=" hard", rows=[token_row(" hard", -0.9)]),
        chat_chunk(content="Done", rows=[token_row("Done", -0.05)]),
        chat_chunk(finish="stop"),
    ]
    scripted.queue(Reply.sse(chunks))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "why?")
        view = app.main.chat.views[-1]
        assert block_texts(app) == "Done"
        assert view.reasoning_track.text == "Think hard"
        assert [t.text for t in view.tokens] == ["Done"]  # the cursor walks the answer only
        box = view.query_one(".reasoning")
        assert box.collapsed is True
        assert box.title == "reasoning · 2 tokens · 10 characters"
        await pilot.press("escape", "r")
        assert box.collapsed is False


async def test_a_question_sent_while_an_answer_streams_goes_when_it_ends(scripted):
    # Issue 15 item 9: text typed during a stream is kept and can be sent as the next one.
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:2], Pause(1.0), *stream_of(TOKENS)[2:]]))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.input.insert("first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.chat.pump.live is not None)
        app.main.input.insert("second")
        await pilot.press("enter")
        assert len(app.main.chat.views) == 1
        assert app.main.input.text == "second"  # kept, and shown as waiting
        assert "queued" in str(app.main.input.border_title)
        await wait_for(pilot, lambda: len(app.main.chat.views) == 2)
        assert app.main.input.text == ""
        assert "queued" not in str(app.main.input.border_title)
        view = app.main.chat.views[1]
        await wait_for(pilot, lambda: view.turn.answer is not None)
    assert [r.json["messages"][-1]["content"] for r in scripted.chat_requests()] == [
        "first",
        "second",
    ]


async def test_a_queued_question_edited_meanwhile_waits_for_enter(scripted):
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:2], Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.input.insert("first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.chat.pump.live is not None)
        app.main.input.insert("second")
        await pilot.press("enter", "!")
        assert "queued" not in str(app.main.input.border_title)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: app.main.chat.pump.live is None)
        await pilot.pause()
        assert len(app.main.chat.views) == 1 and app.main.input.text == "second!"


async def test_a_note_in_the_chat_is_plain_text():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.tell_chat(Note("[bold]not markup[/bold] \x1b]0;t\x07"))
        await wait_for(pilot, lambda: bool(app.main.query(SystemLine)))
        line = app.main.query(SystemLine).last()
        assert str(line.render()) == "· [bold]not markup[/bold] ␛]0;t␇"


async def test_a_server_that_ignores_streaming_is_answered_with_a_notice(scripted):
    from tests.support.scripted_server import completion_of

    scripted.queue(Reply.json(completion_of([("Whole", -0.2), (" reply", -0.4)])))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
        view = app.main.chat.views[-1]
        assert view.turn.state == "complete"
        assert block_texts(app) == "Whole reply"
        assert view.notices_text == "· the server did not stream; showing its complete reply"


async def test_turns_reopened_from_a_store_show_like_streamed_ones(scripted):
    from tui.core.answer import AnswerBuilder
    from tui.core.conversation import Turn
    from tui.core.wire.events import Finished, TextDelta, TokensReceived
    from tui.core.wire.normalise import normalise_row

    builder = AnswerBuilder()
    rows = [token_row("Old", -0.1), token_row(" answer", -2.5)]
    tokens = [normalise_row(r, i, "answer", 5) for i, r in enumerate(rows)]
    for token, text in zip(tokens, ("Old", " answer"), strict=True):
        token.text = text
        builder.apply(TextDelta(text))
    builder.apply(TokensReceived(tokens, rows))
    builder.apply(Finished("stop"))
    turn = Turn("what was said?", preset="kept", answer=builder.finish("stopped"))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        app.main.chat.show_turns([turn])
        await pilot.pause()
        view = app.main.chat.views[0]
        assert block_texts(app) == "Old answer"
        assert view.footer_text.startswith("■ stopped · 2 tokens")
        assert view.header_text.startswith("#1 · kept")
        assert "Answer #1 · stopped" in str(app.main.pane.stats.render())
        assert app.main.pane.json_view.doc.row_count == 2
        await pilot.press("escape", "m")
        assert app.main.pane.cursor == 1


async def test_reading_the_prompt_is_said_until_the_first_token(scripted):
    # Issue 15 item 7: "streaming · 0 tokens" for the 6 s the model read a long prompt.
    scripted.queue(Reply.sse([stream_of(TOKENS)[0], Stall()], done=False))  # role, then nothing
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.input.insert("long prompt")
        await pilot.press("enter")
        chat = app.main.chat
        await wait_for(pilot, lambda: chat.pump.live is not None)
        view = chat.views[0]
        await wait_for(pilot, lambda: "reading the prompt" in view.footer_text)
        assert view.footer_text.startswith("… reading the prompt…"), view.footer_text
        assert "Answer #1 · reading the prompt…" in str(app.main.pane.stats.render())
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: view.turn.answer is not None)
        assert view.footer_text.startswith("■ stopped")
