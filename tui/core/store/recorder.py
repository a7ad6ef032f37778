"""Keep a streaming answer in the history while it arrives: begin → checkpoints → finish.

The same logic serves ``ask`` and the TUI::

    question_id = await store.add_user_message(conversation_id, text)  # before the request
    builder = AnswerBuilder()
    recorder = await Recorder.begin(store, builder, conversation_id, params)
    async with recorder:                      # a ticker checkpoints during silent stretches
        async for event in client.chat(request):
            builder.apply(event)
            recorder.maybe_checkpoint()       # cheap: a clock read unless one is due
        answer = await recorder.finish("complete")
    # leaving the block without finish(): "stopped" if cancelled, else "error"

Cost is bounded: at most one checkpoint per ``interval`` seconds (default 1 s), at most one in
flight, and each writes only the rows that arrived since the last one (one stored part) plus
the text so far. Taking a checkpoint on the caller's thread copies list slices; encoding and
SQL run on the store's thread. At most ``interval`` seconds of a stream are lost to a crash.

A failing write never stops the stream: :attr:`problem` gets its one-line message, the rows
stay pending, and the next checkpoint (or the finish) sends them again. A final write that
fails (a full disk) keeps what fits: the answer's text, status and numbers, with a stored
notice of the rows it lacks (:attr:`saved`, :attr:`unsaved`); :meth:`retry` writes the rest
once there is room.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, Literal

from tui.core import scrub
from tui.core.answer import Answer, AnswerBuilder, Status
from tui.core.errors import LogprobChatError
from tui.core.store.async_store import AsyncStore
from tui.core.store.database import Store
from tui.core.store.models import AnswerDelta, AnswerParams, Lineage

CHECKPOINT_INTERVAL = 1.0
"""Seconds between checkpoints of a streaming answer: the most a crash can lose."""

_EMPTY = (0, 0, 0, 0, False, False, None, None, 0)  # Recorder._signature() of a new answer


class Recorder:
    """See the module docstring."""

    def __init__(
        self,
        store: AsyncStore,
        builder: AnswerBuilder,
        answer_id: int,
        *,
        interval: float = CHECKPOINT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.builder = builder
        self.answer_id = answer_id
        self.interval = interval
        self._clock = clock
        self._last = clock()
        # What the store confirmed it holds: rows and raw rows written, parts written, and a
        # signature of the small fields (to skip a checkpoint when nothing changed).
        self._saved_tokens = 0
        self._saved_raw = 0
        self._seq = 0
        self._saved_signature: tuple[Any, ...] = _EMPTY  # what begin_answer wrote
        self._writing: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.finished = False
        self.checkpoints = 0  # confirmed checkpoint writes
        self.problem: str | None = None
        self.final: Answer | None = None  # the finished answer handed to write_final
        # What the final write left in the file: everything, all but some token rows
        # (unsaved_rows of them: the disk was full), or nothing of the final answer.
        self.saved: Literal["all", "part", "none"] | None = None
        self.unsaved_rows = 0
        self.passing = False  # the final write failed for a reason that may pass (disk full)

    @classmethod
    async def begin(
        cls,
        store: AsyncStore,
        builder: AnswerBuilder,
        conversation_id: int,
        params: AnswerParams,
        *,
        question_id: int | None = None,
        lineage: Lineage | None = None,
        interval: float = CHECKPOINT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> Recorder:
        """Write the answer (status ``streaming``) and return its recorder. Raises
        :class:`~tui.core.store.StoreError` when even that cannot be written. ``lineage``:
        where the answer sits among its siblings; a continued answer's given start (the
        builder's prefill) is written with it."""
        answer = builder.answer
        answer_id = await store.begin_answer(
            conversation_id,
            params,
            question_id=question_id,
            started_at=answer.started_at,
            lineage=lineage,
            prefill=answer.prefill,
            prefill_tokens=answer.prefill_tokens,
        )
        return cls(store, builder, answer_id, interval=interval, clock=clock)

    # ------------------------------------------------------------------ checkpoints

    def _signature(self) -> tuple[Any, ...]:
        b = self.builder
        a = b.answer
        return (
            len(a.tokens),
            len(a.raw),
            len(b.text),  # joined at most once per interval
            len(b.reasoning),
            a.usage is not None,
            a.server_timings is not None,
            a.finish_reason,
            a.model,
            len(a.notices),
        )

    def _take(self) -> AnswerDelta:
        """The rows not confirmed yet and the current small fields (caller's thread), with
        any API key the server echoed taken out (:mod:`tui.core.scrub`). Until the answer is
        finished, rows and text at the end that could be the start of a key wait for the
        next checkpoint (a key split over two checkpoints is never half written)."""
        b = self.builder
        a = b.answer
        hold = 0 if self.finished else scrub.held_back(a.tokens)
        tokens = a.tokens[self._saved_tokens : max(self._saved_tokens, len(a.tokens) - hold)]
        raw = a.raw[self._saved_raw : max(self._saved_raw, len(a.raw) - hold)]
        scrub.scrub_rows(tokens, raw)
        text, reasoning = b.text, b.reasoning
        if not self.finished:
            text = text[: len(text) - scrub.unsettled(text)]
            reasoning = reasoning[: len(reasoning) - scrub.unsettled(reasoning)]
        return AnswerDelta(
            answer_id=self.answer_id,
            seq=self._seq,
            first_index=self._saved_tokens,
            tokens=tokens,
            raw=raw,
            token_total=self._saved_tokens + len(tokens),
            text=text,
            reasoning=reasoning,
            usage=a.usage,
            server_timings=a.server_timings,
            finish_reason=a.finish_reason,
            reported_model=a.model,
            notices=list(a.notices),
            metrics=b.live_metrics(),
        )

    def _confirm(self, delta: AnswerDelta, signature: tuple[Any, ...]) -> None:
        self._saved_tokens = delta.token_total
        self._saved_raw += len(delta.raw)
        if delta.tokens or delta.raw:
            self._seq += 1
        self._saved_signature = signature

    def due(self) -> bool:
        return not self.finished and self._clock() - self._last >= self.interval

    def maybe_checkpoint(self) -> bool:
        """Start a checkpoint if one is due, none is in flight and something changed.
        Never waits: the write runs on the store's thread. True when one was started."""
        if self.finished or (self._writing is not None and not self._writing.done()):
            return False
        now = self._clock()
        if now - self._last < self.interval:
            return False
        self._last = now
        signature = self._signature()
        if signature == self._saved_signature:
            return False
        self._writing = asyncio.ensure_future(self._write(self._take(), signature))
        return True

    async def _write(self, delta: AnswerDelta, signature: tuple[Any, ...]) -> None:
        try:
            await self.store.call(Store.checkpoint_answer, delta)
        except Exception as exc:  # never let the history stop a stream
            self.problem = _message(exc)  # rows stay pending; the next checkpoint resends them
            return
        self._confirm(delta, signature)
        self.checkpoints += 1

    async def checkpoint(self) -> None:
        """Write a checkpoint now (waits for the one in flight first)."""
        await self.wait_idle()
        self._last = self._clock()
        signature = self._signature()
        if signature != self._saved_signature:
            await self._write(self._take(), signature)

    async def wait_idle(self) -> None:
        """Wait for the checkpoint in flight, if any, to be written (or to fail)."""
        if self._writing is not None and not self._writing.done():
            await asyncio.wait([self._writing])

    # ------------------------------------------------------------------ the end

    async def finish(self, status: Status, error: str | None = None) -> Answer:
        """Freeze the answer (``AnswerBuilder.finish``) and write it with its final status.
        Returns the answer even when the write fails (see :attr:`problem`)."""
        answer = self.builder.finish(status, error)
        await self.write_final(answer)
        return answer

    async def write_final(self, answer: Answer) -> None:
        """Write an answer its builder has already frozen (the TUI freezes it at once to show
        it, then hands it here): the last rows, then the final status. Never raises: see
        :attr:`problem`."""
        self.finished = True
        await self._stop_ticker()
        await self.wait_idle()
        self.final = answer
        await self._write_final()

    async def _write_final(self) -> bool:
        """The final write, whole; when it fails, what fits (see :meth:`retry`)."""
        answer = self.final
        assert answer is not None
        delta = self._take()
        try:
            await self.store.call(Store.finish_answer, delta, answer)
        except Exception as exc:
            self.problem = _message(exc)
            self.passing = bool(getattr(exc, "passing", False))
        else:
            self._confirm(delta, self._signature())
            self.unsaved_rows = 0
            self.saved = "all"
            return True
        # Keep what fits: the text, status and numbers without the rows not written yet (a
        # 20,000-token top-20 answer is megabytes; its text a few kilobytes). The stored
        # answer says what it lacks; the rows stay here for retry().
        self.unsaved_rows = len(delta.tokens)
        small = AnswerDelta(
            answer_id=self.answer_id,
            seq=self._seq,
            first_index=self._saved_tokens,
            tokens=[],
            raw=[],
            token_total=self._saved_tokens,
            text="",
            reasoning="",
        )
        note = unsaved_rows_note(self.unsaved_rows, delta.token_total)
        try:
            await self.store.call(Store.finish_answer, small, answer, extra_notices=[note])
        except Exception:
            self.saved = "none"
        else:
            self.saved = "part"
        return False

    async def retry(self) -> bool:
        """Write a finished answer's final form again, whole, after :meth:`write_final` could
        not (the disk was full): True once it is all in the file."""
        if self.final is None or self.saved == "all":
            return True
        return await self._write_final()

    @property
    def unsaved(self) -> str | None:
        """What of the finished answer is not in the file, in words; ``None`` when all is."""
        if self.final is None or self.saved == "all":
            return None
        if self.saved == "part":
            return unsaved_rows_note(self.unsaved_rows, self._saved_tokens + self.unsaved_rows)
        return "its answer was not saved"

    def start(self) -> None:
        """Start the ticker that checkpoints a stream gone quiet (``finish`` stops it)."""
        if self._ticker is None and not self.finished:
            self._ticker = asyncio.ensure_future(self._tick())

    async def __aenter__(self) -> Recorder:
        self.start()
        return self

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if not self.finished:
            if exc_type is None:
                await self.finish("complete")
            elif issubclass(exc_type, asyncio.CancelledError | KeyboardInterrupt):
                await self.finish("stopped")
            else:
                await self.finish("error", str(exc) or exc_type.__name__)
        await self._stop_ticker()

    async def _tick(self) -> None:
        # Events drive checkpoints; this covers a stream that goes quiet after a burst.
        while not self.finished:
            await asyncio.sleep(self.interval)
            self.maybe_checkpoint()

    async def _stop_ticker(self) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None and not ticker.done():
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker


def unsaved_rows_note(unsaved: int, total: int) -> str:
    """What an answer stored without some of its rows says (stored with it, and shown)."""
    rows = "token row was" if total == 1 else "token rows were"
    return f"{unsaved:,} of its {total:,} {rows} not saved (the history file could not take them)"


def _message(exc: Exception) -> str:
    if isinstance(exc, LogprobChatError):
        return str(exc)
    return f"history not saved: {type(exc).__name__}: {exc}"
