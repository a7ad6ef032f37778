"""The history against a hostile machine and a second instance: a data directory that is a
file, a backup taken while the chat runs, two chats on one data directory, a conversation
reopened against another server (issue 17, items 5, 6, 16, 17)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.app.history_support import cat_answer, db, fill, sql
from tests.app.support import TEXT, make_app, send, wait_for
from tests.support.pty_terminal import PtyTerminal, app_env
from tests.support.scripted_server import ScriptedServer
from tui.app.screens.history import HistoryScreen
from tui.app.screens.main import MainScreen
from tui.app.widgets.answer import SystemLine
from tui.core.backend import BackendOptions
from tui.core.settings import display_url
from tui.core.store import AnswerParams, Store

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=60,
    )  # fmt: skip


def test_a_data_dir_that_is_a_file_is_named_as_the_problem(scripted, tmp_path):
    data = tmp_path / "notes.txt"
    data.write_text("my notes\n")
    expected = f"the data directory {data} is a file, not a directory"
    exported = _run("export", "--last", "--format", "md", "--data-dir", str(data))
    assert exported.returncode == 1
    assert expected in exported.stderr and exported.stderr.count("\n") == 1
    listed = _run("export", "--list", env={"LOGPROB_CHAT_DATA_DIR": str(data / "sub")})
    assert listed.returncode == 1 and f"the data directory {data / 'sub'}" in listed.stderr
    assert f"{data} is a file" in listed.stderr
    asked = _run("ask", "--base-url", scripted.base_url, "--model", "m", "--data-dir", str(data),
                 "Hi")  # fmt: skip
    assert expected in asked.stderr and "Hello world!" in asked.stdout
    assert data.read_text() == "my notes\n"  # never touched


# ------------------------------------------------------------------ 17.6: another server

SECRET_PROMPT = "Internal: the launch is on 3 March."


async def _chat_on_a(server_a) -> None:
    """A conversation with server A under a private system prompt, kept in the history."""
    app = make_app(
        server_a,
        options=BackendOptions(base_url=server_a.base_url),
        system_prompt=SECRET_PROMPT,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "When is the launch?")


def _notes(app) -> list[str]:
    return [str(line.render()) for line in app.main.query(SystemLine)]


async def test_the_last_conversation_is_not_sent_to_another_server(scripted):
    with ScriptedServer() as server_b:
        await _chat_on_a(scripted)
        # Started again with --base-url B: the conversation with A is not carried on there.
        app = make_app(server_b, options=BackendOptions(base_url=server_b.base_url))
        async with app.run_test(size=(160, 48)) as pilot:
            await app.history.ready.wait()
            await wait_for(pilot, lambda: bool(_notes(app)))
            (note,) = _notes(app)
            assert "\n" not in note and "started a new conversation" in note
            assert display_url(scripted.base_url) in note and server_b.base_url in note
            assert app.main.chat.views == [] and app.session.system_prompt == ""
            await send(pilot, "What is the capital of France?")
            await app.history.idle()
        sent = server_b.chat_requests()[0].json["messages"]
        assert sent == [{"role": "user", "content": "What is the capital of France?"}]
    assert sql("SELECT count(*) FROM conversations") == [(2,)]


async def test_opening_another_server_s_conversation_from_the_history_starts_a_new_one(scripted):
    with ScriptedServer() as server_b:
        await _chat_on_a(scripted)
        app = make_app(
            server_b, options=BackendOptions(base_url=server_b.base_url), new_conversation=True
        )
        async with app.run_test(size=(160, 48)) as pilot:
            await send(pilot, "a question for B")
            conversation_b = app.history.conversation_id
            await pilot.press("f6")
            await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
            await app.screen.loaded.wait()
            await pilot.press("down", "enter")  # the conversation with A
            await wait_for(pilot, lambda: isinstance(app.screen, MainScreen) and bool(_notes(app)))
            (note,) = _notes(app)
            assert "started a new conversation" in note
            assert app.main.chat.views == [] and app.history.conversation_id is None
            await send(pilot, "and another")
            await app.history.idle()
            assert app.history.conversation_id not in (None, conversation_b)
        assert all(
            m["content"] != SECRET_PROMPT
            for r in server_b.chat_requests()
            for m in r.json["messages"]
        )
        assert server_b.chat_requests()[-1].json["messages"] == [
            {"role": "user", "content": "and another"}
        ]


# ------------------------------------------------------------------ 17.5: two instances


def test_a_conversation_open_in_one_instance_is_not_resumed_by_another(scripted):
    fill([{"questions": ["first"], "params": AnswerParams(model="m", base_url=scripted.base_url)}])
    argv = [sys.executable, "-m", "tui", "--base-url", scripted.base_url, "--model", "m"]
    with PtyTerminal(argv, cols=100, rows=30, env=app_env(), cwd=str(ROOT)) as term:
        term.wait_for("Reopened", timeout=30)  # instance A carries on the conversation

        async def instance_b() -> None:
            app = make_app(scripted, options=BackendOptions(base_url=scripted.base_url))
            async with app.run_test(size=(120, 40)) as pilot:
                await app.history.ready.wait()
                await wait_for(pilot, lambda: bool(_notes(app)))
                (note,) = _notes(app)
                assert "“first” is open in another running logprob-chat" in note
                assert "started a new conversation" in note and app.main.chat.views == []
                await send(pilot, "from B")
                await app.history.idle()

        asyncio.run(instance_b())
        term.type("from A\r")
        term.wait_for("Answer #2 · complete", timeout=30)
        term.type("\x11")  # ctrl+q
        assert term.wait_exit(30) == 0
    conversations = sql(
        "SELECT c.id, group_concat(m.text, ' | ') FROM conversations c "
        "JOIN messages m ON m.conversation_id = c.id AND m.role = 'user' "
        "GROUP BY c.id ORDER BY c.id"
    )
    assert [text for _, text in conversations] == ["first | from A", "from B"]


# ------------------------------------------------------------------ 17.16: backup


def test_history_backup_while_the_chat_runs_has_everything(tmp_path):
    running = Store.open()  # the chat's own connection, kept open: its writes sit in the WAL
    try:
        cid = running.create_conversation(title="in the WAL")
        running.add_user_message(cid, "saved a moment ago")
        running.save_answer(cid, AnswerParams(model="m"), cat_answer())
        plain = tmp_path / "cp.sqlite3"
        shutil.copyfile(db(), plain)  # what `cp` gives: the tables are still in -wal
        with closing(sqlite3.connect(plain)) as conn, pytest.raises(sqlite3.OperationalError):
            conn.execute("SELECT count(*) FROM messages").fetchone()
        copy = tmp_path / "backup.sqlite3"
        made = _run("history", "backup", str(copy))
        assert made.returncode == 0, made.stderr
        assert made.stderr == (
            f"backed up 1 conversations, 2 messages, 1 answers from {db()} to {copy}\n"
        )
        again = _run("history", "backup", str(copy))
        assert again.returncode == 1 and "already exists" in again.stderr
    finally:
        running.close()
    assert not copy.with_name(copy.name + "-wal").exists()  # one file, complete on its own
    assert oct(copy.stat().st_mode & 0o777) == oct(0o600)
    with Store.open(copy) as store:
        (stored,) = [store.load_conversation(s.id) for s in store.list_conversations()]
    assert stored.title == "in the WAL" and stored.answers[0].answer.text == TEXT
