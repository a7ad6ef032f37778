"""Helpers for the TUI's history tests: read the history file as another program would, and
fill it beforehand with a fixed clock."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.app.support import TOKENS
from tests.support.scripted_server import completion_of
from tui.core.answer import AnswerBuilder
from tui.core.store import AnswerParams, Store, history_path
from tui.core.wire.chunks import response_events

# 2026-11-28 09:30:00 UTC, "today" in the tests that fix the clock.
NOW = 1795858200.0
DAY = 86400.0


def db() -> Path:
    return history_path()  # the isolated data dir of the test (conftest's isolated_home)


def sql(query: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of ``query`` on the history file, read-only, from a connection of its own."""
    uri = db().resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
        return conn.execute(query, args).fetchall()


def answers() -> list[tuple[Any, ...]]:
    """``(question, status, text, token_count, error)`` of every stored answer, in order."""
    return sql(
        "SELECT q.text, a.status, m.text, a.token_count, a.error FROM answers a "
        "JOIN messages m ON m.id = a.message_id LEFT JOIN messages q ON q.id = a.question_id "
        "ORDER BY a.conversation_id, m.position"
    )


def cat_answer(status: str = "complete", upto: int | None = None) -> Any:
    """The scripted answer of tests.app.support (TOKENS), built without a server."""
    builder = AnswerBuilder()
    body = completion_of([(token, logprob) for token, logprob, _top in TOKENS[:upto]])
    for event in response_events(body, 5):
        builder.apply(event)
    return builder.finish(status)  # type: ignore[arg-type]


def fill(
    conversations: list[dict[str, Any]],
    *,
    clock_start: float = NOW - 3 * DAY,
) -> list[int]:
    """Store conversations: each ``{"questions": [...], "params": AnswerParams, "title": str,
    "at": epoch}``; every question gets the cat answer. Returns their ids."""
    ids = []
    for spec in conversations:
        moment = spec.get("at", clock_start)
        with Store.open(db(), clock=lambda moment=moment: moment) as store:
            cid = store.create_conversation(title=spec.get("title"))
            params = spec.get("params", AnswerParams(model="scripted-model"))
            for question in spec["questions"]:
                qid = store.add_user_message(cid, question)
                store.save_answer(cid, params, cat_answer(), question_id=qid)
        ids.append(cid)
    return ids
