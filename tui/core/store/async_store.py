"""The history store for async code (the TUI, ``ask``): every SQLite call runs on ONE
background thread, in submission order, so the event loop never waits on the disk and two
writes never interleave."""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from tui.core.answer import Answer
from tui.core.store.comparisons import (
    ComparisonStatus,
    ComparisonSummary,
    Kind,
    ResultValues,
    StoredComparison,
    StoredResult,
)
from tui.core.store.database import Store
from tui.core.store.models import AnswerParams, Conversation, ConversationSummary, Lineage
from tui.core.store.opening import DEFAULT_BUSY_TIMEOUT

P = ParamSpec("P")
R = TypeVar("R")


class AsyncStore:
    """``await``-able wrapper of a :class:`Store` living on its own thread.

    Build with ``await AsyncStore.open(path)`` (same fallbacks as :meth:`Store.open`: check
    :attr:`problem`) and ``await store.close()`` at the end. Any ``Store`` method or plain
    function of a ``Store`` can also run there with :meth:`call` / :meth:`submit`.
    """

    def __init__(self, store: Store, executor: ThreadPoolExecutor) -> None:
        self._store = store
        self._executor = executor
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> AsyncStore:
        return await cls._start(
            functools.partial(Store.open, path, busy_timeout=busy_timeout, clock=clock)
        )

    @classmethod
    async def connect(
        cls,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> AsyncStore:
        """The file at ``path`` or :class:`~tui.core.store.StoreError` (no fallback: see
        :meth:`Store.connect`)."""
        return await cls._start(
            functools.partial(Store.connect, path, busy_timeout=busy_timeout, clock=clock)
        )

    @classmethod
    async def memory(
        cls, *, problem: str | None = None, clock: Callable[[], float] = time.time
    ) -> AsyncStore:
        return await cls._start(functools.partial(Store.memory, problem=problem, clock=clock))

    @classmethod
    async def _start(cls, factory: Callable[[], Store]) -> AsyncStore:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-store")
        try:
            store = await asyncio.get_running_loop().run_in_executor(executor, factory)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(store, executor)

    # -- state (plain attributes, set once at open; safe to read from any thread)
    @property
    def problem(self) -> str | None:
        return self._store.problem

    @property
    def fault(self) -> str | None:
        """What is wrong with the file (``problem`` without the fallback's explanation)."""
        return self._store.fault

    @property
    def passing(self) -> bool:
        """Whether the fault that left this store in memory may pass (worth reopening)."""
        return self._store.passing

    @property
    def path(self) -> Path | None:
        return self._store.path

    @property
    def in_memory(self) -> bool:
        return self._store.in_memory

    @property
    def recovered(self) -> list[int]:
        return list(self._store.recovered)

    # -- running work on the store's thread
    def submit(
        self, fn: Callable[Concatenate[Store, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[R]:
        """Queue ``fn(store, *args, **kwargs)`` on the store's thread; don't wait for it."""
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(
            self._executor, functools.partial(fn, self._store, *args, **kwargs)
        )

    async def call(
        self, fn: Callable[Concatenate[Store, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run ``fn(store, *args, **kwargs)`` on the store's thread and wait for the result."""
        return await self.submit(fn, *args, **kwargs)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self.call(Store.close)
        finally:
            self._executor.shutdown(wait=False)

    # -- the Store's API, awaitable (see Store for what each does)
    async def create_conversation(self, **settings: Any) -> int:
        return await self.call(Store.create_conversation, **settings)

    async def add_user_message(self, conversation_id: int, text: str) -> int:
        return await self.call(Store.add_user_message, conversation_id, text)

    async def begin_answer(
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
        return await self.call(
            Store.begin_answer,
            conversation_id,
            params,
            question_id=question_id,
            started_at=started_at,
            lineage=lineage,
            prefill=prefill,
            prefill_tokens=prefill_tokens,
        )

    async def save_answer(
        self,
        conversation_id: int,
        params: AnswerParams,
        answer: Answer,
        *,
        question_id: int | None = None,
        lineage: Lineage | None = None,
    ) -> int:
        return await self.call(
            Store.save_answer,
            conversation_id,
            params,
            answer,
            question_id=question_id,
            lineage=lineage,
        )

    async def select_answer(self, answer_id: int) -> None:
        await self.call(Store.select_answer, answer_id)

    async def replace_tokens(self, answer_id: int, answer: Answer) -> None:
        await self.call(Store.replace_tokens, answer_id, answer)

    async def create_comparison(self, **fields: Any) -> int:
        return await self.call(Store.create_comparison, **fields)

    async def save_result(self, comparison_id: int, **fields: Any) -> None:
        await self.call(Store.save_result, comparison_id, **fields)

    async def finish_comparison(
        self, comparison_id: int, status: ComparisonStatus, error: str | None = None
    ) -> None:
        await self.call(Store.finish_comparison, comparison_id, status, error)

    async def load_comparison(
        self, comparison_id: int, *, results: bool = True
    ) -> StoredComparison:
        return await self.call(Store.load_comparison, comparison_id, results=results)

    async def list_comparisons(
        self, *, kind: Kind | None = None, limit: int = 500
    ) -> list[ComparisonSummary]:
        return await self.call(Store.list_comparisons, kind=kind, limit=limit)

    async def comparison_results(
        self, comparison_id: int, question: int | None = None
    ) -> list[StoredResult]:
        return await self.call(Store.comparison_results, comparison_id, question)

    async def comparison_values(self, comparison_id: int) -> list[ResultValues]:
        return await self.call(Store.comparison_values, comparison_id)

    async def comparison_done(self, comparison_id: int) -> set[tuple[int, int, int]]:
        return await self.call(Store.comparison_done, comparison_id)

    async def reopen_comparison(self, comparison_id: int) -> None:
        await self.call(Store.reopen_comparison, comparison_id)

    async def list_conversations(
        self, *, query: str | None = None, limit: int = 500, offset: int = 0
    ) -> list[ConversationSummary]:
        return await self.call(Store.list_conversations, query=query, limit=limit, offset=offset)

    async def search(self, query: str, *, limit: int = 500) -> list[ConversationSummary]:
        return await self.call(Store.search, query, limit=limit)

    async def load_conversation(self, conversation_id: int, *, lazy: bool = False) -> Conversation:
        return await self.call(Store.load_conversation, conversation_id, lazy=lazy)

    async def rename_conversation(self, conversation_id: int, title: str | None) -> None:
        await self.call(Store.rename_conversation, conversation_id, title)

    async def delete_conversation(self, conversation_id: int) -> bool:
        return await self.call(Store.delete_conversation, conversation_id)

    async def recent_questions(self) -> list[str]:
        return await self.call(Store.recent_questions)

    async def recent_system_prompts(self) -> list[str]:
        return await self.call(Store.recent_system_prompts)

    async def last_conversation_id(self, source: str | None = None) -> int | None:
        return await self.call(Store.last_conversation_id, source)

    async def hold(self, conversation_id: int) -> bool:
        return await self.call(Store.hold, conversation_id)

    async def let_go(self, conversation_id: int) -> None:
        await self.call(Store.let_go, conversation_id)

    async def held_elsewhere(self, conversation_id: int) -> bool:
        return await self.call(Store.held_elsewhere, conversation_id)
