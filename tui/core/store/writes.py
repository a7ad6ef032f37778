"""Writing the history: conversations, questions, answers and their token parts.

Plain functions over an open ``sqlite3`` connection, each one transaction, called by
:class:`~tui.core.store.Store` (which turns their errors into :class:`StoreError`). Text is
scrubbed of API keys (:func:`codec.scrub_text`) and base URLs lose credentials and query
before they are written.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tui.core.answer import Answer
from tui.core.errors import redact
from tui.core.settings import display_url
from tui.core.store import codec
from tui.core.store.models import AnswerDelta, AnswerParams, Lineage
from tui.core.store.opening import process_alive
from tui.core.store.schema import user_version


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def recover_streaming(conn: sqlite3.Connection) -> list[int]:
    """Answers still ``streaming`` whose writer is gone become ``incomplete``, keeping the
    text and tokens of their last checkpoint. This also proves the file is writable."""
    with transaction(conn):
        # A real write, even with nothing to recover: BEGIN IMMEDIATE alone succeeds on a
        # read-only file in WAL mode (its locks live in the -shm file), and the user must
        # learn now, not at their first answer, that nothing will be saved.
        conn.execute(f"PRAGMA user_version = {user_version(conn)}")
        rows = conn.execute(
            "SELECT message_id, owner_pid, owner_host FROM answers WHERE status = 'streaming'"
        ).fetchall()
        dead = [row[0] for row in rows if not process_alive(row[1], row[2])]
        conn.executemany(
            "UPDATE answers SET status = 'incomplete', owner_pid = NULL, owner_host = NULL "
            "WHERE message_id = ?",
            [(answer_id,) for answer_id in dead],
        )
    return dead


def create_conversation(
    conn: sqlite3.Connection,
    now: float,
    *,
    title: str | None,
    preset: str | None,
    system_prompt: str | None,
    model: str | None,
    base_url: str | None,
    source: str = "chat",
) -> int:
    """A new conversation; ``source`` ``chat`` or ``ask`` (what started it)."""
    with transaction(conn):
        cursor = conn.execute(
            "INSERT INTO conversations (title, created_at, updated_at, preset, "
            "system_prompt, model, base_url, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clean(title),
                now,
                now,
                clean(preset),
                clean(system_prompt),
                clean(model),
                safe_url(base_url),
                source,
            ),
        )
        return int(cursor.lastrowid or 0)


def add_user_message(conn: sqlite3.Connection, now: float, conversation_id: int, text: str) -> int:
    """Append the user's question (committed before its request goes out)."""
    with transaction(conn):
        position = next_position(conn, conversation_id)
        cursor = conn.execute(
            "INSERT INTO messages (conversation_id, position, role, text, created_at) "
            "VALUES (?, ?, 'user', ?, ?)",
            (conversation_id, position, codec.scrub_text(text), now),
        )
        conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return int(cursor.lastrowid or 0)


