"""The history store: conversations, messages and answers in one SQLite file.

``Store`` is synchronous and bound to the thread that opened it (sqlite3's own check): the
command line uses it directly, the TUI through :class:`tui.core.store.AsyncStore`, which runs
every call on one background thread.

Durability choices:

* WAL journal with ``synchronous=NORMAL``: a commit is a write into the WAL, no fsync, so a
  checkpoint per second costs little; a killed process loses nothing that was committed
  (the WAL is in the OS cache), a power cut may lose the last commits but never corrupts.
* ``secure_delete``: a deleted conversation is overwritten, not left in free pages.
* The file is created 0600 in a 0700 directory: it holds the user's conversations.

``open`` never raises for a bad file: a locked or read-only file is shown read-only (copied
into memory) and a damaged or newer file leaves an empty in-memory store; either way
``problem`` holds one line for the user and the program goes on, saving to memory.
"""

from __future__ import annotations

import functools
import os
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from tui.core import gc_pause
from tui.core.answer import Answer
from tui.core.errors import redact
from tui.core.metrics import Metrics
from tui.core.paths import data_dir
from tui.core.settings import display_url
from tui.core.store import codec
from tui.core.store.models import (
    AnswerDelta,
    AnswerParams,
    Conversation,
    ConversationSummary,
    StoredAnswer,
    StoredMessage,
)
from tui.core.store.problems import StoreError, describe, is_damage
from tui.core.store.schema import NewerSchemaError, migrate, user_version

HISTORY_FILE = "history.sqlite3"
DEFAULT_BUSY_TIMEOUT = 3.0
"""Seconds to wait for another process's write lock before giving up (the TUI and an ``ask``
in another terminal share the file; their transactions take milliseconds)."""

SNAPSHOT_LIMIT = 512 * 1024 * 1024
"""Largest file copied into memory to show a locked or read-only history (bytes); a bigger one
leaves an empty in-memory store rather than eat the machine's memory."""

FIRST_QUESTION_CHARS = 500  # what a summary carries of the first question

P = ParamSpec("P")
R = TypeVar("R")


def history_path(given_data_dir: str | os.PathLike[str] | None = None) -> Path:
    """``data_dir()/history.sqlite3`` (``--data-dir`` or ``$LOGPROB_CHAT_DATA_DIR`` win)."""
    return data_dir(given_data_dir) / HISTORY_FILE


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn sqlite3 and OS errors into a one-line :class:`StoreError`."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            store = args[0]
            raise StoreError(describe(exc, store.path)) from exc  # type: ignore[attr-defined]

    return wrapper


def _process_alive(pid: int | None, host: str | None) -> bool:
    """Whether the process that was writing an answer still runs (same host only: another
    host's process cannot be checked, so its answer counts as abandoned)."""
    if pid is None or host != socket.gethostname():
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    except OSError:
        return False
    return True


