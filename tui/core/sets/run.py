"""Run a question set: every (prompt, question, sample) request through one
:class:`ChatClient`, at most ``plan.concurrency`` at once across the whole set.

Each request is the one-question machinery's own: a sampled answer is
:meth:`Comparison.request <tui.core.compare.run.Comparison.request>` (recovery of llama.cpp's
hidden rows included), a score is :meth:`ScoreRun.score_entry
<tui.core.score.run.ScoreRun.score_entry>`. ``concurrency`` workers pull requests in the
plan's order (:meth:`SetPlan.keys`), so memory holds the requests in flight, not the
whole set: 3 prompts × 200 questions × 5 samples never makes 3000 tasks.

``done`` results (a resumed run's, from the history) are kept and never asked again.
Cancelling the task that runs :meth:`SetRun.run` cancels the requests in flight (their
connections closed) and returns nothing more: what finished is in ``results``, each already
handed to ``on_result`` (where the caller stores it), so a resumed run carries on from there.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

from tui.core.compare.run import Comparison
from tui.core.compare.samples import Sample
from tui.core.score.run import ScoreEntry, ScoreRun
from tui.core.score.scorer import Scorer
from tui.core.sets.plan import Key, SetPlan
from tui.core.sets.progress import SetProgress, progress
from tui.core.sets.results import SetResult, result_values
from tui.core.wire.client import ChatClient
from tui.core.wire.llamacpp import LlamaCppServer

ResultCallback = Callable[[SetResult], Awaitable[object] | object]
ProgressCallback = Callable[[SetProgress], object]


class SetRun:
    """A question set ready to run against one server and model (runs once).

    ``results`` maps each finished request's key to its :class:`SetResult`; ``keep_answers``
    keeps each result's :class:`~tui.core.answer.Answer` (tokens and all) in memory, else
    only its text and values stay once ``on_result`` has had it."""

    def __init__(
        self,
        client: ChatClient,
        plan: SetPlan,
        model: str,
        *,
        done: Iterable[SetResult] = (),
        recover: bool = True,
        keep_answers: bool = False,
        scorer: Scorer | None = None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.model = model
        self.recover = recover
        self.keep_answers = keep_answers
        self.results: dict[Key, SetResult] = {r.key: r for r in done}
        self.resumed = len(self.results)
        self.method: str | None = None
        self._scorer = scorer
        self._owns_scorer = scorer is None
        self._native: LlamaCppServer | None = None
        self._comparisons: dict[int, Comparison] = {}
        self._scores: dict[int, ScoreRun] = {}
        self._started = False
        self._start_time = 0.0

    @property
    def done(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results.values() if not r.ok)

    def progress(self) -> SetProgress:
        elapsed = time.monotonic() - self._start_time if self._started else 0.0
        return progress(self.done, self.plan.total, self.failed, self.resumed, elapsed)

    async def run(
        self,
        on_result: ResultCallback | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> dict[Key, SetResult]:
        """Send every request not yet done and return ``results``.

        ``on_result`` (plain or async) gets each result as it finishes, outside the
        concurrency bound and before the next request of that worker; an exception it raises
        stops the run. ``on_progress`` gets a :class:`SetProgress` after each result. In
        score mode a server that cannot score raises
        :class:`~tui.core.score.result.ScoreUnsupported` before any request."""
        if self._started:
            raise RuntimeError("a SetRun runs once; make a new one to run again")
        self._started = True
        self._start_time = time.monotonic()
        try:
            await self.prepare()
        except BaseException:
            await self.aclose()
            raise
        keys: Iterator[Key] = self.plan.keys(skip=set(self.results))
        workers = [
            asyncio.create_task(self._worker(keys, on_result, on_progress))
            for _ in range(self.plan.concurrency)
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await self.aclose()
        return self.results

    async def prepare(self) -> None:
        """In score mode, find how this server scores (once): raises
        :class:`~tui.core.score.result.ScoreUnsupported` (one line) when it cannot, so a
        caller can say so before keeping anything. :meth:`run` calls it too."""
        if self.plan.mode == "score" and self.method is None:
            if self._scorer is None:
                self._scorer = Scorer(self.client.connection, model=self.model)
            self.method = await self._scorer.method()

    async def aclose(self) -> None:
        """Close what the run opened (the native client, its own scorer); :meth:`run` does
        it when it ends, a caller that never runs it after :meth:`prepare` calls it. Closing
        twice is harmless."""
        native, self._native = self._native, None
        if native is not None:
            await native.aclose()
        if self._scorer is not None and self._owns_scorer:
            await self._scorer.aclose()  # (a Scorer closes its server once)

    async def _worker(
        self,
        keys: Iterator[Key],
        on_result: ResultCallback | None,
        on_progress: ProgressCallback | None,
    ) -> None:
        # Workers share one iterator: each next() hands out the next request in plan order
        # (no awaits inside next(), so two workers never get the same key).
        for key in keys:
            result = await self._one(key)
            self.results[key] = result
            if on_result is not None:
                outcome = on_result(result)
                if inspect.isawaitable(outcome):
                    await outcome
            if not self.keep_answers:
                result.answer = None
            if on_progress is not None:
                on_progress(self.progress())

    async def _one(self, key: Key) -> SetResult:
        k, j, i = key
        if self.plan.mode == "score":
            return await self._score(k, j)
        return await self._sample(k, j, i)

    async def _sample(self, k: int, j: int, i: int) -> SetResult:
        comparison = self._comparisons.get(j)
        if comparison is None:
            if self.recover and self._native is None:
                self._native = LlamaCppServer(self.client.connection)
            comparison = Comparison(
                self.client,
                self.plan.compare_plan(j),
                self.model,
                recover=self.recover,
                native=self._native,
            )
            self._comparisons = _recent(self._comparisons, j, comparison)
        sample: Sample = comparison.sample(k, i)
        await comparison.request(sample)
        answer = sample.answer
        sample.answer = None  # the result holds it now
        return SetResult(
            k,
            j,
            i,
            "ok" if sample.ok else "error",
            result_values(answer if sample.ok else None),
            answer.text if answer else "",
            sample.error,
            sample.seed,
            None,
            answer if sample.ok else None,
        )

    async def _score(self, k: int, j: int) -> SetResult:
        score_run = self._scores.get(j)
        if score_run is None:
            assert self._scorer is not None
            score_run = ScoreRun(self._scorer, self.plan.score_plan(j))
            self._scores = _recent(self._scores, j, score_run)
        entry: ScoreEntry = score_run.entries[k]
        await score_run.score_entry(entry, replicate=False)
        score = entry.score
        entry.score = None
        answer = score.answer if score else None
        return SetResult(
            k,
            j,
            0,
            "ok" if entry.ok else "error",
            result_values(answer if entry.ok else None),
            self.plan.questions[j].answer or "",
            entry.error,
            None,
            score.method if score else self.method,
            answer if entry.ok else None,
        )


def _recent(by_question: dict[int, Any], question: int, value: Any) -> dict[int, Any]:
    """``by_question`` with ``value`` added for ``question`` and questions long finished
    dropped: workers move through the questions in order, so only the last few are in
    use (memory stays bounded on a large set)."""
    kept = {j: v for j, v in by_question.items() if j > question - _KEPT_QUESTIONS}
    kept[question] = value
    return kept


_KEPT_QUESTIONS = 8
