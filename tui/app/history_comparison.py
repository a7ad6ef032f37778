"""One comparison (a scored answer) written into the history as it runs, through the history
link (:meth:`tui.app.history.HistoryLink.record_comparison`): created, each result as it
comes, its end."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from tui.app.history_chain import WriteChain
from tui.core.store import AsyncStore
from tui.core.store.moving import Moved


class ComparisonRecord:
    """One comparison being written: each call queues its write on the link's ``chain`` (in
    order with the chat's writes, never waiting; a store problem is one line in the chat),
    into the store ``store()`` gives when the write runs (the file's, once a session kept
    in memory has moved into it: :meth:`moved`)."""

    def __init__(
        self, chain: WriteChain, store: Callable[[], AsyncStore | None], fields: dict[str, Any]
    ) -> None:
        self._chain = chain
        self._store = store
        self._fields = fields
        self.id: int | None = None
        self.ended = False  # its last write is done: no id of it will be used again
        chain.then(self._create)

    def moved(self, moved: Moved) -> None:
        """The session moved into the file: the ids this comparison has, or is created
        with, become the file's (memory id → file id)."""
        if self.id is not None:
            self.id = moved.comparisons.get(self.id, self.id)
            return
        fields = self._fields
        for key, ids in (
            ("conversation_id", moved.conversations),
            ("source_answer_id", moved.messages),
        ):
            if fields.get(key) is not None:
                fields[key] = ids.get(fields[key], fields[key])

    async def _create(self) -> None:
        store = self._store()
        if store is not None:
            self.id = await store.create_comparison(**self._fields)

    def result(self, fields: dict[str, Any]) -> None:
        self._chain.then(partial(self._result, fields))

    async def _result(self, fields: dict[str, Any]) -> None:
        store = self._store()
        if store is not None and self.id is not None:
            await store.save_result(self.id, **fields)

    def finish(self, status: str) -> None:
        self._chain.then(partial(self._finish, status))

    async def _finish(self, status: str) -> None:
        self.ended = True
        store = self._store()
        if store is not None and self.id is not None:
            await store.finish_comparison(self.id, status)  # type: ignore[arg-type]
