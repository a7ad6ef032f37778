"""The chat log's streaming pump: one answer at a time, from the server into its AnswerView.

Data flow while an answer streams::

    TurnHooks.open(turn)  --events-->  StreamPump._generate (async worker of the chat log)
        builder.apply(event)          (AnswerBuilder: tokens, raw rows, running metrics)
        LiveFeed.text/.reasoning      (new text pieces, appended in O(1))
    StreamPump.flush (timer, FLUSH_HZ)  --reads-->  LiveFeed + builder
        AnswerView.feed(new text, new tokens)   → TextTrack → repaint dirty blocks only
        the log's ``answer_ticked``              → the pane: O(1) stats, O(new rows) JSON

The worker never touches widgets per chunk; the timer batches everything it finds, so the
repaint rate is bounded whatever the server's speed. A stream that carries only keep-alives
(:class:`~tui.core.wire.events.ServerAlive`) says so in the answer's line ("server alive, no
tokens for 12 s") until a piece of the answer comes. When the stream ends (complete,
stopped with Esc, or failed) the worker's ``finally`` does a last flush and freezes the
answer (the store writes it), then tells the log (``answer_finished``).

Recovery: a complete answer with tokens llama.cpp did not send a row for
(:meth:`TurnHooks.can_recover`) has a phase of its own after that, before
``answer_finished``: a second worker (:meth:`TurnHooks.recover`) measures them while the
answer's line says "recovering 42 split-character tokens… 10/43"; the pump stays busy (a new
question waits), ctrl+c (or Esc twice) skips it and the answer stays as it came (complete,
its numbers "covers 54 of 96 tokens"). A recovered answer replaces the turn's (view, pane,
heatmap, JSON follow) and :meth:`TurnHooks.recovered` lets the store rewrite its tokens
after its final write.

A question asked before the model is ready is *held* (:attr:`StreamPump.held`): it goes out
when the backend is ready, or fails with the reason; ctrl+c stops it without a request.

The pump is owned by :class:`~tui.app.widgets.chat_log.ChatLog` and calls back only into it.
What it needs from the rest of the app (the request, the store's hooks, the GC policy) comes
through :class:`TurnHooks`, which the app implements (:class:`tui.app.turn_driver.TurnDriver`)
and tests can fake.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tui.app.widgets.answer import AnswerView
from tui.core.answer import Answer, AnswerBuilder, Status
from tui.core.conversation import Turn
from tui.core.errors import LogprobChatError, one_line
from tui.core.recovery import RecoveryProgress, RecoveryResult
from tui.core.wire.events import ReasoningDelta, ServerAlive, StreamEvent, TextDelta

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.app.widgets.chat_log import ChatLog

FLUSH_HZ = 25
"""Repaints per second while streaming: smooth to the eye, bounded cost per second."""

FAST_ROWS_PER_FLUSH = 100
"""Rows per repaint above which repaints thin out: the ticks after a repaint carrying
``k × FAST_ROWS_PER_FLUSH`` rows are let pass, up to ``MAX_SKIPPED_TICKS`` (a stream of
2,500+ tokens/s is repainted 12.5 times a second, 5,000+ about 8 times). Nobody reads that
fast, and each repaint costs 10–20 ms of layout and rendering at 160×48 (``tests/bench``,
case 2): at 25 a second the screen alone took more time than reading the stream."""
MAX_SKIPPED_TICKS = 2

YIELD_AFTER = 0.005
"""Seconds the generation worker may keep the event loop before letting others run."""


def ticks_to_skip(rows: int) -> int:
    """Repaint ticks to let pass after a repaint that carried ``rows`` new rows:
    ``min(MAX_SKIPPED_TICKS, rows // FAST_ROWS_PER_FLUSH)``."""
    return min(MAX_SKIPPED_TICKS, rows // FAST_ROWS_PER_FLUSH)


class TurnHooks(Protocol):
    """What the chat log needs from the app to ask a question and stream its answer."""

    def new_builder(self, turn: Turn | None = None) -> AnswerBuilder:
        """An empty answer, timed by the app's clock, counting tokens below τ; ``turn``'s
        own when it has a prefill (a branch: its prefix records and chosen token first)."""
        ...

    def asked(self, turn: Turn) -> None:
        """``turn`` was added to the chat, before its request (the store writes it)."""
        ...

    async def open(self, turn: Turn) -> AsyncIterator[StreamEvent]:
        """Send ``turn``'s request and return its events (the model is resolved, the store
        has written the answer's parameters). Raises ``LogprobChatError``."""
        ...

    def started(self, turn: Turn) -> None:
        """``turn``'s answer starts streaming."""
        ...

    def reading(self) -> None:
        """The stream's reader is about to let the event loop run others (every
        :data:`YIELD_AFTER` of its own work): a moment for bounded housekeeping (the GC
        policy's young collections)."""
        ...

    def rows_added(self, rows: int) -> None:
        """A repaint tick of a streaming answer is about to show ``rows`` new rows (called at
        most :data:`FLUSH_HZ` times a second, before the repaint)."""
        ...

    def progress(self, turn: Turn, builder: AnswerBuilder) -> None:
        """A repaint tick showed something new of ``turn``'s answer (partial text, tokens,
        raw rows in ``builder``)."""
        ...

    def finished(self, turn: Turn, streamed: bool) -> None:
        """``turn.answer`` is final; ``streamed``: it had a request and a stream."""
        ...

    def error_text(self, error: LogprobChatError) -> str:
        """The line a failed answer shows for ``error`` (what the user can do about it)."""
        ...

    def can_recover(self, turn: Turn) -> bool:
        """Whether ``turn.answer`` (just finished) may have hidden tokens worth measuring
        (:func:`tui.core.recovery.recovery_candidate`: no network)."""
        ...

    async def recover(
        self, turn: Turn, on_progress: Callable[[RecoveryProgress], None]
    ) -> RecoveryResult:
        """Measure ``turn.answer``'s hidden tokens (:func:`tui.core.recovery.recover`, with
        the messages it was asked with); cancelled when ctrl+c skips it."""
        ...

    def recovered(self, turn: Turn) -> None:
        """``turn.answer`` was replaced by its recovered form (the store rewrites its
        tokens, after the answer's final write)."""
        ...

    # Siblings (issue 16): the conversation's tree, which the log shows one path of.

    def siblings(self, turn: Turn) -> list[Turn]:
        """``turn`` and its siblings, in the order made (``[turn]`` when it has none)."""
        ...

    def sibling_position(self, turn: Turn) -> tuple[int, int]:
        """(k, n): ``turn`` is sibling k of n (``‹2/3›``)."""
        ...

    def select(self, turn: Turn) -> list[Turn]:
        """Make ``turn`` the selected one of its siblings; the new selected path."""
        ...


@dataclass
class LiveFeed:
    """What the worker has received and the timer has not shown yet."""

    turn: Turn
    view: AnswerView
    builder: AnswerBuilder
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    seen: int = 0  # tokens of builder.answer.tokens already handed to the view
    skip: int = 0  # ticks to let pass: the last repaint carried a flood of rows
    alive: float | None = None  # seconds of keep-alives alone, while that lasts
    # When the request went out (wall time, for "reading the prompt… 4 s": the builder's
    # own clock times the answer and is not read for display).
    sent_at: float = field(default_factory=time.monotonic)


class StreamPump:
    """See the module docstring. ``live``: the answer streaming now; ``held``: a question
    waiting for the model; ``recovering``: an answer whose hidden tokens are being measured."""

    def __init__(self, log: ChatLog, hooks: TurnHooks) -> None:
        self.log = log
        self.hooks = hooks
        self.live: LiveFeed | None = None
        self.held: AnswerView | None = None
        self.recovering: AnswerView | None = None
        self.ticker: Timer | None = None

    @property
    def busy(self) -> bool:
        """An answer is streaming, waiting for the model, or being recovered."""
        return self.live is not None or self.held is not None or self.recovering is not None

    # ------------------------------------------------------------------ starting, ending

    def start(self, view: AnswerView) -> None:
        """Send ``view``'s question and stream its answer into it."""
        turn = view.turn
        builder = self.hooks.new_builder(turn)
        turn.live = builder
        live = self.live = LiveFeed(turn, view, builder)
        if turn.prefill is not None and turn.prefill.text:
            # A branch: the start it continues is shown at once, with its records.
            live.text.append(turn.prefill.text)
        view.show_live(None, reading=0.0)
        self.log.answer_started(view)
        if self.ticker is None:
            self.ticker = self.log.set_interval(1 / FLUSH_HZ, self.flush, pause=True)
        self.ticker.resume()
        self.hooks.started(turn)
        self.log.run_worker(
            self._generate(live), group="generation", exclusive=True, exit_on_error=False
        )

    def hold(self, view: AnswerView) -> None:
        self.held = view

    def release(self) -> None:
        """The model is ready: the held question goes out."""
        view, self.held = self.held, None
        if view is not None:
            self.start(view)

    def fail_held(self, reason: str) -> None:
        """No model will come: the held question fails with ``reason``."""
        view, self.held = self.held, None
        if view is not None:
            self.end_without_request(view, "error", f"no model is available: {reason}")

    def end_without_request(self, view: AnswerView, status: Status, error: str | None) -> None:
        """``view``'s turn ends before any request: no model, or stopped while held."""
        answer = self.hooks.new_builder().finish(status, error)
        view.turn.answer = answer
        view.finish(answer)
        self.hooks.finished(view.turn, streamed=False)
        self.log.answer_finished(view)

    def stop(self) -> None:
        """Esc: a held question ends stopped; a streaming answer is cancelled (what arrived
        is kept, marked stopped); a recovery is skipped (the answer stays complete)."""
        if self.held is not None:
            view, self.held = self.held, None
            self.end_without_request(view, "stopped", None)
            return
        if self.live is None and self.recovering is not None:
            self.log.workers.cancel_group(self.log, "recovery")
            return
        self.log.workers.cancel_group(self.log, "generation")

    async def _generate(self, live: LiveFeed) -> None:
        builder = live.builder
        status: Status = "complete"
        error: str | None = None
        try:
            events = await self.hooks.open(live.turn)
            text, reasoning = live.text, live.reasoning
            clock = time.perf_counter
            since = clock()
            async for event in events:
                builder.apply(event)
                kind = type(event)
                if kind is TextDelta:
                    text.append(event.text)  # type: ignore[union-attr]
                elif kind is ReasoningDelta:
                    reasoning.append(event.text)  # type: ignore[union-attr]
                elif kind is ServerAlive:
                    live.alive = event.idle  # type: ignore[union-attr]
                if clock() - since > YIELD_AFTER:
                    # A fast server fills the socket buffer: httpx then hands over hundreds
                    # of events without ever suspending, and keys, repaints and timers
                    # would wait for all of them (measured: 70 ms stalls at the median).
                    self.hooks.reading()
                    await asyncio.sleep(0)
                    since = clock()
        except asyncio.CancelledError:
            status = "stopped"
            raise
        except LogprobChatError as exc:
            status, error = "error", self.hooks.error_text(exc)
        except Exception as exc:  # a bug or a library surprise: report it, keep the app alive
            status, error = "error", "unexpected error: " + one_line(f"{type(exc).__name__}: {exc}")
        finally:
            self._finish(live, status, error)

    # ------------------------------------------------------------------ repainting

    def flush(self, final: bool = False) -> None:
        """Move what arrived since the last tick onto the screen (see the module docstring)."""
        live = self.live
        if live is None:
            return
        if live.skip and not final:
            live.skip -= 1
            return
        text = "".join(live.text)
        live.text.clear()
        reasoning = "".join(live.reasoning)
        live.reasoning.clear()
        tokens = live.builder.answer.tokens
        new = tokens[live.seen :]
        live.seen = len(tokens)
        live.skip = ticks_to_skip(len(new))
        self.hooks.rows_added(len(new))
        if text or reasoning or new:
            live.alive = None  # the answer moves again
        if text or reasoning or new or final:
            live.view.feed(text, reasoning, new, final=final)
        if final:
            return
        builder = live.builder
        reading = time.monotonic() - live.sent_at if builder.reading_prompt else None
        live.view.show_live(builder.live_metrics(), alive=live.alive, reading=reading)
        if new or text or reasoning:
            self.hooks.progress(live.turn, live.builder)
        self.log.answer_ticked(live.view)

    def _finish(self, live: LiveFeed, status: Status, error: str | None) -> None:
        if self.live is not live:
            return
        if self.ticker is not None:
            self.ticker.pause()
        self.flush(final=True)
        self.live = None
        answer: Answer = live.builder.finish(status, error)
        if not answer.model:
            answer.model = live.turn.model or None
        live.turn.answer = answer
        live.turn.live = None
        self.hooks.finished(live.turn, streamed=True)
        if not self.log.is_attached:
            return
        if live.builder.scrubbed:  # a key the server echoed: shown no longer
            live.view.reload(answer)
        live.view.finish(answer)
        if status == "complete" and self.hooks.can_recover(live.turn):
            self._start_recovery(live.view)
        else:
            self.log.answer_finished(live.view)

    # ------------------------------------------------------------------ recovery

    def _start_recovery(self, view: AnswerView) -> None:
        self.recovering = view
        self.log.run_worker(
            self._recover(view), group="recovery", exclusive=True, exit_on_error=False
        )

    def _progress(self, view: AnswerView, progress: RecoveryProgress) -> None:
        if self.recovering is view:
            view.show_recovering(progress.message)
            self.log.answer_ticked(view)

    async def _recover(self, view: AnswerView) -> None:
        result: RecoveryResult | None = None
        problem: str | None = None
        try:
            result = await self.hooks.recover(view.turn, lambda p: self._progress(view, p))
        except asyncio.CancelledError:
            raise  # Esc: skipped, the answer stays as it came
        except Exception as exc:  # a bug or a library surprise: say it, keep the answer
            problem = one_line(f"{type(exc).__name__}: {exc}")
        finally:
            self._recovery_ended(view, result, problem)

    def _recovery_ended(
        self, view: AnswerView, result: RecoveryResult | None, problem: str | None
    ) -> None:
        if self.recovering is not view:
            return
        self.recovering = None
        if result is not None and result.status == "impossible" and result.reason:
            problem = result.reason
        if not self.log.is_attached:
            return
        if result is not None and result.status == "recovered":
            view.turn.answer = result.answer
            view.replace_answer(result.answer)
            self.hooks.recovered(view.turn)
        else:
            view.show_recovering(None)
        if problem is not None:
            self.log.add_note(f"hidden tokens not recovered: {problem}", kind="error")
        self.log.answer_finished(view)
