"""Keep a running question set in the history as it goes, and take a stored one back to
carry it on (:class:`SetKeeper`, over an :class:`~tui.core.store.AsyncStore`).

A problem with the history file never stops a run: it becomes a note (``on_note``) and the
run goes on unsaved; the results are still shown and exported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tui.core.sets.history import comparison_fields, plan_of, result_fields, results_of, to_resume
from tui.core.sets.plan import SetPlan
from tui.core.sets.results import SetResult
from tui.core.store import AsyncStore, StoreError
from tui.core.store.comparisons import StoredComparison

NoteCallback = Callable[[str], object]


@dataclass(frozen=True, slots=True)
class Resumed:
    """A stored set taken back: its plan, the results to keep, the stored comparison."""

    plan: SetPlan
    done: list[SetResult]
    stored: StoredComparison

    @property
    def model(self) -> str | None:
        return self.stored.model

    @property
    def complete(self) -> bool:
        """Every request done and none failed: nothing left to ask."""
        return len(self.done) == self.plan.total and all(r.ok for r in self.done)


class SetKeeper:
    """Writes one set's results as they finish (see the module docstring)."""

    def __init__(
        self, store: AsyncStore | None, comparison_id: int | None, on_note: NoteCallback
    ) -> None:
        self.store = store
        self.comparison_id = comparison_id
        self.on_note = on_note

    @classmethod
    async def create(
        cls,
        store: AsyncStore | None,
        plan: SetPlan,
        *,
        model: str | None,
        base_url: str | None,
        on_note: NoteCallback,
    ) -> SetKeeper:
        if store is None:
            return cls(None, None, on_note)
        try:
            fields = comparison_fields(plan, model=model, base_url=base_url)
            return cls(store, await store.create_comparison(**fields), on_note)
        except StoreError as exc:
            on_note(f"not kept in the history: {exc}")
            return cls(store, None, on_note)

    @staticmethod
    async def load(
        store: AsyncStore, comparison_id: int, *, concurrency: int | None = None
    ) -> Resumed:
        """A stored set with its results (numbers only, no tokens); raises StoreError and
        ConfigError (not a set)."""
        stored = await store.load_comparison(comparison_id, results=False)
        plan = plan_of(stored, concurrency=concurrency)
        done = results_of(await store.comparison_values(comparison_id))
        return Resumed(plan, done, stored)

    @classmethod
    async def resume(
        cls,
        store: AsyncStore,
        comparison_id: int,
        done: Iterable[SetResult],
        on_note: NoteCallback,
    ) -> tuple[SetKeeper, list[SetResult]]:
        """Take the comparison back (StoreError when another live process runs it); the
        results of ``done`` the run keeps (failed requests are asked again)."""
        await store.reopen_comparison(comparison_id)
        return cls(store, comparison_id, on_note), to_resume(done)

    async def save(self, result: SetResult) -> None:
        if self.store is None or self.comparison_id is None:
            return
        try:
            await self.store.save_result(self.comparison_id, **result_fields(result))
        except StoreError as exc:
            self.on_note(f"a result was not kept in the history: {exc}")

    async def finish(self, complete: bool) -> None:
        if self.store is None or self.comparison_id is None:
            return
        try:
            await self.store.finish_comparison(
                self.comparison_id, "complete" if complete else "stopped"
            )
        except StoreError as exc:
            self.on_note(str(exc))
