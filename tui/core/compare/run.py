"""Run a comparison: every (prompt, sample) request through one :class:`ChatClient`, at most
``plan.concurrency`` at once, each collected into an :class:`Answer` by an ``AnswerBuilder``.

A failed request is recorded on its sample (status ``error``, the one-line message, any
partial answer) and the others go on. On llama.cpp, each answer then gets the tokens the
server hid measured (:mod:`tui.core.recovery`, one slot, inside the concurrency bound), so
its numbers cover every token; ``recover=False`` keeps the rows as sent.

Cancelling the task that runs :meth:`Comparison.run` cancels every request still in flight
or waiting (their HTTP streams are closed) and marks those samples ``cancelled``; what
finished is kept and :meth:`Comparison.result` still aggregates it.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator

from tui.core.answer import Answer, AnswerBuilder
from tui.core.compare.aggregate import CompareResult, aggregate
from tui.core.compare.plan import ComparePlan, PromptSpec
from tui.core.compare.samples import Sample, SampleCallback, sample_values
from tui.core.errors import LogprobChatError, one_line
from tui.core.recovery import recover, recovery_candidate
from tui.core.wire.client import ChatClient, ChatRequest
from tui.core.wire.llamacpp import LlamaCppServer


class Comparison:
    """A comparison ready to run against one server and model.

    ``samples`` holds every sample in plan order (prompt by prompt), updated as requests
    finish, so a screen can read it at any time; :meth:`result` aggregates what is done.
    """

    def __init__(
        self,
        client: ChatClient,
        plan: ComparePlan,
        model: str,
        *,
        recover: bool = True,
        native: LlamaCppServer | None = None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.model = model
        self.recover = recover
        # Shared by the samples' recoveries; one given by the caller (a question set shares
        # one across its questions) is the caller's to close.
        self._native: LlamaCppServer | None = native
        self._owns_native = native is None
        self.samples: list[Sample] = [
            Sample(k, prompt.label, i, plan.seed_for(i))
            for k, prompt in enumerate(plan.prompts)
            for i in range(plan.samples)
        ]
        self._started = False

    def sample(self, prompt_index: int, index: int) -> Sample:
        return self.samples[prompt_index * self.plan.samples + index]

    @property
    def finished(self) -> int:
        return sum(1 for s in self.samples if s.finished)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.samples if s.status == "error")

    async def run(self, on_sample: SampleCallback | None = None) -> CompareResult:
        """Send every request (bounded by ``plan.concurrency``) and return the aggregates.

        ``on_sample`` (plain or async) is called with each sample as it finishes, ok or not,
        outside the concurrency bound. An exception it raises stops the run and propagates.
        Cancel the calling task to stop: requests in flight are cancelled (connections
        closed) before the cancellation propagates, and unfinished samples become
        ``cancelled``. A comparison runs once.
        """
        if self._started:
            raise RuntimeError("a Comparison runs once; make a new one to run again")
        self._started = True
        gate = asyncio.Semaphore(self.plan.concurrency)
        tasks = [
            asyncio.create_task(self._one(gate, self.sample(k, i), on_sample))
            for k, i in self.plan.order()
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            # Wait for every request to unwind (its stream closed) before returning or
            # propagating: nothing is left running behind the caller's back.
            await asyncio.gather(*tasks, return_exceptions=True)
            for sample in self.samples:
                if not sample.finished:
                    sample.status = "cancelled"
            if self._native is not None and self._owns_native:
                await self._native.aclose()
        return self.result()

    async def iter_samples(self) -> AsyncIterator[Sample]:
        """Run, yielding each sample as it finishes. Leaving the loop early (``break``, an
        exception, cancellation) cancels the rest, once the generator is closed: use
        ``contextlib.aclosing`` to close it at once."""
        queue: asyncio.Queue[Sample | None] = asyncio.Queue()
        runner = asyncio.create_task(self.run(on_sample=queue.put_nowait))
        runner.add_done_callback(lambda _: queue.put_nowait(None))
        try:
            while (sample := await queue.get()) is not None:
                yield sample
            await runner  # re-raise what stopped the run, if anything
        finally:
            if not runner.done():
                runner.cancel()
                await asyncio.wait([runner])  # unlike `await runner`, never raises

    def result(self) -> CompareResult:
        """Aggregates of the samples finished so far (callable at any time, e.g. after each
        sample for a live table, or after a cancelled run)."""
        return aggregate(self.plan, self.model, self.samples)

    async def _one(
        self, gate: asyncio.Semaphore, sample: Sample, on_sample: SampleCallback | None
    ) -> None:
        async with gate:
            await self.request(sample)
        if on_sample is not None:
            outcome = on_sample(sample)
            if inspect.isawaitable(outcome):
                await outcome

    async def request(self, sample: Sample) -> None:
        """Send ``sample``'s request and fill the sample in (ok, error, or cancelled when the
        calling task is cancelled, which propagates). No concurrency bound: the caller's
        (:meth:`run`'s, or a question set's across its questions)."""
        plan = self.plan
        prompt: PromptSpec = plan.prompts[sample.prompt_index]
        messages = plan.messages_for(prompt)
        request = ChatRequest(
            messages,
            self.model,
            plan.sampling_for(sample.index),
            stream=plan.stream,
        )
        builder = AnswerBuilder(threshold=plan.threshold)
        sample.status = "running"
        try:
            async for event in self.client.chat(request):
                builder.apply(event)
        except asyncio.CancelledError:
            sample.answer = builder.finish("stopped")
            sample.status = "cancelled"
            raise
        except LogprobChatError as exc:
            self._failed(sample, builder, str(exc))
        except Exception as exc:  # a bug must cost one sample, not the whole run
            self._failed(sample, builder, one_line(f"internal error ({type(exc).__name__}): {exc}"))
        else:
            sample.answer = builder.finish("complete")
            sample.values = sample_values(sample.answer)
            sample.status = "ok"
            if self.recover and recovery_candidate(sample.answer):
                # Cancelled meanwhile: the sample stays ok, as it came.
                sample.answer = await self._recovered(sample.answer, messages)
                sample.values = sample_values(sample.answer)

    async def _recovered(self, answer: Answer, messages: list[dict[str, str]]) -> Answer:
        if self._native is None:
            self._native = LlamaCppServer(self.client.connection)
        try:
            return (
                await recover(answer, messages, self.client.connection, server=self._native)
            ).answer
        except Exception as exc:  # a bug must cost the recovery, not the sample
            answer.notices.append(one_line(f"hidden tokens not recovered: {exc}"))
            return answer

    @staticmethod
    def _failed(sample: Sample, builder: AnswerBuilder, message: str) -> None:
        sample.answer = builder.finish("error", message)
        sample.error = message
        sample.status = "error"
