"""History must not be lost silently (issue 17, items 1, 2 and 4): a write lock held by
another program while the chat starts (the session, scores included, moved into the file
once it opens), a disk that fills up, and the exit code of ``ask`` whenever its answer was
not saved.

The full-disk tests run on every disk :func:`tests.faults.small_disks.disks` offers: SQLite's
page quota everywhere (``SQLITE_FULL`` when the database would grow: the product's handling
of a full disk, unprivileged), and a real 3 MB tmpfs where one can be mounted (the operating
system's ``ENOSPC``, in the database and in its journal)."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from tests.app.history_support import answers, cat_answer, db, fill
from tests.app.support import make_app, send, wait_for
from tests.core.store.test_comparisons import entries, plan
from tests.core.store.test_failures import made_read_only
from tests.faults.file_pragmas import command_with
from tests.faults.small_disks import SmallDisk, disks, small_disk
from tests.faults.test_damage import _damaged_history
from tests.support.scripted_server import Reply, stream_of
from tui.app.widgets.answer import SystemLine
from tui.core.resume import conversation_of
from tui.core.score.history import comparison_fields, result_fields
from tui.core.settings import Sampling
from tui.core.store import AnswerParams, Recorder, Store

ROOT = Path(__file__).resolve().parents[2]
LOGPROB_CHAT = (sys.executable, "-m", "tui")
EXIT_NOT_SAVED, EXIT_SAVED_IN_PART = 3, 4  # as `ask --help` and the README document them
IN_MEMORY = "⚠ history in memory only"

LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")  # another program in the middle of a long write
print("locked", flush=True)
written = sys.stdin.readline().strip()  # what it writes, if anything, as the lock ends
if written:
    conn.execute(written)
conn.execute("COMMIT" if written else "ROLLBACK")
"""


