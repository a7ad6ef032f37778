"""The chat keeps every turn in the history file as it happens, and reopens it.

The file is read the way another program would (its own read-only connection) while the app
runs: the question and the answer's parameters are there before the request reaches the
server, a streaming answer is there while it streams, and its final status after.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from contextlib import closing

from tests.app.history_support import answers, db, fill, sql
from tests.app.screens.host import screen_text
from tests.app.support import TEXT, TOKENS, RecordingBackend, make_app, send, wait_for
from tests.core.store.test_failures import read_only
from tests.support.scripted_server import Pause, Reply, Reset, Stall, stream_of
from tui.app.widgets.answer import SystemLine
from tui.core.backend import BackendOptions
from tui.core.settings import Connection, Sampling
from tui.core.store import AnswerParams, Store

HELLO = "Hello world!"  # the scripted server's default answer (3 tokens)


def _notes(app) -> list[str]:
    return [str(line.render()) for line in app.main.query(SystemLine)]


async def test_the_question_and_its_parameters_are_saved_before_the_request(scripted):
    seen: list[list[tuple]] = []

    def look_then_answer(request):
        # The server thread reads the file at the moment the request arrives.
        seen.append(
            sql(
                "SELECT m.role, m.text, a.status, a.model, a.temperature, a.seed, a.preset, "
                "a.system_prompt, a.base_url FROM messages m "
                "LEFT JOIN answers a ON a.message_id = m.id ORDER BY m.position"
            )
        )
        return Reply.sse(stream_of(TOKENS))

    scripted.queue(look_then_answer)
    app = make_app(
        scripted,
        system_prompt="あなたは親切なAIです。",
        preset="polite",
        sampling=Sampling(temperature=0.3, seed=5),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "日本の首都は？")
        await app.history.idle()
    (rows,) = seen
    assert rows[0] == ("user", "日本の首都は？", None, None, None, None, None, None, None)
    assert rows[1] == (
        "assistant", "", "streaming", "scripted-model", 0.3, 5, "polite",
        "あなたは親切なAIです。", scripted.base_url,
    )  # fmt: skip
    assert answers() == [("日本の首都は？", "complete", TEXT, len(TOKENS), None)]


async def test_a_streaming_answer_is_checkpointed_and_kept_as_stopped_on_esc(scripted):
    chunks = stream_of(TOKENS)
    # Three tokens, then silence: the recorder's ticker checkpoints them within a second.
    scripted.queue(Reply.sse([*chunks[:4], Pause(1.5), Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.input.insert("slow one")
        await pilot.press("enter")
        partial = "The cat sat"
        await wait_for(
            pilot,
            lambda: db().exists() and answers() == [("slow one", "streaming", partial, 3, None)],
        )
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: app.main.chat.views[0].turn.answer is not None)
        await app.history.idle()
        assert answers() == [("slow one", "stopped", partial, 3, None)]
        # The stopped answer is part of the next request's history, as it was shown.
        await send(pilot, "go on")
        await app.history.idle()
    messages = scripted.chat_requests()[-1].json["messages"]
    assert messages[-2:] == [
        {"role": "assistant", "content": partial},
        {"role": "user", "content": "go on"},
    ]
    assert [row[1] for row in answers()] == ["stopped", "complete"]


async def test_quitting_mid_answer_keeps_it_as_stopped(scripted):
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.input.insert("bye")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "The cat" in app.main.chat.views[0].turn.answer_text)
        await app.shutdown()  # what ctrl+q does before the app exits
        # Written by the time shutdown returns: nothing is left for a loop that is closing.
        assert answers() == [("bye", "stopped", "The cat", 2, None)]


async def test_a_failed_stream_keeps_its_partial_answer_as_an_error(scripted):
    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], Reset()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
        await app.history.idle()
    [(question, status, text, tokens, error)] = answers()
    assert (question, status, text, tokens) == ("q", "error", "The cat", 2)
    assert error and "\n" not in error


async def test_the_last_conversation_reopens_with_its_settings(scripted):
    # Asked on a server under a preset, a model and sampling of its own...
    first = make_app(
        scripted,
        backend=RecordingBackend(Connection(scripted.base_url, model="big-model"), "remote"),
        system_prompt="Answer in Japanese.",
        preset="jp",
        sampling=Sampling(temperature=0.2, top_logprobs=3, max_tokens=99, seed=1),
    )
    async with first.run_test(size=(120, 40)) as pilot:
        await send(pilot, "one")
        await send(pilot, "two")
    # ...then the app starts again with its defaults, on the same server.
    app = make_app(scripted, options=BackendOptions(base_url=scripted.base_url))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_for(pilot, lambda: len(app.main.chat.views) == 2)
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            "Reopened “one” · F6: history · --new starts afresh"
        ]
        views = app.main.chat.views
        assert [v.turn.question for v in views] == ["one", "two"]
        assert [v.footer_text.split(" · ")[0] for v in views] == ["✓ complete"] * 2
        assert len(views[0].tokens) == 3  # the tokens, for the heatmap and cursor
        assert views[0].header_text == "#1 · jp · big-model · T0.2 k3 max99 seed1"
        # The latest answer is selected: its stats and its raw JSON in the pane.
        assert app.main.pane.stats.render().plain.startswith("Answer #2 · complete")
        assert app.main.pane.json_view.doc.row_count == 3
        assert '"logprob": -0.1' in app.main.pane.json_view.doc.text()
        assert app.main.status.text.startswith("prompt: jp │ model: big-model │")
        session = app.session
        assert (session.model, session.preset, session.system_prompt) == (
            "big-model", "jp", "Answer in Japanese."
        )  # fmt: skip
        await send(pilot, "three")
        await app.history.idle()
    body = scripted.chat_requests()[-1].json
    assert (body["model"], body["temperature"], body["max_tokens"], body["seed"]) == (
        "big-model", 0.2, 99, 1
    )  # fmt: skip
    assert [m["content"] for m in body["messages"]] == [
        "Answer in Japanese.", "one", HELLO, "two", HELLO, "three"
    ]  # fmt: skip
    assert [(q, s) for q, s, *_ in answers()] == [
        ("one", "complete"), ("two", "complete"), ("three", "complete")
    ]  # fmt: skip
    assert sql("SELECT count(*) FROM conversations") == [(1,)]


async def test_new_starts_a_fresh_conversation_and_opening_makes_none(scripted):
    fill([{"questions": ["old"]}])
    app = make_app(scripted, new_conversation=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.history.ready.wait()
        await pilot.pause()
        assert app.main.chat.views == []
    assert sql("SELECT count(*) FROM conversations") == [(1,)]  # nothing asked: none made
    app = make_app(scripted, new_conversation=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "fresh")
        await app.history.idle()
    assert sql("SELECT count(*) FROM conversations") == [(2,)]
    assert scripted.chat_requests()[-1].json["messages"] == [{"role": "user", "content": "fresh"}]


async def test_an_answer_cut_by_a_crash_is_shown_incomplete(scripted):
    with Store.open(db()) as store:
        cid = store.create_conversation()
        qid = store.add_user_message(cid, "interrupted")
        store.begin_answer(cid, AnswerParams(model="scripted-model"), question_id=qid)
    # Its writer died: a process id that is not running on this host.
    with closing(sqlite3.connect(db())) as conn:
        conn.execute("UPDATE messages SET text = 'The cat' WHERE role = 'assistant'")
        conn.execute("UPDATE answers SET owner_pid = ?", (_dead_pid(),))
        conn.commit()
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.main.chat.views) == 1)
        await pilot.pause()
        view = app.main.chat.views[0]
        assert view.footer_text.startswith("◌ incomplete")
        assert view.text_view.query("AnswerBlock").first().render().plain == "The cat"
        assert (
            "⚠ 1 answer was still streaming when logprob-chat last stopped; kept as incomplete"
            in _notes(app)
        )
    assert answers() == [("interrupted", "incomplete", "The cat", 0, None)]


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


async def test_a_damaged_file_is_one_line_and_the_chat_goes_on_in_memory(scripted):
    db().parent.mkdir(parents=True, exist_ok=True)
    db().write_bytes(b"this is not a database " * 200)
    before = db().read_bytes()
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.history.ready.wait()
        await send(pilot, "still works?")
        await send(pilot, "and again")
        await app.history.idle()
        notes = _notes(app)
        assert len(notes) == 1 and "is damaged" in notes[0] and "in memory" in notes[0]
        assert [v.turn.state for v in app.main.chat.views] == ["complete", "complete"]
        # The memory copy still serves the history screen and exports.
        assert [s.answers for s in await app.history.summaries()] == [2]
    assert db().read_bytes() == before  # never repaired or replaced behind the user


async def test_a_read_only_file_is_reopened_and_new_answers_kept_in_memory(scripted):
    fill([{"questions": ["saved before"]}])
    before = db().read_bytes()
    with read_only(db()):
        app = make_app(scripted)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: len(app.main.chat.views) == 1)
            await send(pilot, "new one")
            await app.history.idle()
            (note,) = _notes(app)
            assert "is read-only" in note and "in memory" in note
            assert [v.turn.question for v in app.main.chat.views] == ["saved before", "new one"]
            assert app.main.chat.views[-1].turn.state == "complete"
    assert db().read_bytes() == before


async def test_a_write_that_fails_mid_session_is_reported_once(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "first")
        await app.history.idle()
        # Another program deletes the conversation under the running chat.
        with Store.open(db()) as other:
            other.delete_conversation(app.history.conversation_id or 0)
        await send(pilot, "second")
        await send(pilot, "third")
        await app.history.idle()
        notes = _notes(app)
        assert len(notes) == 1 and "is not in the history" in notes[0]
        assert [v.turn.state for v in app.main.chat.views] == ["complete"] * 3


async def test_no_api_key_or_password_reaches_the_file_or_the_exports(scripted, tmp_path):
    secret, password = "sk-live-SECRET-123", "hunter2pass"
    url = scripted.base_url.replace("http://", f"http://alice:{password}@")
    backend = RecordingBackend(Connection(url, api_key=secret, model="m"), "remote")
    app = make_app(scripted, backend=backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "q")
        for fmt in ("json", "jsonl", "md", "csv"):
            app.main.dialogs.export_as(fmt)
            await wait_for(pilot, lambda fmt=fmt: str(app.last_export).endswith(fmt))
    assert sql("SELECT base_url FROM answers") == [(scripted.base_url,)]
    files = [p for p in db().parent.rglob("*") if p.is_file()]
    assert len([p for p in files if "exports" in p.parts]) == 4
    for path in files:
        data = path.read_bytes()
        assert secret.encode() not in data and password.encode() not in data, path
        assert b"alice" not in data, path
    document = json.loads(next(p for p in files if p.suffix == ".json").read_text())
    assert document["messages"][1]["answer"]["request"]["base_url"] == scripted.base_url


async def test_an_ask_run_after_the_chat_is_kept_apart_and_not_reopened(scripted):
    # Issue 15 item 15: `ask --max-tokens 40` started a conversation the next chat reopened,
    # with the ask's max_tokens.
    from tui.cli.main import main

    first = make_app(scripted, sampling=Sampling(max_tokens=300))
    async with first.run_test(size=(120, 40)) as pilot:
        await send(pilot, "chat question")
    ask = ["ask", "--base-url", scripted.base_url, "--max-tokens", "40", "scripted"]
    assert await asyncio.to_thread(main, ask) == 0  # (ask runs its own event loop)
    assert sql("SELECT source FROM conversations ORDER BY id") == [("chat",), ("ask",)]
    app = make_app(scripted, options=BackendOptions(base_url=scripted.base_url))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.main.chat.views) == 1)
        assert app.main.chat.views[0].turn.question == "chat question"
        assert app.session.sampling.max_tokens == 300
        # Both are in the history list; the ask's is marked.
        summaries = await app.history.summaries()
        assert [(s.first_question, s.source) for s in summaries] == [
            ("scripted", "ask"),
            ("chat question", "chat"),
        ]
        await pilot.press("f6")
        await wait_for(pilot, lambda: "(ask) scripted" in screen_text(app))
