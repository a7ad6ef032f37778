"""The history store: conversations, messages and answers in one SQLite file.

``Store`` is synchronous and bound to the thread that opened it (sqlite3's own check): the
command line uses it directly, the TUI through :class:`tui.core.store.AsyncStore`, which runs
every call on one background thread. Its seams are modules of their own: opening the file
(:mod:`~tui.core.store.opening`), writing (:mod:`~tui.core.store.writes`) and reading
(:mod:`~tui.core.store.reads`); this class ties them to one connection and turns every sqlite3
or OS error into a one-line :class:`StoreError`.

``open`` never raises for a bad file: a locked or read-only file is shown read-only (copied
into memory) and a damaged or newer file leaves an empty in-memory store; either way
``problem`` holds one line for the user and the program goes on, saving to memory.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from tui.core.answer import Answer
from tui.core.metrics import Metrics
from tui.core.store import comparisons, reads, writes
from tui.core.store.comparisons import ComparisonSummary, StoredComparison
from tui.core.store.leases import Leases
from tui.core.store.models import (
    AnswerDelta,
    AnswerParams,
    Conversation,
    ConversationSummary,
    Lineage,
)
from tui.core.store.opening import (
    DEFAULT_BUSY_TIMEOUT,
    SNAPSHOT_LIMIT,
    configure,
    connect_file,
    connect_memory,
    copy_read_only,
    history_path,
)
from tui.core.store.problems import StoreError, describe, is_damage, may_pass
from tui.core.store.schema import NewerSchemaError, migrate

P = ParamSpec("P")
R = TypeVar("R")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn sqlite3 and OS errors into a one-line :class:`StoreError`."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            store = args[0]
            message = describe(exc, store.path)  # type: ignore[attr-defined]
            raise StoreError(message, passing=may_pass(exc)) from exc

    return wrapper


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
        # Whether the fault may pass (a lock, a full disk, permissions) so opening the file
        # again later is worth trying; not for a damaged or newer file.
        self.passing = False
        self.clock = clock
        self.recovered: list[int] = []  # answers found streaming at open, now incomplete
        self.leases: Leases | None = None  # conversations this process holds (a file only)

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
                    store.passing = True
                    return store
            store = cls.memory(problem=f"{exc}; this session is kept in memory only", clock=clock)
            store.fault = str(exc)
            store.passing = cause is not None and not (
                is_damage(cause) or isinstance(cause, NewerSchemaError)
            )
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
            conn = connect_file(target, busy_timeout)
            migrate(conn)
            store = cls(conn, target, clock=clock)
            store.recovered = writes.recover_streaming(conn)
            store.leases = Leases(target)
            return store
        except (sqlite3.Error, OSError, NewerSchemaError) as exc:
            if conn is not None:
                conn.close()
            raise StoreError(describe(exc, target)) from exc

    @classmethod
    def memory(cls, *, problem: str | None = None, clock: Callable[[], float] = time.time) -> Store:
        """An empty store in memory (tests, ``--no-save`` surfaces, the fallback)."""
        conn = connect_memory()
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
            copy_read_only(path, memory, busy_timeout)
        except sqlite3.Error:
            memory.close()
            raise
        configure(memory, wal=False)
        try:
            migrate(memory)
        except NewerSchemaError as exc:
            memory.close()
            raise StoreError(describe(exc, path)) from exc
        store = cls(memory, None, problem=problem, clock=clock)
        store.recovered = writes.recover_streaming(memory)
        return store

    @property
    def in_memory(self) -> bool:
        return self.path is None

    def close(self) -> None:
        if self.leases is not None:
            self.leases.close()
        with suppress(sqlite3.Error):
            self._conn.close()

    # ------------------------------------------------------------------ leases

    def hold(self, conversation_id: int) -> bool:
        """Hold the conversation for this process while it carries it on; False when another
        running process holds it (see :mod:`~tui.core.store.leases`). Always True in memory."""
        return self.leases is None or self.leases.take(conversation_id)

    def let_go(self, conversation_id: int) -> None:
        if self.leases is not None:
            self.leases.release(conversation_id)

    def held_elsewhere(self, conversation_id: int) -> bool:
        """Whether another running process holds the conversation."""
        return self.leases is not None and not self.leases.free(conversation_id)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        source: str = "chat",
    ) -> int:
        """``source``: ``chat`` (the default) or ``ask``, which the chat never reopens."""
        return writes.create_conversation(
            self._conn,
            self.clock(),
            title=title,
            preset=preset,
            system_prompt=system_prompt,
            model=model,
            base_url=base_url,
            source=source,
        )

    @_guarded
    def add_user_message(self, conversation_id: int, text: str) -> int:
        """Append the user's question; commit before the request goes out."""
        return writes.add_user_message(self._conn, self.clock(), conversation_id, text)

    @_guarded
    def begin_answer(
        self,
        conversation_id: int,
        params: AnswerParams,
        *,
        question_id: int | None = None,
        started_at: float | None = None,
        lineage: Lineage | None = None,
        prefill: str | None = None,
        prefill_tokens: int = 0,
    ) -> int:
        """Add an empty assistant message with status ``streaming``; return its id (see
        :func:`writes.begin_answer`: ``lineage`` places it among its siblings, ``prefill``
        is a continued answer's given start)."""
        return writes.begin_answer(
            self._conn,
            self.clock(),
            conversation_id,
            params,
            question_id=question_id,
            started_at=started_at,
            lineage=lineage,
            prefill=prefill,
            prefill_tokens=prefill_tokens,
        )

    @_guarded
    def checkpoint_answer(self, delta: AnswerDelta) -> None:
        """Append the new rows as one part and rewrite the answer's text and small fields."""
        writes.checkpoint_answer(self._conn, self.clock(), delta)

    @_guarded
    def finish_answer(
        self, delta: AnswerDelta, answer: Answer, *, extra_notices: Sequence[str] = ()
    ) -> None:
        """Write the last rows and the final answer: status, error, timings, metrics;
        ``extra_notices`` are stored after the answer's own (what was not saved)."""
        writes.finish_answer(self._conn, self.clock(), delta, answer, extra_notices=extra_notices)

    @_guarded
    def replace_tokens(self, answer_id: int, answer: Answer) -> None:
        """Rewrite a finished answer's tokens, metrics and notices (after recovery)."""
        answer.load_raw()
        writes.replace_tokens(self._conn, self.clock(), answer_id, answer)

    @_guarded
    def save_answer(
        self,
        conversation_id: int,
        params: AnswerParams,
        answer: Answer,
        *,
        question_id: int | None = None,
        lineage: Lineage | None = None,
    ) -> int:
        """Store a finished answer in one go (a non-streamed reply, a compare sample)."""
        answer.load_raw()
        answer_id = self.begin_answer(
            conversation_id,
            params,
            question_id=question_id,
            started_at=answer.started_at,
            lineage=lineage,
            prefill=answer.prefill,
            prefill_tokens=answer.prefill_tokens,
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

    @_guarded
    def select_answer(self, answer_id: int) -> None:
        """Make the answer the selected one of its siblings: the conversation's path goes
        through it when it is reopened."""
        if not writes.select_answer(self._conn, self.clock(), answer_id):
            raise StoreError(f"no answer {answer_id} in the history")

    @_guarded
    def rename_conversation(self, conversation_id: int, title: str | None) -> None:
        """Set the title; an empty one goes back to showing the first question."""
        if not writes.rename_conversation(self._conn, conversation_id, title):
            raise StoreError(f"no conversation {conversation_id} in the history")

    @_guarded
    def delete_conversation(self, conversation_id: int) -> bool:
        """Delete a conversation with its messages, answers and tokens; False if unknown."""
        return writes.delete_conversation(self._conn, conversation_id)

    # ------------------------------------------------------------------ reading

    @_guarded
    def recent_questions(self, limit: int = 200) -> list[str]:
        """Distinct questions, the latest ``limit``, oldest first (↑ in the input)."""
        return reads.recent_questions(self._conn, limit)

    @_guarded
    def recent_system_prompts(self, limit: int = 100) -> list[str]:
        """Distinct system prompts answers were asked with, oldest first (↑ in F2)."""
        return reads.recent_system_prompts(self._conn, limit)

    @_guarded
    def last_conversation_id(self, source: str | None = None) -> int | None:
        """The conversation updated last; ``source`` ``chat`` or ``ask``: of those only."""
        return reads.last_conversation_id(self._conn, source)

    @_guarded
    def list_conversations(
        self, *, query: str | None = None, limit: int = 500, offset: int = 0
    ) -> list[ConversationSummary]:
        """Newest first; ``query`` filters by title and message text (see
        :func:`reads.list_conversations`)."""
        return reads.list_conversations(self._conn, query=query, limit=limit, offset=offset)

    def search(self, query: str, *, limit: int = 500) -> list[ConversationSummary]:
        """Conversations whose title or messages contain ``query`` (see list_conversations)."""
        return self.list_conversations(query=query, limit=limit)

    @_guarded
    def load_conversation(self, conversation_id: int, *, lazy: bool = False) -> Conversation:
        """The whole conversation, answers rebuilt as :class:`Answer` objects with tokens.

        ``lazy``: the raw rows stay unparsed bytes until ``Answer.load_raw`` (the TUI showing a
        conversation; see ``codec.RawParts``)."""
        conversation = reads.load_conversation(self._conn, conversation_id, lazy=lazy)
        if conversation is None:
            raise StoreError(f"no conversation {conversation_id} in the history")
        return conversation

    @_guarded
    def stored_metrics(self, answer_id: int) -> Metrics | None:
        """The metrics written with the answer (live ones while it streams)."""
        return reads.stored_metrics(self._conn, answer_id)

    # ------------------------------------------------------------------ comparisons

    @_guarded
    def create_comparison(self, **fields: Any) -> int:
        """A new comparison, ``running`` (see :func:`comparisons.create` for the fields)."""
        return comparisons.create(self._conn, self.clock(), **fields)

    @_guarded
    def save_result(self, comparison_id: int, **fields: Any) -> None:
        """One result of a comparison (see :func:`comparisons.save_result`)."""
        comparisons.save_result(self._conn, self.clock(), comparison_id, **fields)

    @_guarded
    def finish_comparison(
        self, comparison_id: int, status: comparisons.ComparisonStatus, error: str | None = None
    ) -> None:
        comparisons.finish(self._conn, self.clock(), comparison_id, status, error)

    @_guarded
    def comparison_done(self, comparison_id: int) -> set[tuple[int, int, int]]:
        """(prompt, question, sample) of its results already there with status ``ok``."""
        return comparisons.done_keys(self._conn, comparison_id)

    @_guarded
    def list_comparisons(
        self, *, kind: comparisons.Kind | None = None, limit: int = 500
    ) -> list[ComparisonSummary]:
        return comparisons.list_summaries(self._conn, kind=kind, limit=limit)

    @_guarded
    def load_comparison(self, comparison_id: int, *, results: bool = True) -> StoredComparison:
        stored = comparisons.load(self._conn, comparison_id, results=results)
        if stored is None:
            raise StoreError(f"no comparison {comparison_id} in the history")
        return stored

    @_guarded
    def comparison_results(
        self, comparison_id: int, question: int | None = None
    ) -> list[comparisons.StoredResult]:
        """Its results with answers and tokens (one question's, or all)."""
        return comparisons.load_results(self._conn, comparison_id, question)

    @_guarded
    def comparison_values(self, comparison_id: int) -> list[comparisons.ResultValues]:
        """Its results' numbers and texts, without tokens (see :func:`comparisons.load_values`)."""
        return comparisons.load_values(self._conn, comparison_id)

    @_guarded
    def reopen_comparison(self, comparison_id: int) -> None:
        """Carry a stopped or interrupted comparison on in this process (StoreError when
        another live process runs it)."""
        try:
            comparisons.reopen(self._conn, self.clock(), comparison_id)
        except comparisons.ComparisonBusy as exc:
            raise StoreError(str(exc)) from None

    @_guarded
    def delete_comparison(self, comparison_id: int) -> bool:
        return comparisons.delete(self._conn, comparison_id)