@contextmanager
def _locked(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``path``'s write lock until ``release(holder)``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(10)


def _release(holder: subprocess.Popen[str], written: str = "") -> None:
    """The lock ends, with the SQL statement ``written`` committed first if given."""
    assert holder.stdin is not None
    holder.stdin.write(written + "\n")
    holder.stdin.flush()
    assert holder.wait(10) == 0


def _notes(app) -> list[str]:
    return [str(line.render()) for line in app.main.query(SystemLine)]


async def test_a_write_lock_at_start_up_costs_nothing_of_the_session(scripted):
    fill([{"questions": ["an earlier question"]}])
    with _locked(db()) as holder:
        app = make_app(scripted)
        app.history.busy_timeout = 0.2  # (the store's 3 s, shortened for the test)
        app.history.retry_interval = 0.05
        async with app.run_test(size=(140, 40)) as pilot:
            await app.history.ready.wait()
            # The last conversation is reopened from a read-only copy, and what happened
            # is still on screen after it (showing it clears the log), and in the status line.
            await wait_for(pilot, lambda: len(app.main.chat.views) == 1 and _notes(app))
            (note,) = _notes(app)
            assert "is locked by another program" in note and "in memory only" in note
            assert app.main.status.text.endswith(IN_MEMORY)
            await send(pilot, "asked while locked")
            assert app.main.status.text.endswith(IN_MEMORY)
            # A score of the chat's answer, kept as the score screen keeps it: begun in
            # memory, its second result and its end written after the move.
            first, second = entries()
            fields = comparison_fields(plan(), method="llama.cpp grammar", model="m", base_url=None)
            fields["conversation_id"] = app.history.conversation_id
            score = app.history.record_comparison(fields)
            score.result(result_fields(first))
            await app.history.idle()
            # Another program's score, committed as the lock ends, takes the id this one
            # has in memory: the move gives this one another, and its writes follow it.
            _release(holder, ANOTHER_PROGRAMS_SCORE)
            await send(pilot, "first after the lock")
            await send(pilot, "second after the lock")
            await wait_for(pilot, lambda: IN_MEMORY not in app.main.status.text)
            score.result(result_fields(second))
            score.finish("complete")
            await app.history.idle()
            assert any("can be written again" in n for n in _notes(app))
    stored = answers()
    assert [row[0] for row in stored] == [
        "an earlier question",
        "asked while locked",
        "first after the lock",
        "second after the lock",
    ]
    assert stored[0][1:4] == ("complete", "The cat sat on the mat.", 7)  # (fill's answer)
    assert [row[1:4] for row in stored[1:]] == [("complete", "Hello world!", 3)] * 3
    with closing(sqlite3.connect(db())) as conn:  # one conversation, carried on in order
        assert conn.execute("SELECT count(*) FROM conversations").fetchone() == (1,)
        positions = conn.execute("SELECT position FROM messages ORDER BY id").fetchall()
        assert [p for (p,) in positions] == list(range(8))
    with Store.open(db()) as store:
        (summary,) = [s for s in store.list_comparisons() if s.title != "another program's"]
        scored = store.load_comparison(summary.id)
    assert (scored.status, scored.conversation_id) == ("complete", 1)
    assert [(r.prompt, r.status) for r in scored.results] == [(0, "ok"), (1, "error")]
    assert [p.label for p in scored.prompts] == [p.label for p in plan().prompts]


async def test_siblings_made_while_locked_keep_their_place_after_the_move(scripted):
    # A regenerated answer names the answers it follows and comes from by id: made in
    # memory, then moved into the file (where another program took those ids meanwhile),
    # it and what follows it must name the copies.
    fill([{"questions": ["an earlier question"]}])
    with _locked(db()) as holder:
        app = make_app(scripted)
        app.history.busy_timeout = 0.2
        app.history.retry_interval = 0.05
        async with app.run_test(size=(120, 40)) as pilot:
            await app.history.ready.wait()
            chat = app.main.chat
            await wait_for(pilot, lambda: len(chat.views) == 1)
            await send(pilot, "asked while locked")
            await pilot.press("f8", "g")
            await wait_for(pilot, lambda: chat.views[-1].turn.origin == "regenerate")
            await wait_for(pilot, lambda: chat.views[-1].turn.answer is not None)
            await app.history.idle()
            _release(holder, ANOTHER_PROGRAMS_MESSAGE)
            await wait_for(pilot, lambda: IN_MEMORY not in app.main.status.text)
            await pilot.press("left_square_bracket")  # the first sibling again
            await send(pilot, "after the move")
            await app.history.idle()
    with Store.open(db()) as store:
        stored = store.load_conversation(1)
    conversation = conversation_of(stored)
    earlier, asked, regenerated, after = conversation.turns
    assert conversation.siblings(regenerated) == [asked, regenerated]
    assert regenerated.source is asked and regenerated.origin == "regenerate"
    assert conversation.path() == [earlier, asked, after]


ANOTHER_PROGRAMS_MESSAGE = (
    "INSERT INTO messages (conversation_id, position, role, text, created_at) "
    "VALUES (999, 0, 'user', 'another program''s', 0)"  # (no foreign keys there)
)


ANOTHER_PROGRAMS_SCORE = (
    "INSERT INTO comparisons (kind, title, status, created_at, updated_at) "
    "VALUES ('score', 'another program''s', 'complete', 0, 0)"
)


# ------------------------------------------------------------------ a full disk


@pytest.fixture(params=disks())
def disk(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> Iterator[SmallDisk]:
    """A small disk (see tests.faults.small_disks: which faults each proves)."""
    with small_disk(request.param, tmp_path / "disk", monkeypatch) as made:
        yield made


BIG = 6000
"""Tokens of a big answer: its rows (~250 KB compressed, with 5 alternatives that compress
badly) do not fit in what is left of the disk; its question and text (~24 KB) do."""


def _big_answer() -> Reply:
    rng = random.Random(5)
    rows = [
        (f"w{i % 97} ", -0.01 * (i % 50),
         [(f"w{i % 97} ", -0.01 * (i % 50)),
          *((f"a{rng.randrange(10**6)}", -2.5 - j) for j in range(4))])
        for i in range(BIG)
    ]  # fmt: skip
    return Reply.sse(stream_of(rows))


BIG_TEXT = "".join(f"w{i % 97} " for i in range(BIG))


def _ask(
    scripted,
    data_dir: Path | None,
    *extra: str,
    env: dict[str, str] | None = None,
    command: tuple[str, ...] = LOGPROB_CHAT,
):
    where = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.Popen(
        [*command, "ask", "--base-url", scripted.base_url, "--model", "m",
         *where, *extra, "Hi"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_a_full_disk_keeps_the_question_and_text_and_ask_says_so(scripted, disk):
    command = tuple(disk.command())
    first = _ask(scripted, disk.where, command=command)
    assert first.wait(60) == 0, first.communicate()
    disk.fill_up()
    scripted.queue(_big_answer())
    asked = _ask(scripted, disk.where, "--max-tokens", str(BIG), command=command)
    out, err = asked.communicate(timeout=60)
    assert asked.returncode == EXIT_SAVED_IN_PART, err
    assert out.startswith(BIG_TEXT)  # the answer was shown whole
    unsaved = re.search(r"the answer is not saved in full: ([\d,]+) of its 6,000 token rows", err)
    assert unsaved is not None, err
    assert "its question, text and numbers were" in err
    with closing(sqlite3.connect(disk.where / "history.sqlite3")) as conn:
        row = conn.execute(
            "SELECT q.text, a.status, m.text, a.token_count, a.notices FROM answers a "
            "JOIN messages m ON m.id = a.message_id JOIN messages q ON q.id = a.question_id "
            "ORDER BY a.message_id DESC LIMIT 1"
        ).fetchone()
    missing = int(unsaved.group(1).replace(",", ""))
    assert row[:4] == ("Hi", "complete", BIG_TEXT, BIG - missing) and missing > BIG // 2
    assert f"{unsaved.group(1)} of its 6,000 token rows were not saved" in row[4]


async def test_a_full_disk_in_the_chat_names_each_answer_and_saves_it_when_room_returns(
    scripted, disk, monkeypatch
):
    monkeypatch.setenv("LOGPROB_CHAT_DATA_DIR", str(disk.where))
    # The rows are written when each answer ends, as a quick stream's are. On a busy machine
    # the stream took seconds and was checkpointed part by part: on the tmpfs the journal's
    # committed pages then took the last of the room, and not even the text fitted (the
    # answer is retried whole once there is room: a fault of its own, not this test's).
    monkeypatch.setattr(Recorder, "maybe_checkpoint", lambda self: False)
    app = make_app(scripted, sampling=Sampling(max_tokens=BIG))
    app.history.retry_interval = 0.05
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "small first")
        await app.history.idle()
        disk.fill_up()
        for n in (1, 2):
            scripted.queue(_big_answer())
            await send(pilot, f"big {n}")
            await app.history.idle()
        # One line per answer, naming it and what of it is not in the file yet.
        unsaved = [n for n in _notes(app) if n.startswith("⚠ the answer to")]
        assert [n.split(":")[0] for n in unsaved] == [
            "⚠ the answer to “big 1”",
            "⚠ the answer to “big 2”",
        ]
        assert all("tried again every few seconds" in n for n in unsaved)
        assert "its question, text and numbers were" in unsaved[0]
        assert app.main.status.text.endswith("⚠ 2 answers not saved in full")
        disk.room_again()
        await wait_for(pilot, lambda: "not saved in full" not in app.main.status.text)
        await wait_for(pilot, lambda: len([n for n in _notes(app) if "now saved" in n]) == 2)
    stored = answers()
    assert [(q, status, count) for q, status, _text, count, _error in stored] == [
        ("small first", "complete", 3),
        ("big 1", "complete", BIG),
        ("big 2", "complete", BIG),
    ]


# ------------------------------------------------------------------ ask's exit codes


def test_ask_exits_with_a_code_of_its_own_when_nothing_was_saved(scripted, tmp_path):
    """Locked, read-only, damaged, a data directory that is a file, no usable home: exit 3
    with the answer printed; --no-save and a healthy history: 0."""
    _damaged_history()  # the default data dir (the test's own)
    file_dir = tmp_path / "notes.txt"
    file_dir.write_text("notes\n")
    locked_dir, readonly_dir, healthy_dir = (tmp_path / n for n in ("locked", "ro", "ok"))
    for directory in (locked_dir, readonly_dir):
        fill_dir(directory)
    no_home = {"HOME": "/proc/no-home", "LOGPROB_CHAT_DATA_DIR": "", "XDG_DATA_HOME": ""}
    with _locked(locked_dir / "history.sqlite3"), made_read_only(readonly_dir) as made:
        # Where this user can write anyway (root without chattr), SQLite's query_only stands
        # in: the same "attempt to write a readonly database" at the first write.
        on_read_only = LOGPROB_CHAT if made else tuple(command_with("query_only = 1"))
        runs = {
            "damaged": _ask(scripted, None),
            "locked": _ask(scripted, locked_dir),
            "read-only": _ask(scripted, readonly_dir, command=on_read_only),
            "data dir is a file": _ask(scripted, file_dir),
            "no home": _ask(scripted, None, env=no_home),
            "--no-save": _ask(scripted, None, "--no-save"),
            "healthy": _ask(scripted, healthy_dir),
        }
        results = {name: (run.wait(60), *run.communicate()) for name, run in runs.items()}
    for name, (code, out, err) in results.items():
        assert "Hello world!" in out, (name, err)
        expected = 0 if name in ("--no-save", "healthy") else EXIT_NOT_SAVED
        assert code == expected, (name, code, err)
    assert (
        "exit codes:"
        in subprocess.run(
            [sys.executable, "-m", "tui", "ask", "--help"], capture_output=True, text=True, cwd=ROOT
        ).stdout
    )


def fill_dir(directory: Path) -> None:
    """A history with one conversation in ``directory``."""
    with Store.open(directory / "history.sqlite3") as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "saved before")
        store.save_answer(cid, AnswerParams(model="m"), cat_answer())
