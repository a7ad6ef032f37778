"""Reading the history: the conversation list, whole conversations, stored metrics.

Plain functions over an open ``sqlite3`` connection, called by
:class:`~tui.core.store.Store`. Answers come back as :class:`~tui.core.answer.Answer` objects
with their tokens; with ``lazy`` their raw rows stay stored bytes until first needed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from tui.core import gc_pause
from tui.core.answer import Answer
from tui.core.branch import BranchPoint
from tui.core.metrics import Metrics
from tui.core.store import codec
from tui.core.store.models import (
    AnswerParams,
    Conversation,
    ConversationSummary,
    Lineage,
    StoredAnswer,
    StoredMessage,
)

FIRST_QUESTION_CHARS = 500  # what a summary carries of the first question

ANSWER_COLUMNS = (
    "message_id, question_id, status, error, model, base_url, system_prompt, preset, "
    "temperature, top_logprobs, max_tokens, seed, reported_model, finish_reason, usage, "
    "server_timings, notices, started_at, ttft, duration, tokens_per_second, "
    "low_prob_threshold, checkpointed_at, origin, follows_id, source_id, branch, prefill, "
    "prefill_tokens, selected_at"
)


def last_conversation_id(conn: sqlite3.Connection, source: str | None = None) -> int | None:
    """The conversation updated last (of ``source``, ``chat`` or ``ask``, when given)."""
    where, args = ("WHERE source = ? ", (source,)) if source else ("", ())
    row = conn.execute(
        f"SELECT id FROM conversations {where}ORDER BY updated_at DESC, id DESC LIMIT 1", args
    ).fetchone()
    return None if row is None else int(row[0])


def list_conversations(
    conn: sqlite3.Connection, *, query: str | None, limit: int, offset: int
) -> list[ConversationSummary]:
    """Newest first. ``query`` keeps conversations whose title or any message text
    contains it (case-insensitive for ASCII letters, as SQLite's LIKE)."""
    where = ""
    args: list[Any] = []
    if query and query.strip():
        pattern = "%" + like_escape(query.strip()) + "%"
        where = (
            "WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
            "WHERE m.conversation_id = c.id AND m.text LIKE ? ESCAPE '\\')"
        )
        args += [pattern, pattern]
    rows = conn.execute(
        "SELECT c.id, c.title, c.created_at, c.updated_at, c.preset, c.model, c.base_url, "
        "c.source, "
        f"(SELECT substr(m.text, 1, {FIRST_QUESTION_CHARS}) FROM messages m "
        " WHERE m.conversation_id = c.id AND m.role = 'user' ORDER BY m.position LIMIT 1), "
        "(SELECT count(*) FROM answers a WHERE a.conversation_id = c.id), "
        "(SELECT avg(a.mean_prob) FROM answers a WHERE a.conversation_id = c.id) "
        f"FROM conversations c {where} "
        "ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?",
        (*args, limit, offset),
    ).fetchall()
    return [
        ConversationSummary(
            id=row[0],
            title=row[1],
            created_at=row[2],
            updated_at=row[3],
            preset=row[4],
            model=row[5],
            base_url=row[6],
            source=row[7],
            first_question=row[8] or "",
            answers=row[9],
            mean_prob=row[10],
        )
        for row in rows
    ]


def load_conversation(
    conn: sqlite3.Connection, conversation_id: int, *, lazy: bool
) -> Conversation | None:
    """The whole conversation (``None`` if unknown), answers rebuilt with their tokens.

    ``lazy``: the raw rows stay unparsed bytes until ``Answer.load_raw`` (the TUI showing a
    conversation; see ``codec.RawParts``)."""
    row = conn.execute(
        "SELECT id, title, created_at, updated_at, preset, system_prompt, model, base_url "
        "FROM conversations WHERE id = ?",
        (conversation_id,),
    ).fetchone()
    if row is None:
        return None
    conversation = Conversation(*row)
    with gc_pause.paused():
        answers = {
            a.id: a
            for a in (
                answer_from_row(conn, r, lazy=lazy)
                for r in conn.execute(
                    f"SELECT {ANSWER_COLUMNS} FROM answers WHERE conversation_id = ?",
                    (conversation_id,),
                ).fetchall()
            )
        }
    for m in conn.execute(
        "SELECT id, position, role, text, reasoning, created_at FROM messages "
        "WHERE conversation_id = ? ORDER BY position",
        (conversation_id,),
    ):
        message = StoredMessage(*m)
        stored = answers.get(message.id)
        if stored is not None:
            stored.answer.text, stored.answer.reasoning = message.text, message.reasoning
            message.answer = stored
        conversation.messages.append(message)
    return conversation


def answer_from_row(
    conn: sqlite3.Connection, row: tuple[Any, ...], *, lazy: bool = False
) -> StoredAnswer:
    """A row of :data:`ANSWER_COLUMNS` → the stored answer with its tokens."""
    (answer_id, question_id, status, error, model, base_url, system_prompt, preset) = row[:8]
    (temperature, top_logprobs, max_tokens, seed, reported_model, finish_reason) = row[8:14]
    (usage, server_timings, notices, started_at, ttft, duration, tps) = row[14:21]
    (threshold, checkpointed_at, origin, follows_id, source_id, branch) = row[21:27]
    (prefill, prefill_tokens, selected_at) = row[27:30]
    pending = codec.RawParts() if lazy else None
    tokens, raw = load_parts(conn, answer_id, pending)
    answer = Answer(
        tokens=tokens,
        raw=raw,
        usage=codec.load_json(usage),
        server_timings=codec.load_json(server_timings),
        finish_reason=finish_reason,
        model=reported_model,
        status=status,
        error=error,
        notices=codec.load_json(notices) or [],
        started_at=started_at or 0.0,
        ttft=ttft,
        duration=duration,
        tokens_per_second=tps,
        raw_pending=pending,
        prefill=prefill,
        prefill_tokens=min(prefill_tokens or 0, len(tokens)),
    )
    if threshold is not None:
        answer.low_prob_threshold = threshold
    params = AnswerParams(
        model=model,
        base_url=base_url,
        system_prompt=system_prompt,
        preset=preset,
        temperature=temperature,
        top_logprobs=top_logprobs,
        max_tokens=max_tokens,
        seed=seed,
    )
    lineage = Lineage(
        origin=origin,
        follows_id=follows_id,
        source_id=source_id,
        branch=BranchPoint.from_dict(codec.load_json(branch)),
        selected_at=selected_at,
    )
    return StoredAnswer(answer_id, question_id, params, answer, checkpointed_at, lineage)


def load_parts(
    conn: sqlite3.Connection, answer_id: int, pending: codec.RawParts | None = None
) -> tuple[list, list]:
    """An answer's tokens and raw rows, its parts in order; with ``pending`` the raw rows
    are handed to it as stored bytes instead of being parsed."""
    tokens: list = []
    raw: list = []
    for fmt, tokens_blob, raw_blob in conn.execute(
        "SELECT format, tokens, raw FROM answer_parts WHERE answer_id = ? ORDER BY seq",
        (answer_id,),
    ):
        if pending is not None:
            part_tokens, shared = codec.decode_tokens(fmt, tokens_blob, None)
            pending.add(bytes(raw_blob), len(tokens), shared, fmt)
        else:
            part_tokens, part_raw = codec.decode_part(fmt, tokens_blob, raw_blob)
            raw.extend(part_raw)
        tokens.extend(part_tokens)
    return tokens, raw


def stored_metrics(conn: sqlite3.Connection, answer_id: int) -> Metrics | None:
    """The metrics written with the answer (live ones while it streams)."""
    row = conn.execute("SELECT metrics FROM answers WHERE message_id = ?", (answer_id,)).fetchone()
    data = codec.load_json(row[0]) if row else None
    return None if data is None else Metrics.from_dict(data)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def recent_questions(conn: sqlite3.Connection, limit: int) -> list[str]:
    """The user's latest ``limit`` distinct questions, oldest first (for ↑ in the input)."""
    rows = conn.execute(
        "SELECT text FROM messages WHERE role = 'user' AND text != '' ORDER BY id DESC LIMIT ?",
        (limit * 4,),
    )
    return _distinct_oldest_first((row[0] for row in rows), limit)


def recent_system_prompts(conn: sqlite3.Connection, limit: int) -> list[str]:
    """The latest ``limit`` distinct system prompts answers were asked with, oldest first."""
    rows = conn.execute(
        "SELECT system_prompt FROM answers WHERE system_prompt IS NOT NULL "
        "AND system_prompt != '' ORDER BY message_id DESC LIMIT ?",
        (limit * 4,),
    )
    return _distinct_oldest_first((row[0] for row in rows), limit)


def _distinct_oldest_first(newest_first: Iterable[str], limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for text in newest_first:
        if text not in seen:
            seen[text] = None
            if len(seen) == limit:
                break
    return list(reversed(seen))