def begin_answer(
    conn: sqlite3.Connection,
    now: float,
    conversation_id: int,
    params: AnswerParams,
    *,
    question_id: int | None,
    started_at: float | None,
    lineage: Lineage | None = None,
    prefill: str | None = None,
    prefill_tokens: int = 0,
) -> int:
    """Add an empty assistant message with status ``streaming``; return its id (the answer
    id). ``question_id`` defaults to the conversation's latest user message. The
    conversation's settings become this answer's. ``lineage``: where it sits among its
    siblings (``None``: after the answer before it); it is the selected one from now on.
    ``prefill``/``prefill_tokens``: the given start of a continued answer."""
    lineage = lineage or Lineage()
    with transaction(conn):
        if question_id is None:
            row = conn.execute(
                "SELECT id FROM messages WHERE conversation_id = ? AND role = 'user' "
                "ORDER BY position DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            question_id = row[0] if row else None
        position = next_position(conn, conversation_id)
        cursor = conn.execute(
            "INSERT INTO messages (conversation_id, position, role, text, created_at) "
            "VALUES (?, ?, 'assistant', '', ?)",
            (conversation_id, position, now),
        )
        answer_id = int(cursor.lastrowid or 0)
        conn.execute(
            "INSERT INTO answers (message_id, conversation_id, question_id, status, model, "
            "base_url, system_prompt, preset, temperature, top_logprobs, max_tokens, seed, "
            "started_at, owner_pid, owner_host, checkpointed_at, origin, follows_id, "
            "source_id, branch, prefill, prefill_tokens, selected_at) "
            f"VALUES (?, ?, ?, 'streaming', {', '.join('?' * 19)})",
            (
                answer_id,
                conversation_id,
                question_id,
                clean(params.model),
                safe_url(params.base_url),
                clean(params.system_prompt),
                clean(params.preset),
                params.temperature,
                params.top_logprobs,
                params.max_tokens,
                params.seed,
                started_at if started_at is not None else now,
                os.getpid(),
                socket.gethostname(),
                now,
                lineage.origin,
                lineage.follows_id,
                lineage.source_id,
                None if lineage.branch is None else codec.dump_json_text(lineage.branch.to_dict()),
                clean(prefill),
                prefill_tokens,
                now,
            ),
        )
        conn.execute(
            "UPDATE conversations SET updated_at = ?, preset = ?, system_prompt = ?, "
            "model = ?, base_url = ? WHERE id = ?",
            (
                now,
                clean(params.preset),
                clean(params.system_prompt),
                clean(params.model),
                safe_url(params.base_url),
                conversation_id,
            ),
        )
        return answer_id


def checkpoint_answer(conn: sqlite3.Connection, now: float, delta: AnswerDelta) -> None:
    """Append the new rows as one part and rewrite the answer's text and small fields."""
    part = codec.encode_part(delta.tokens, delta.raw) if delta.tokens or delta.raw else None
    fields = delta_fields(delta, now)
    with transaction(conn):
        write_delta(conn, delta, part, fields)


def finish_answer(
    conn: sqlite3.Connection,
    now: float,
    delta: AnswerDelta,
    answer: Answer,
    *,
    extra_notices: Sequence[str] = (),
) -> None:
    """Write the last rows and the final answer: status, error, timings, metrics, the
    answer's notices and then ``extra_notices``."""
    part = codec.encode_part(delta.tokens, delta.raw) if delta.tokens or delta.raw else None
    delta.text, delta.reasoning = answer.text, answer.reasoning
    delta.usage, delta.server_timings = answer.usage, answer.server_timings
    delta.finish_reason, delta.reported_model = answer.finish_reason, answer.model
    delta.notices = [*answer.notices, *extra_notices]
    delta.metrics = answer.metrics
    fields = delta_fields(delta, now)
    reasoning_metrics = answer.reasoning_metrics
    fields.update(
        status=answer.status,
        error=None if answer.error is None else codec.scrub_text(redact(answer.error)),
        started_at=answer.started_at or None,
        ttft=answer.ttft,
        duration=answer.duration,
        tokens_per_second=answer.tokens_per_second,
        low_prob_threshold=answer.low_prob_threshold,
        reasoning_metrics=(
            codec.dump_json_text(reasoning_metrics.to_dict()) if reasoning_metrics.tokens else None
        ),
        owner_pid=None,
        owner_host=None,
    )
    with transaction(conn):
        write_delta(conn, delta, part, fields)
        conn.execute(
            "UPDATE conversations SET updated_at = ? WHERE id = "
            "(SELECT conversation_id FROM answers WHERE message_id = ?)",
            (now, delta.answer_id),
        )


def replace_tokens(conn: sqlite3.Connection, now: float, answer_id: int, answer: Answer) -> None:
    """Put a finished answer's tokens in again, all of them, as one part (recovery added
    entries in the middle: appending parts cannot say that), with the metrics, counts and
    notices that follow from them. Status, text and timings stay as they were written."""
    part = codec.encode_part(answer.tokens, answer.raw)
    metrics = answer.metrics
    reasoning = answer.reasoning_metrics
    fields = {
        "token_count": len(answer.tokens),
        "metrics": codec.dump_json_text(metrics.to_dict()),
        "mean_prob": metrics.mean_prob,
        "mean_logprob": metrics.mean_logprob,
        "reasoning_metrics": (
            codec.dump_json_text(reasoning.to_dict()) if reasoning.tokens else None
        ),
        "notices": codec.dump_json_text([redact(n) for n in answer.notices])
        if answer.notices
        else None,
    }
    with transaction(conn):
        found = conn.execute("SELECT 1 FROM answers WHERE message_id = ?", (answer_id,))
        if found.fetchone() is None:
            raise sqlite3.OperationalError(f"answer {answer_id} is not in the history")
        conn.execute("DELETE FROM answer_parts WHERE answer_id = ?", (answer_id,))
        conn.execute(
            "INSERT INTO answer_parts (answer_id, seq, first_index, format, tokens, raw) "
            "VALUES (?, 0, 0, ?, ?, ?)",
            (answer_id, codec.TOKENS_FORMAT, *part),
        )
        names = list(fields)
        assignments = ", ".join(f"{name} = ?" for name in names)
        conn.execute(
            f"UPDATE answers SET {assignments}, checkpointed_at = ? WHERE message_id = ?",
            (*(fields[name] for name in names), now, answer_id),
        )


def delta_fields(delta: AnswerDelta, now: float) -> dict[str, Any]:
    """The answer's small columns as of ``delta``."""
    metrics = delta.metrics
    return {
        "token_count": delta.token_total,
        "usage": codec.dump_json_text(delta.usage),
        "server_timings": codec.dump_json_text(delta.server_timings),
        "finish_reason": clean(delta.finish_reason),
        "reported_model": clean(delta.reported_model),
        "notices": codec.dump_json_text([redact(n) for n in delta.notices])
        if delta.notices
        else None,
        "metrics": None if metrics is None else codec.dump_json_text(metrics.to_dict()),
        "mean_prob": None if metrics is None else metrics.mean_prob,
        "mean_logprob": None if metrics is None else metrics.mean_logprob,
        "checkpointed_at": now,
    }


def write_delta(
    conn: sqlite3.Connection,
    delta: AnswerDelta,
    part: tuple[bytes, bytes] | None,
    fields: dict[str, Any],
) -> None:
    """Inside a transaction: the part (replacing any from its ``seq`` on), the text, the
    fields."""
    exists = conn.execute(
        "SELECT 1 FROM answers WHERE message_id = ?", (delta.answer_id,)
    ).fetchone()
    if exists is None:
        raise sqlite3.OperationalError(f"answer {delta.answer_id} is not in the history")
    # A part whose write was not confirmed (its task was cancelled) is sent again with the
    # same seq: replacing from seq on makes every write idempotent, never a gap or a copy.
    conn.execute(
        "DELETE FROM answer_parts WHERE answer_id = ? AND seq >= ?",
        (delta.answer_id, delta.seq),
    )
    if part is not None:
        conn.execute(
            "INSERT INTO answer_parts (answer_id, seq, first_index, format, tokens, raw) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (delta.answer_id, delta.seq, delta.first_index, codec.TOKENS_FORMAT, *part),
        )
    conn.execute(
        "UPDATE messages SET text = ?, reasoning = ? WHERE id = ?",
        (codec.scrub_text(delta.text), codec.scrub_text(delta.reasoning), delta.answer_id),
    )
    names = list(fields)
    assignments = ", ".join(f"{name} = ?" for name in names)
    conn.execute(
        f"UPDATE answers SET {assignments} WHERE message_id = ?",
        (*(fields[name] for name in names), delta.answer_id),
    )


def next_position(conn: sqlite3.Connection, conversation_id: int) -> int:
    """The position of a new message at the end of the conversation (which must exist)."""
    row = conn.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM messages WHERE conversation_id = ?",
        (conversation_id,),
    ).fetchone()
    if (
        conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        is None
    ):
        raise sqlite3.OperationalError(f"conversation {conversation_id} is not in the history")
    return int(row[0])


def select_answer(conn: sqlite3.Connection, now: float, answer_id: int) -> bool:
    """Make the answer the selected one of its siblings (``selected_at`` now); False if
    unknown."""
    with transaction(conn):
        cursor = conn.execute(
            "UPDATE answers SET selected_at = ? WHERE message_id = ?", (now, answer_id)
        )
    return cursor.rowcount > 0


def rename_conversation(conn: sqlite3.Connection, conversation_id: int, title: str | None) -> bool:
    """Set the title (empty: back to showing the first question); False if unknown."""
    with transaction(conn):
        cursor = conn.execute(
            "UPDATE conversations SET title = ? WHERE id = ?",
            (clean((title or "").strip()) or None, conversation_id),
        )
    return cursor.rowcount > 0


def delete_conversation(conn: sqlite3.Connection, conversation_id: int) -> bool:
    """Delete a conversation with its messages, answers and tokens; False if unknown."""
    with transaction(conn):
        cursor = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
    return cursor.rowcount > 0


def clean(text: str | None) -> str | None:
    return None if text is None else codec.scrub_text(text)


def safe_url(url: str | None) -> str | None:
    """Base URLs are stored without user:password or query (where keys hide)."""
    return display_url(url) if url else None