class Store:
    """See the module docstring. Build with :meth:`open`, :meth:`connect` or :meth:`memory`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None,
        *,
        problem: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._conn = conn
        self.path = path
        self.problem = problem
        self.fault: str | None = None  # what is wrong with the file, without the fallback
        self.clock = clock
        self.recovered: list[int] = []  # answers found streaming at open, now incomplete

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> Store:
        """The history at ``path`` (default :func:`history_path`); never raises for a bad
        file, see the module docstring. Check :attr:`problem` and show it."""
        target = Path(path) if path is not None else history_path()
        try:
            return cls.connect(target, busy_timeout=busy_timeout, clock=clock)
        except StoreError as exc:
            cause = exc.__cause__
            readable = (
                cause is not None
                and not is_damage(cause)
                and not isinstance(cause, NewerSchemaError)
                and target.is_file()
                and target.stat().st_size <= SNAPSHOT_LIMIT
            )
            if readable:
                try:
                    store = cls.snapshot(
                        target,
                        problem=f"{exc}; showing the saved history read-only, "
                        "new answers are kept in memory only",
                        busy_timeout=busy_timeout,
                        clock=clock,
                    )
                except (sqlite3.Error, OSError, StoreError):
                    pass
                else:
                    store.fault = str(exc)
                    return store
            store = cls.memory(problem=f"{exc}; this session is kept in memory only", clock=clock)
            store.fault = str(exc)
            return store

    @classmethod
    def connect(
        cls,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> Store:
        """Open, migrate and recover the file at ``path``; raise :class:`StoreError`."""
        target = Path(path)
        conn: sqlite3.Connection | None = None
        try:
            _create_private(target)
            conn = sqlite3.connect(target, timeout=busy_timeout, isolation_level=None)
            _configure(conn, wal=True)
            migrate(conn)
            store = cls(conn, target, clock=clock)
            store.recovered = store._recover()
            return store
        except (sqlite3.Error, OSError, NewerSchemaError) as exc:
            if conn is not None:
                conn.close()
            raise StoreError(describe(exc, target)) from exc

    @classmethod
    def memory(cls, *, problem: str | None = None, clock: Callable[[], float] = time.time) -> Store:
        """An empty store in memory (tests, ``--no-save`` surfaces, the fallback)."""
        conn = sqlite3.connect(":memory:", isolation_level=None)
        _configure(conn, wal=False)
        migrate(conn)
        return cls(conn, None, problem=problem, clock=clock)

    @classmethod
    def snapshot(
        cls,
        path: Path,
        *,
        problem: str | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> Store:
        """A copy of the file at ``path`` in memory, read without writing to the file."""
        memory = sqlite3.connect(":memory:", isolation_level=None)
        try:
            _copy_read_only(path, memory, busy_timeout)
        except sqlite3.Error:
            memory.close()
            raise
        _configure(memory, wal=False)
        try:
            migrate(memory)
        except NewerSchemaError as exc:
            memory.close()
            raise StoreError(describe(exc, path)) from exc
        store = cls(memory, None, problem=problem, clock=clock)
        store.recovered = store._recover()
        return store

    @property
    def in_memory(self) -> bool:
        return self.path is None

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _recover(self) -> list[int]:
        """Answers still ``streaming`` whose writer is gone become ``incomplete``, keeping the
        text and tokens of their last checkpoint. This also proves the file is writable."""
        with self._transaction() as conn:
            # A real write, even with nothing to recover: BEGIN IMMEDIATE alone succeeds on a
            # read-only file in WAL mode (its locks live in the -shm file), and the user must
            # learn now, not at their first answer, that nothing will be saved.
            conn.execute(f"PRAGMA user_version = {user_version(conn)}")
            rows = conn.execute(
                "SELECT message_id, owner_pid, owner_host FROM answers WHERE status = 'streaming'"
            ).fetchall()
            dead = [row[0] for row in rows if not _process_alive(row[1], row[2])]
            conn.executemany(
                "UPDATE answers SET status = 'incomplete', owner_pid = NULL, owner_host = NULL "
                "WHERE message_id = ?",
                [(answer_id,) for answer_id in dead],
            )
        return dead

    # ------------------------------------------------------------------ writing

    @_guarded
    def create_conversation(
        self,
        *,
        title: str | None = None,
        preset: str | None = None,
        system_prompt: str | None = None,
        model: str | None = None,
        base_url: str | None = None,
    ) -> int:
        now = self.clock()
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO conversations (title, created_at, updated_at, preset, "
                "system_prompt, model, base_url) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _clean(title),
                    now,
                    now,
                    _clean(preset),
                    _clean(system_prompt),
                    _clean(model),
                    _url(base_url),
                ),
            )
            return int(cursor.lastrowid or 0)

    @_guarded
    def add_user_message(self, conversation_id: int, text: str) -> int:
        """Append the user's question; commit before the request goes out."""
        now = self.clock()
        with self._transaction() as conn:
            position = self._next_position(conn, conversation_id)
            cursor = conn.execute(
                "INSERT INTO messages (conversation_id, position, role, text, created_at) "
                "VALUES (?, ?, 'user', ?, ?)",
                (conversation_id, position, codec.scrub_text(text), now),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            return int(cursor.lastrowid or 0)

    @_guarded
    def begin_answer(
        self,
        conversation_id: int,
        params: AnswerParams,
        *,
        question_id: int | None = None,
        started_at: float | None = None,
    ) -> int:
        """Add an empty assistant message with status ``streaming``; return its id (the answer
        id). ``question_id`` defaults to the conversation's latest user message. The
        conversation's settings become this answer's."""
        now = self.clock()
        with self._transaction() as conn:
            if question_id is None:
                row = conn.execute(
                    "SELECT id FROM messages WHERE conversation_id = ? AND role = 'user' "
                    "ORDER BY position DESC LIMIT 1",
                    (conversation_id,),
                ).fetchone()
                question_id = row[0] if row else None
            position = self._next_position(conn, conversation_id)
            cursor = conn.execute(
                "INSERT INTO messages (conversation_id, position, role, text, created_at) "
                "VALUES (?, ?, 'assistant', '', ?)",
                (conversation_id, position, now),
            )
            answer_id = int(cursor.lastrowid or 0)
            conn.execute(
                "INSERT INTO answers (message_id, conversation_id, question_id, status, model, "
                "base_url, system_prompt, preset, temperature, top_logprobs, max_tokens, seed, "
                "started_at, owner_pid, owner_host, checkpointed_at) "
                "VALUES (?, ?, ?, 'streaming', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    conversation_id,
                    question_id,
                    _clean(params.model),
                    _url(params.base_url),
                    _clean(params.system_prompt),
                    _clean(params.preset),
                    params.temperature,
                    params.top_logprobs,
                    params.max_tokens,
                    params.seed,
                    started_at if started_at is not None else now,
                    os.getpid(),
                    socket.gethostname(),
                    now,
                ),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ?, preset = ?, system_prompt = ?, "
                "model = ?, base_url = ? WHERE id = ?",
                (
                    now,
                    _clean(params.preset),
                    _clean(params.system_prompt),
                    _clean(params.model),
                    _url(params.base_url),
                    conversation_id,
                ),
            )
            return answer_id

    @_guarded
    def checkpoint_answer(self, delta: AnswerDelta) -> None:
        """Append the new rows as one part and rewrite the answer's text and small fields."""
        part = codec.encode_part(delta.tokens, delta.raw) if delta.tokens or delta.raw else None
        fields = self._delta_fields(delta)
        with self._transaction() as conn:
            self._write_delta(conn, delta, part, fields)

    @_guarded
    def finish_answer(self, delta: AnswerDelta, answer: Answer) -> None:
        """Write the last rows and the final answer: status, error, timings, metrics."""
        part = codec.encode_part(delta.tokens, delta.raw) if delta.tokens or delta.raw else None
        delta.text, delta.reasoning = answer.text, answer.reasoning
        delta.usage, delta.server_timings = answer.usage, answer.server_timings
        delta.finish_reason, delta.reported_model = answer.finish_reason, answer.model
        delta.notices = list(answer.notices)
        delta.metrics = answer.metrics
        fields = self._delta_fields(delta)
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
                codec.dump_json_text(reasoning_metrics.to_dict())
                if reasoning_metrics.tokens
                else None
            ),
            owner_pid=None,
            owner_host=None,
        )
        with self._transaction() as conn:
            self._write_delta(conn, delta, part, fields)
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = "
                "(SELECT conversation_id FROM answers WHERE message_id = ?)",
                (self.clock(), delta.answer_id),
            )

    @_guarded
    def save_answer(
        self,
        conversation_id: int,
        params: AnswerParams,
        answer: Answer,
        *,
        question_id: int | None = None,
    ) -> int:
        """Store a finished answer in one go (a non-streamed reply, a compare sample)."""
        answer.load_raw()
        answer_id = self.begin_answer(
            conversation_id, params, question_id=question_id, started_at=answer.started_at
        )
        delta = AnswerDelta(
            answer_id=answer_id,
            seq=0,
            first_index=0,
            tokens=list(answer.tokens),
            raw=list(answer.raw),
            token_total=len(answer.tokens),
            text=answer.text,
            reasoning=answer.reasoning,
        )
        self.finish_answer(delta, answer)
        return answer_id

    def _delta_fields(self, delta: AnswerDelta) -> dict[str, Any]:
        metrics = delta.metrics
        return {
            "token_count": delta.token_total,
            "usage": codec.dump_json_text(delta.usage),
            "server_timings": codec.dump_json_text(delta.server_timings),
            "finish_reason": _clean(delta.finish_reason),
            "reported_model": _clean(delta.reported_model),
            "notices": codec.dump_json_text([redact(n) for n in delta.notices])
            if delta.notices
            else None,
            "metrics": None if metrics is None else codec.dump_json_text(metrics.to_dict()),
            "mean_prob": None if metrics is None else metrics.mean_prob,
            "mean_logprob": None if metrics is None else metrics.mean_logprob,
            "checkpointed_at": self.clock(),
        }

    def _write_delta(
        self,
        conn: sqlite3.Connection,
        delta: AnswerDelta,
        part: tuple[bytes, bytes] | None,
        fields: dict[str, Any],
    ) -> None:
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

    @staticmethod
    def _next_position(conn: sqlite3.Connection, conversation_id: int) -> int:
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

    @_guarded
    def rename_conversation(self, conversation_id: int, title: str | None) -> None:
        """Set the title; an empty one goes back to showing the first question."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE conversations SET title = ? WHERE id = ?",
                (_clean((title or "").strip()) or None, conversation_id),
            )
        if cursor.rowcount == 0:
            raise StoreError(f"no conversation {conversation_id} in the history")

    @_guarded
    def delete_conversation(self, conversation_id: int) -> bool:
        """Delete a conversation with its messages, answers and tokens; False if unknown."""
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        return cursor.rowcount > 0

    # ------------------------------------------------------------------ reading

    @_guarded
    def last_conversation_id(self) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM conversations ORDER BY updated_at DESC, id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else int(row[0])

    @_guarded
    def list_conversations(
        self, *, query: str | None = None, limit: int = 500, offset: int = 0
    ) -> list[ConversationSummary]:
        """Newest first. ``query`` keeps conversations whose title or any message text
        contains it (case-insensitive for ASCII letters, as SQLite's LIKE)."""
        where = ""
        args: list[Any] = []
        if query and query.strip():
            pattern = "%" + _like_escape(query.strip()) + "%"
            where = (
                "WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                "WHERE m.conversation_id = c.id AND m.text LIKE ? ESCAPE '\\')"
            )
            args += [pattern, pattern]
        rows = self._conn.execute(
            "SELECT c.id, c.title, c.created_at, c.updated_at, c.preset, c.model, c.base_url, "
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
                first_question=row[7] or "",
                answers=row[8],
                mean_prob=row[9],
            )
            for row in rows
        ]

    def search(self, query: str, *, limit: int = 500) -> list[ConversationSummary]:
        """Conversations whose title or messages contain ``query`` (see list_conversations)."""
        return self.list_conversations(query=query, limit=limit)

    @_guarded
    def load_conversation(self, conversation_id: int, *, lazy: bool = False) -> Conversation:
        """The whole conversation, answers rebuilt as :class:`Answer` objects with tokens.

        ``lazy``: the raw rows stay unparsed bytes until ``Answer.load_raw`` (the TUI showing a
        conversation; see ``codec.RawParts``)."""
        conn = self._conn
        row = conn.execute(
            "SELECT id, title, created_at, updated_at, preset, system_prompt, model, base_url "
            "FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no conversation {conversation_id} in the history")
        conversation = Conversation(*row)
        with gc_pause.paused():
            answers = {
                a.id: a
                for a in (
                    self._answer_from_row(r, lazy=lazy) for r in self._answer_rows(conversation_id)
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

    _ANSWER_COLUMNS = (
        "message_id, question_id, status, error, model, base_url, system_prompt, preset, "
        "temperature, top_logprobs, max_tokens, seed, reported_model, finish_reason, usage, "
        "server_timings, notices, started_at, ttft, duration, tokens_per_second, "
        "low_prob_threshold, checkpointed_at"
    )

    def _answer_rows(self, conversation_id: int) -> list[tuple[Any, ...]]:
        return self._conn.execute(
            f"SELECT {self._ANSWER_COLUMNS} FROM answers WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchall()

    def _answer_from_row(self, row: tuple[Any, ...], *, lazy: bool = False) -> StoredAnswer:
        (answer_id, question_id, status, error, model, base_url, system_prompt, preset) = row[:8]
        (temperature, top_logprobs, max_tokens, seed, reported_model, finish_reason) = row[8:14]
        (usage, server_timings, notices, started_at, ttft, duration, tps) = row[14:21]
        (threshold, checkpointed_at) = row[21:23]
        pending = codec.RawParts() if lazy else None
        tokens, raw = self._load_parts(answer_id, pending)
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
        return StoredAnswer(answer_id, question_id, params, answer, checkpointed_at)

    def _load_parts(
        self, answer_id: int, pending: codec.RawParts | None = None
    ) -> tuple[list, list]:
        tokens: list = []
        raw: list = []
        for fmt, tokens_blob, raw_blob in self._conn.execute(
            "SELECT format, tokens, raw FROM answer_parts WHERE answer_id = ? ORDER BY seq",
            (answer_id,),
        ):
            if pending is not None:
                part_tokens, shared = codec.decode_tokens(fmt, tokens_blob, None)
                pending.add(bytes(raw_blob), len(tokens), shared)
            else:
                part_tokens, part_raw = codec.decode_part(fmt, tokens_blob, raw_blob)
                raw.extend(part_raw)
            tokens.extend(part_tokens)
        return tokens, raw

    @_guarded
    def stored_metrics(self, answer_id: int) -> Metrics | None:
        """The metrics written with the answer (live ones while it streams)."""
        row = self._conn.execute(
            "SELECT metrics FROM answers WHERE message_id = ?", (answer_id,)
        ).fetchone()
        data = codec.load_json(row[0]) if row else None
        return None if data is None else Metrics.from_dict(data)


def _copy_read_only(path: Path, target: sqlite3.Connection, busy_timeout: float) -> None:
    """Copy the database at ``path`` into ``target`` without writing to ``path``."""
    uri = path.resolve().as_uri()
    try:
        _copy(f"{uri}?mode=ro", target, busy_timeout)
    except sqlite3.Error as exc:
        if "locked" in str(exc).lower():
            raise  # someone is writing: an immutable read could see half-written pages
        # mode=ro still needs the WAL index (-shm); immutable=1 reads a file that nobody can
        # write, such as one in a read-only directory.
        _copy(f"{uri}?mode=ro&immutable=1", target, busy_timeout)


def _copy(uri: str, target: sqlite3.Connection, busy_timeout: float) -> None:
    source = sqlite3.connect(uri, uri=True, timeout=busy_timeout)
    try:
        source.backup(target, progress=_give_up_after(busy_timeout), sleep=0.02)
    finally:
        source.close()


def _give_up_after(seconds: float) -> Callable[[int, int, int], None]:
    """A backup progress callback that stops a copy kept waiting on a lock: sqlite3's
    ``backup`` otherwise retries a busy source forever, in C, where no signal reaches it."""
    deadline = time.monotonic() + seconds

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked")

    return progress


def _configure(conn: sqlite3.Connection, *, wal: bool) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    if wal:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot use WAL journal mode (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")


def _create_private(path: Path) -> None:
    """Create the data directory (0700) and an empty history file (0600) if missing, so the
    user's conversations are not world-readable whatever the umask."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it just now
            return
        os.close(fd)


def _clean(text: str | None) -> str | None:
    return None if text is None else codec.scrub_text(text)


def _url(url: str | None) -> str | None:
    """Base URLs are stored without user:password or query (where keys hide)."""
    return display_url(url) if url else None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
