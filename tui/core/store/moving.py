"""Moving what a session kept in memory into the history file once the file can be opened.

A chat that started while another program held the file's write lock (or while it could not
be written) keeps its session in an in-memory store (:meth:`Store.open`'s fallback, perhaps
a read-only copy of the file). When the file opens later, the conversations this session
wrote to are copied into it, in order:

* a conversation the session started: a new conversation in the file, with every message;
* a conversation of the file that the session carried on (from the read-only copy): the
  new messages are appended to the file's conversation when it is still there, the same
  one (same creation time); otherwise the whole conversation is copied as a new one;
* a comparison the session made (a scored answer: schema version 4) with its prompts,
  questions and results: a new comparison in the file, pointing at the file's ids of the
  conversation and answer it came from: the moved ones' new ids, the file's own when it
  still has them (same id, same creation time), none when they were deleted meanwhile (as
  deleting them would have left it). A comparison still running keeps its writer (this
  process), which carries on writing it in the file.

Two halves, since each store lives on its own thread: :func:`read_session` on the memory
store gives plain rows (:class:`MovedSession`), :func:`write_session` writes them into the
file in one transaction. Rows are copied column by column by name (a column added by a later
migration is carried with no change here); ids are the file's own, and every column that
holds an id (the question an answer belongs to, a comparison's conversation and answer)
follows its row.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tui.core.store.async_store import AsyncStore
from tui.core.store.database import Store, _guarded
from tui.core.store.writes import next_position, transaction

Row = dict[str, Any]


@dataclass(slots=True)
class MovedConversation:
    """One conversation's rows to move (``id`` is its id in the memory store)."""

    id: int
    conversation: Row
    messages: list[Row] = field(default_factory=list)
    answers: list[Row] = field(default_factory=list)
    parts: list[Row] = field(default_factory=list)
    carried_on: bool = False  # from the file's copy: append to the file's own when possible
    whole: bool = False  # every message, not only the session's (see write_session)


@dataclass(slots=True)
class MovedComparison:
    """One comparison's rows to move (``id`` is its id in the memory store), with the
    creation times of the conversation and answer it points at (to know them in the file)."""

    id: int
    comparison: Row
    prompts: list[Row] = field(default_factory=list)
    questions: list[Row] = field(default_factory=list)
    results: list[Row] = field(default_factory=list)
    conversation_created: float | None = None
    answer_created: float | None = None


@dataclass(slots=True)
class MovedSession:
    """Everything :func:`read_session` found to move, in the order it was written."""

    conversations: list[MovedConversation] = field(default_factory=list)
    comparisons: list[MovedComparison] = field(default_factory=list)


@dataclass(slots=True)
class Moved:
    """What :func:`write_session` did: memory id → file id of conversations, messages and
    comparisons, how many answers; ``missing``: carried-on conversations no longer in the
    file (nothing was written: give their :func:`whole_conversation` instead)."""

    conversations: dict[int, int] = field(default_factory=dict)
    messages: dict[int, int] = field(default_factory=dict)
    comparisons: dict[int, int] = field(default_factory=dict)
    answers: int = 0
    missing: list[int] = field(default_factory=list)


class HighWater(NamedTuple):
    """The largest ids a store held before the session wrote anything (a read-only copy of
    the file holds the file's rows: they are not the session's to move)."""

    conversation: int
    message: int
    comparison: int


def _rows(conn: sqlite3.Connection, query: str, args: tuple[Any, ...]) -> list[Row]:
    cursor = conn.execute(query, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def high_water(store: Store) -> HighWater:
    """What a store holds before the session writes anything (see :class:`HighWater`)."""
    conn = store._conn
    return HighWater(
        *(
            int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])
            for table in ("conversations", "messages", "comparisons")
        )
    )


def read_session(store: Store, conversation_ids: list[int], mark: HighWater) -> MovedSession:
    """The rows the session wrote to ``conversation_ids`` of the memory ``store`` (messages
    after ``mark``, see :func:`high_water`) and the comparisons it made (after ``mark``), in
    order. Runs on the memory store's thread."""
    return MovedSession(
        _read_conversations(store._conn, conversation_ids, mark),
        _read_comparisons(store._conn, mark.comparison),
    )


