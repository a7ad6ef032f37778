"""kill -9 in the middle of a stream: the next start finds the partial answer, incomplete.

A real ``python -m tui ask`` process streams from the scripted server (a thread of this test
process) an answer that stops coming after 15 tokens (held at a gate, as a slow server would
hold it, until the test ends); once its checkpoints have put tokens in the file, it is
SIGKILLed (or interrupted).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from tests.support.history_files import readable_bytes
from tests.support.scripted_server import Gate, Reply, ScriptedServer, stream_of
from tui.core.store import Store

ROOT = Path(__file__).resolve().parents[3]
KEY = "sk-crash-test-0123456789abcdef"
WORDS = [
    (f" w{i}", -0.05 * (i % 7), [(f" w{i}", -0.05 * (i % 7)), (" x", -3.5)]) for i in range(100)
]


def _saved_tokens(path: Path) -> int:
    """Tokens the child has checkpointed so far, read like any other reader would."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)) as conn:
            row = conn.execute("SELECT max(token_count) FROM answers").fetchone()
    except sqlite3.Error:
        return 0  # the child has not created the file or its tables yet
    return row[0] or 0


def _ask_until_checkpointed(scripted: ScriptedServer, db_path: Path, stop: signal.Signals) -> int:
    """Run ``python -m tui ask`` on a stream that stops after 15 tokens; send ``stop`` once
    10 tokens are saved."""
    chunks = stream_of(WORDS, model="slow-model")
    held = Gate()  # the role chunk and 15 tokens, then nothing until the test ends
    scripted.queue(Reply.json({"object": "list", "data": [{"id": "slow-model"}]}))
    scripted.queue(Reply.sse([*chunks[:16], held, *chunks[16:]]))
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "ask",
            "--base-url",
            scripted.base_url,
            "--api-key",
            KEY,
            "--top-logprobs",
            "2",
            "--seed",
            "7",
            "遅い答えをください",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while _saved_tokens(db_path) < 10:
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "no checkpoint reached the file"
            time.sleep(0.05)
        child.send_signal(stop)
        child.wait(30)
    finally:
        held.open()
        if child.poll() is None:
            child.kill()
            child.wait(30)
        if child.stderr:
            child.stderr.close()
    return child.returncode


def test_a_killed_ask_leaves_its_partial_answer_incomplete(
    scripted: ScriptedServer, isolated_home: Path
) -> None:
    db_path = isolated_home / "data" / "history.sqlite3"
    assert _ask_until_checkpointed(scripted, db_path, signal.SIGKILL) == -signal.SIGKILL

    with closing(sqlite3.connect(db_path)) as conn:  # as the killed process left it
        assert conn.execute("SELECT status FROM answers").fetchall() == [("streaming",)]

    with Store.open(db_path) as store:
        assert store.problem is None
        conversation = store.load_conversation(store.last_conversation_id() or 0)
        assert store.recovered == [conversation.answers[0].id]
    question, reply = conversation.messages
    assert (question.role, question.text) == ("user", "遅い答えをください")
    stored = reply.answer
    assert stored is not None
    answer = stored.answer
    assert answer.status == "incomplete"
    n = len(answer.tokens)
    assert 10 <= n < len(WORDS)  # killed mid-stream, after checkpoints
    assert [t.token for t in answer.tokens] == [w for w, _, _ in WORDS[:n]]
    assert [t.logprob for t in answer.tokens] == [lp for _, lp, _ in WORDS[:n]]
    assert answer.tokens[0].alternatives()[1].text == " x"
    assert len(answer.raw) == n
    assert reply.text == "".join(w for w, _, _ in WORDS[:n])  # checkpointed with its tokens
    assert stored.params.model == "slow-model"
    assert (stored.params.top_logprobs, stored.params.seed) == (2, 7)
    assert answer.metrics.tokens == n
    assert KEY.encode() not in readable_bytes(db_path.parent.iterdir())


def test_an_interrupted_ask_keeps_its_partial_answer_stopped(
    scripted: ScriptedServer, isolated_home: Path
) -> None:
    db_path = isolated_home / "data" / "history.sqlite3"
    assert _ask_until_checkpointed(scripted, db_path, signal.SIGINT) == 130
    with Store.open(db_path) as store:
        assert store.recovered == []
        conversation = store.load_conversation(store.last_conversation_id() or 0)
    answer = conversation.answers[0].answer
    assert answer.status == "stopped"
    n = len(answer.tokens)
    assert 10 <= n < len(WORDS)
    assert conversation.messages[1].text == "".join(w for w, _, _ in WORDS[:n])
    assert answer.duration is not None  # finished by the process itself, not recovered
