"""A history file damaged beyond its first page (issue 17, item 3): garbage in one page of the
messages table, so the header reads fine and SQLite's ``integrity_check`` fails. ``ask``, the
chat and ``export`` find it at open, say so in one line, never write into it (its bytes stay
the same) and keep the session in memory; ``history recover`` copies what can still be read."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from tests.app.history_support import db, fill
from tests.app.support import make_app, send
from tui.app.widgets.answer import SystemLine

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "なぜ空は青いのですか？ " * 60  # about 2 KB: a dozen fill several message pages


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=60,
    )  # fmt: skip


def _damaged_history() -> tuple[Path, int]:
    """Six conversations of two long questions each, then garbage over one leaf page of the
    messages table (not its first, not the file's first). Returns the file and the page."""
    fill([{"questions": [f"{n}: {QUESTION}", f"{n}b: {QUESTION}"]} for n in range(6)])
    path = db()
    with closing(sqlite3.connect(path)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' "
                "ORDER BY pageno"
            )
        ]
    assert len(leaves) >= 3 and not path.with_name(path.name + "-wal").exists()
    page = leaves[len(leaves) // 2]
    data = bytearray(path.read_bytes())
    data[(page - 1) * size : page * size] = b"\xa5" * size
    path.write_bytes(bytes(data))
    with closing(sqlite3.connect(path)) as conn:  # the condition: it does fail the check
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:  # (a page this broken stops the check itself)
            verdict = [(str(exc),)]
        assert verdict != [("ok",)]
        assert conn.execute("SELECT count(*) FROM conversations").fetchone() == (6,)
    return path, page


def _fingerprint(path: Path) -> str:
    """The file and its WAL, as bytes: any write shows."""
    digest = hashlib.sha256(path.read_bytes())
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()


def test_ask_and_export_on_a_damaged_file_say_so_and_never_write_into_it(scripted):
    path, _ = _damaged_history()
    before = _fingerprint(path)
    asked = _run("ask", "--base-url", scripted.base_url, "--model", "m", "Hi")
    assert "Hello world!" in asked.stdout  # the answer is still given
    (note,) = asked.stderr.splitlines()
    assert f"history file {path} is damaged" in note and "kept in memory only" in note
    assert "logprob-chat history recover" in note
    exported = _run("export", "--last", "--format", "md")
    assert exported.returncode == 1
    (line,) = exported.stderr.splitlines()
    assert f"history file {path} is damaged" in line and "it was left as it is" in line
    assert "logprob-chat history recover" in line
    assert _fingerprint(path) == before  # "left as it is" is true


async def test_the_chat_on_a_damaged_file_says_so_and_goes_on_in_memory(scripted):
    path, _ = _damaged_history()
    before = _fingerprint(path)
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.history.ready.wait()
        await send(pilot, "still here?")
        await app.history.idle()
        notes = [str(line.render()) for line in app.main.query(SystemLine)]
        assert len(notes) == 1 and f"history file {path} is damaged" in notes[0]
        assert "kept in memory only" in notes[0]
        assert app.history.store is not None and app.history.store.in_memory
        assert app.main.chat.views[-1].turn.answer.text == "Hello world!"
    assert _fingerprint(path) == before


def test_history_recover_copies_what_can_still_be_read(tmp_path):
    path, _ = _damaged_history()
    before = _fingerprint(path)
    copy = tmp_path / "recovered" / "history.sqlite3"
    recovered = _run("history", "recover", str(copy))
    assert recovered.returncode == 0, recovered.stderr
    assert _fingerprint(path) == before
    assert f"to {copy}" in recovered.stderr and "could not be read" in recovered.stderr
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert 0 < messages < 24 and orphans == []  # some rows were on the damaged page
    assert oct(copy.stat().st_mode & 0o777) == oct(0o600)
    # The copy is a history like any other: it lists, exports, and takes new answers.
    listed = _run("export", "--list", "--data-dir", str(copy.parent))
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) >= 2, listed.stderr
    again = _run("history", "recover", str(copy))  # never over an existing file
    assert again.returncode == 1 and "already exists" in again.stderr