def _read_conversations(
    conn: sqlite3.Connection, conversation_ids: list[int], mark: HighWater
) -> list[MovedConversation]:
    moved = []
    for conversation_id in conversation_ids:
        found = _rows(conn, "SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        if not found:
            continue  # deleted meanwhile
        item = MovedConversation(
            conversation_id, found[0], carried_on=conversation_id <= mark.conversation
        )
        after = mark.message if item.carried_on else 0
        item.messages = _rows(
            conn,
            "SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY position",
            (conversation_id, after),
        )
        ids = [m["id"] for m in item.messages]
        for message_id in ids:
            item.answers += _rows(conn, "SELECT * FROM answers WHERE message_id = ?", (message_id,))
            item.parts += _rows(
                conn, "SELECT * FROM answer_parts WHERE answer_id = ? ORDER BY seq", (message_id,)
            )
        if item.messages:
            moved.append(item)
    return moved


def _read_comparisons(conn: sqlite3.Connection, after: int) -> list[MovedComparison]:
    def parts(table: str, comparison_id: int) -> list[Row]:
        return _rows(conn, f"SELECT * FROM {table} WHERE comparison_id = ?", (comparison_id,))

    moved = []
    for row in _rows(conn, "SELECT * FROM comparisons WHERE id > ? ORDER BY id", (after,)):
        moved.append(
            MovedComparison(
                row["id"],
                row,
                prompts=parts("comparison_prompts", row["id"]),
                questions=parts("comparison_questions", row["id"]),
                results=parts("comparison_results", row["id"]),
                conversation_created=_one(
                    conn,
                    "SELECT created_at FROM conversations WHERE id = ?",
                    row["conversation_id"],
                ),
                answer_created=_one(
                    conn, "SELECT created_at FROM messages WHERE id = ?", row["source_answer_id"]
                ),
            )
        )
    return moved


def _one(conn: sqlite3.Connection, query: str, key: int | None) -> Any:
    """The first column of the first row of ``query`` for ``key``, or ``None``."""
    row = None if key is None else conn.execute(query, (key,)).fetchone()
    return None if row is None else row[0]


def whole_conversation(store: Store, conversation_id: int) -> MovedConversation | None:
    """Every row of one conversation of ``store`` (to copy a carried-on conversation whose
    original is no longer in the file)."""
    found = _read_conversations(store._conn, [conversation_id], HighWater(0, 0, 0))
    if not found:
        return None
    found[0].whole = True
    return found[0]


@_guarded
def write_session(store: Store, session: MovedSession) -> Moved:
    """Write the rows of :func:`read_session` into the file ``store`` (one transaction).
    Nothing is written when a carried-on conversation's original is gone from the file: its
    id is in ``missing``, for the caller to give its :func:`whole_conversation` instead."""
    conn = store._conn
    result = Moved()
    with transaction(conn):
        result.missing = [
            item.id
            for item in session.conversations
            if item.carried_on and not item.whole and _original(conn, item) is None
        ]
        if result.missing:
            return result
        for item in session.conversations:
            _write_conversation(conn, item, result)
        for comparison in session.comparisons:
            _write_comparison(conn, comparison, result)
    return result


def _write_conversation(conn: sqlite3.Connection, item: MovedConversation, result: Moved) -> None:
    target = _original(conn, item) if not item.whole else None
    if target is None:
        target = _insert(conn, "conversations", dict(item.conversation), drop="id")
    result.conversations[item.id] = target
    position = next_position(conn, target)
    for message in item.messages:
        row = {**message, "conversation_id": target, "position": position}
        position += 1
        result.messages[message["id"]] = _insert(conn, "messages", row, drop="id")

    def mapped(memory_id: int | None) -> int | None:
        """The file's id of a message (or answer: its assistant message) the session wrote;
        a carried-on conversation's own rows keep the file's ids they already had."""
        return result.messages.get(memory_id, memory_id if item.carried_on else None)  # type: ignore[arg-type]

    for answer in item.answers:
        row = {
            **answer,
            "message_id": result.messages[answer["message_id"]],
            "conversation_id": target,
            "question_id": mapped(answer["question_id"]),
            # Siblings name the answers they follow and come from (schema version 6).
            "follows_id": mapped(answer["follows_id"]),
            "source_id": mapped(answer["source_id"]),
            "owner_pid": None,
            "owner_host": None,
        }
        if row["status"] == "streaming":
            row["status"] = "incomplete"
        _insert(conn, "answers", row)
        result.answers += 1
    for part in item.parts:
        row = {**part, "answer_id": result.messages[part["answer_id"]]}
        _insert(conn, "answer_parts", row, drop="id")
    updated = max([item.conversation["updated_at"]] + [m["created_at"] for m in item.messages])
    settings = {k: item.conversation[k] for k in ("preset", "system_prompt", "model")}
    conn.execute(
        "UPDATE conversations SET updated_at = max(updated_at, ?), preset = ?, "
        "system_prompt = ?, model = ?, base_url = ? WHERE id = ?",
        (updated, *settings.values(), item.conversation["base_url"], target),
    )


def _write_comparison(conn: sqlite3.Connection, item: MovedComparison, result: Moved) -> None:
    """A new comparison with its prompts, questions and results (after the conversations,
    so the ids it points at are known)."""
    row = item.comparison
    conversation = _follow(
        conn,
        "SELECT created_at FROM conversations WHERE id = ?",
        row["conversation_id"],
        item.conversation_created,
        result.conversations,
    )
    answer = _follow(
        conn,
        "SELECT m.created_at FROM answers a JOIN messages m ON m.id = a.message_id "
        "WHERE a.message_id = ?",
        row["source_answer_id"],
        item.answer_created,
        result.messages,
    )
    row = {**row, "conversation_id": conversation, "source_answer_id": answer}
    target = _insert(conn, "comparisons", row, drop="id")
    result.comparisons[item.id] = target
    for table, rows in (
        ("comparison_prompts", item.prompts),
        ("comparison_questions", item.questions),
        ("comparison_results", item.results),
    ):
        for part in rows:
            _insert(conn, table, {**part, "comparison_id": target}, drop="id")


def _follow(
    conn: sqlite3.Connection,
    created_query: str,
    key: int | None,
    created: float | None,
    moved: dict[int, int],
) -> int | None:
    """The file's id of the row ``key`` of the memory store: its new id when it was moved,
    its own id when the file still has that row (same creation time: the read-only copy's
    row), else ``None`` (deleted meanwhile)."""
    if key is None or key in moved:
        return None if key is None else moved[key]
    return key if created is not None and _one(conn, created_query, key) == created else None


def _original(conn: sqlite3.Connection, item: MovedConversation) -> int | None:
    """The file's own conversation a carried-on one continues (same id, same creation
    time), or ``None`` (a conversation the session started, or one deleted meanwhile)."""
    if not item.carried_on:
        return None
    row = conn.execute("SELECT created_at FROM conversations WHERE id = ?", (item.id,)).fetchone()
    return item.id if row is not None and row[0] == item.conversation["created_at"] else None


def _insert(conn: sqlite3.Connection, table: str, row: Row, *, drop: str | None = None) -> int:
    if drop is not None:
        row.pop(drop, None)
    names = list(row)
    columns = ", ".join(names)
    marks = ", ".join("?" for _ in names)
    cursor = conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", [row[n] for n in names]
    )
    return int(cursor.lastrowid or 0)


async def move_session(
    memory: AsyncStore, opened: AsyncStore, written: list[int], mark: HighWater
) -> Moved:
    """Move the rows the session wrote to ``written`` conversations of the ``memory`` store,
    and the comparisons it made, into the ``opened`` file (see the module docstring);
    raises ``StoreError``."""
    session = await memory.call(read_session, list(written), mark)
    result = await opened.call(write_session, session)
    if result.missing:  # carried on from the copy but gone from the file: copy all of it
        whole = [
            await memory.call(whole_conversation, item.id) if item.id in result.missing else item
            for item in session.conversations
        ]
        session.conversations = [item for item in whole if item is not None]
        result = await opened.call(write_session, session)
    return result
