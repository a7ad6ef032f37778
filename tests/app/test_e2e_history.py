"""Done-when of the history issue, end to end on a real terminal.

A new user asks a question (the real ``logprob-chat`` command in a pseudo-terminal, against the
scripted server streaming slowly), the terminal dies mid-answer (SIGKILL to the process), they
start it again: the question and the partial answer are on the screen, marked incomplete.
They export the conversation to Markdown and CSV from the command palette, and both files
read back with standard readers.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.app.support import TOKENS
from tests.app.test_e2e_terminal import ROOT
from tests.support.pty_terminal import PtyTerminal, app_env
from tests.support.scripted_server import Reply, Stall, stream_of

QUESTION = "猫はどこに座りましたか？"
PARTIAL = "The cat sat on"  # the four tokens sent before the stream stalls


def _saved_text(db: Path) -> str | None:
    """The streaming answer's text as stored (read the way another program would)."""
    if not db.exists():
        return None
    uri = db.resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
        row = conn.execute("SELECT text FROM messages WHERE role = 'assistant'").fetchone()
    return None if row is None else row[0]


def _wait_file(directory: Path, suffix: str, timeout: float = 20.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(directory.glob(f"*{suffix}")) if directory.exists() else []
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file in {directory}")


def _palette(term: PtyTerminal, words: str) -> None:
    term.type("\x10")  # ctrl+p
    term.wait_for("Search for commands", timeout=10)
    term.type(words)
    term.wait_for(lambda screen: words.split()[-1].lower() in screen.lower(), timeout=10)
    time.sleep(0.3)  # the palette's search settles
    term.type("\r")


@pytest.mark.slow
def test_a_killed_chat_reopens_with_its_partial_answer_and_exports_it(scripted, tmp_path):
    chunks = stream_of(TOKENS)
    scripted.queue(Reply.sse([*chunks[:5], Stall()], done=False))  # role + 4 tokens, then silence
    data = tmp_path / "data"
    db = data / "history.sqlite3"
    argv = [sys.executable, "-m", "tui", "--base-url", scripted.base_url, "--model", "m",
            "--data-dir", str(data)]  # fmt: skip

    with PtyTerminal(argv, cols=100, rows=30, env=app_env(), cwd=ROOT) as term:
        term.wait_for("Ask a question", timeout=30)
        term.type(QUESTION + "\r")
        term.wait_for(PARTIAL, timeout=30)
        # Checkpointed while streaming (at most a second later), then the process dies.
        deadline = time.monotonic() + 15
        while _saved_text(db) != PARTIAL and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _saved_text(db) == PARTIAL
        assert term.process is not None
        os.killpg(term.process.pid, signal.SIGKILL)
        assert term.wait_exit(10) == -signal.SIGKILL

    with PtyTerminal(argv, cols=100, rows=30, env=app_env(), cwd=ROOT) as term:
        # (The pane's headline says "◌ incomplete" too, maybe before the log has drawn it;
        # the question shows in the "Reopened …" notice too: the answer's text is the log's.)
        screen = term.wait_for(lambda text: "◌ incomplete" in text and PARTIAL in text, 30)
        assert QUESTION in screen and PARTIAL in screen
        assert "kept as incomplete" in screen  # the one-line note about the cut answer
        _palette(term, "markdown")
        markdown_path = _wait_file(data / "exports", ".md")
        term.wait_for("exported Markdown", timeout=10)
        _palette(term, "as csv")
        csv_path = _wait_file(data / "exports", ".csv")
        term.type("\x11")  # ctrl+q
        assert term.wait_exit(30) == 0
        assert b"Traceback" not in term.raw_bytes()

    markdown = markdown_path.read_text(encoding="utf-8")
    assert QUESTION in markdown and PARTIAL in markdown and "incomplete" in markdown
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["token"] for row in rows] == ["The", " cat", " sat", " on"]
    assert float(rows[2]["prob"]) == pytest.approx(0.04)
    assert oct(markdown_path.stat().st_mode & 0o777) == oct(0o600)
