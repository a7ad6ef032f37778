"""Collect a chat completion's events into an :class:`Answer`, with live stats on the way.

Timing (seconds, from an injectable monotonic clock):

* ``ttft``: time to first token = first text, reasoning or logprob row − request start
  (the builder's creation). Streamed replies only: a whole reply has no first token.
* ``duration``: :meth:`AnswerBuilder.finish` − request start.
* ``tokens_per_second``, streamed: (n − 1) / (last token − first token), where n is
  ``usage.completion_tokens`` when the server reports it, else the rows received, else the
  text/reasoning deltas: the decode rate the client observed after the first token,
  comparable to llama.cpp's ``predicted_per_second``. ``None`` when the tokens came within
  :data:`MIN_RATE_SPAN` of each other (one burst: nothing to measure). Whole replies:
  n / duration, the end-to-end rate (prompt processing included).

A continued answer (:class:`Prefill`: the start of the answer was given, the model went on)
holds the whole text, the given start first (``Answer.prefill``), and the given start's
token records first when they are known (``Answer.prefill_tokens`` of them: a branch of an
answer, :mod:`tui.core.branch`); ``ask --prefill`` gives text only, so its tokens are the new
ones. The headline numbers (:attr:`Answer.metrics`) cover every token the answer holds; the
new ones alone are :attr:`Answer.new_metrics`. Timings and ``usage`` are the request's: the
new tokens only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tui.core.metrics import (
    DEFAULT_LOW_PROB_THRESHOLD,
    Metrics,
    MetricsAccumulator,
    compute_metrics,
)
from tui.core.scrub import scrub_answer
from tui.core.wire.events import (
    REFUSAL_NOTICE,
    Finished,
    Notice,
    ReasoningDelta,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    TokensReceived,
    UsageReported,
)
from tui.core.wire.records import TokenRecord

MIN_RATE_SPAN = 0.001
"""Seconds between first and last token below which a streamed rate is not reported: the
tokens arrived in one burst (one chunk, one network read), so their spacing says nothing
about decode speed."""

Status = Literal["streaming", "complete", "stopped", "error", "incomplete"]
"""``complete``: finished normally. ``stopped``: the user stopped it (Esc), partial kept.
``error``: the request failed (partial text, if any, kept). ``incomplete``: it was still
streaming when the program died (found in the store at the next start)."""


@dataclass(frozen=True, slots=True)
class Prefill:
    """The start of an answer given to the model to continue (an assistant prefill).

    ``text`` is sent exactly; ``records`` are its token records when they are known (a branch
    of an answer: the parent's tokens before the divergence and the chosen one, numbered from
    0), else empty (``ask --prefill``: its tokens were never generated, so never scored)."""

    text: str
    records: tuple[TokenRecord, ...] = ()


class _MetricsMemo:
    """Where :attr:`Answer.metrics` keeps the last metrics it computed and what from: a slot
    of its own, not a field (not data: never compared, copied, stored or exported)."""

    __slots__ = ("_metrics_of",)


@dataclass(slots=True)
class Answer(_MetricsMemo):
    """One assistant answer with everything needed to show, store and export it."""

    text: str = ""
    reasoning: str = ""
    tokens: list[TokenRecord] = field(default_factory=list)
    raw: list[Any] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    server_timings: dict[str, Any] | None = None
    finish_reason: str | None = None
    model: str | None = None
    status: Status = "streaming"
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    started_at: float = 0.0  # wall clock (epoch seconds) when the request went out
    ttft: float | None = None
    duration: float | None = None
    tokens_per_second: float | None = None
    low_prob_threshold: float = DEFAULT_LOW_PROB_THRESHOLD
    prefill: str | None = None  # the given start of the text, when it was continued
    prefill_tokens: int = 0  # the leading token records that belong to it (not generated here)
    # Raw rows not parsed yet (a reopened conversation: tui.core.store.codec.RawParts).
    raw_pending: Any = field(default=None, repr=False, compare=False)

    def load_raw(self) -> None:
        """Parse the raw rows a lazy history load left as bytes (no-op otherwise). Call it
        before reading ``raw`` or the alternatives of ``tokens`` of a reopened answer."""
        pending, self.raw_pending = self.raw_pending, None
        if pending is not None:
            self.raw = pending.load(self.tokens)

    @property
    def completion_tokens(self) -> int | None:
        value = (self.usage or {}).get("completion_tokens")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def token_total(self) -> int | None:
        """Tokens the answer is made of, for coverage: the server's ``completion_tokens``
        plus the given start's records (a branch's prefix and chosen token)."""
        generated = self.completion_tokens
        return None if generated is None else generated + self.prefill_tokens

    @property
    def new_text(self) -> str:
        """The text the model wrote in this answer's request (after the given start)."""
        if self.prefill and self.text.startswith(self.prefill):
            return self.text[len(self.prefill) :]
        return self.text

    @property
    def metrics(self) -> Metrics:
        """Answer-scope metrics of every token the answer holds (a branch's prefix and chosen
        token included; see :mod:`tui.core.metrics`). O(tokens) the first time, then kept
        while the inputs stay the same: the token list (the same list, as long, the same last
        token), the token total and τ. A finished 20k-token answer is shown by its footer,
        the pane's headline and its stats at once: three passes over its tokens (~15 ms
        each) on the screen's event loop became one."""
        tokens = self.tokens
        completion = self.token_total
        key = (id(tokens), len(tokens), tokens[-1] if tokens else None)
        key += (completion, self.low_prob_threshold)
        kept: tuple[Any, Metrics] | None = getattr(self, "_metrics_of", None)
        if kept is not None and _same_key(kept[0], key):
            return kept[1]
        metrics = compute_metrics(
            tokens, completion_tokens=completion, threshold=self.low_prob_threshold
        )
        self._metrics_of = (key, metrics)
        return metrics

    @property
    def new_metrics(self) -> Metrics:
        """Answer-scope metrics of the tokens generated in this answer's request only (all of
        them for an answer that was not continued from given tokens)."""
        return compute_metrics(
            self.tokens[self.prefill_tokens :],
            completion_tokens=self.completion_tokens,
            threshold=self.low_prob_threshold,
        )

    @property
    def reasoning_metrics(self) -> Metrics:
        return compute_metrics(
            self.tokens,
            scopes=("reasoning",),
            completion_tokens=self.token_total,
            threshold=self.low_prob_threshold,
        )

    @property
    def has_logprobs(self) -> bool:
        return bool(self.tokens)

    @property
    def refusal(self) -> bool:
        """The model refused (OpenAI ``refusal``): ``text`` is the refusal, scored like an
        answer. Marked by :data:`~tui.core.wire.events.REFUSAL_NOTICE` among the notices, so
        the history and the exports keep it with no field of their own."""
        return REFUSAL_NOTICE in self.notices

    def raw_logprobs(self) -> dict[str, Any] | None:
        """The server's logprob rows as received, in OpenAI's ``{"content": [...]}`` shape."""
        self.load_raw()
        return {"content": self.raw} if self.raw else None


def _same_key(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Keys of :attr:`Answer.metrics`: the token (third item) by identity, the rest by
    value (a token record compares by value, and two equal records are not the same
    token)."""
    return a[2] is b[2] and a[:2] == b[:2] and a[3:] == b[3:]


class AnswerBuilder:
    """Feed events in order with :meth:`apply`; read live numbers; :meth:`finish` at the end.

    With a :class:`Prefill`, the answer starts with its text and records (copies), and the
    rows that arrive are numbered after them (``index`` and ``char_start`` shifted)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        threshold: float = DEFAULT_LOW_PROB_THRESHOLD,
        prefill: Prefill | None = None,
    ) -> None:
        self._clock = clock
        self._t0 = clock()
        self._first: float | None = None
        self._last: float | None = None
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self.answer = Answer(started_at=time.time(), low_prob_threshold=threshold)
        self.live = MetricsAccumulator(("answer",), threshold)
        self.rows_received = 0
        self.deltas_received = 0
        self.streamed = True
        self.scrubbed = False  # finish() took an API key out of the answer
        self._offset = 0
        if prefill is not None:
            self._start_from(prefill)

    @classmethod
    def holding(cls, answer: Answer) -> AnswerBuilder:
        """A builder whose answer is ``answer``, already finished: to record an answer that
        never streamed (or whose streaming record failed) the way a streamed one is."""
        builder = cls(threshold=answer.low_prob_threshold)
        builder.answer = answer
        builder._text = [answer.text]
        builder._reasoning = [answer.reasoning]
        for row in answer.tokens:
            builder.live.add(row)
        return builder

    def _start_from(self, prefill: Prefill) -> None:
        answer = self.answer
        answer.prefill = prefill.text
        answer.prefill_tokens = self._offset = len(prefill.records)
        answer.tokens = [replace(record) for record in prefill.records]
        self.live.add_all(answer.tokens)
        if prefill.text:
            self._text.append(prefill.text)

    def apply(self, event: StreamEvent) -> None:
        kind = type(event)
        answer = self.answer
        if kind is TokensReceived:
            assert isinstance(event, TokensReceived)
            self._mark()
            if self._offset:
                _shift(event.tokens, self._offset)
            answer.tokens.extend(event.tokens)
            answer.raw.extend(event.raw)
            self.rows_received += len(event.tokens)
            for row in event.tokens:
                self.live.add(row)
        elif kind is TextDelta:
            assert isinstance(event, TextDelta)
            self._mark()
            self.deltas_received += 1
            self._text.append(event.text)
        elif kind is ReasoningDelta:
            assert isinstance(event, ReasoningDelta)
            self._mark()
            self.deltas_received += 1
            self._reasoning.append(event.text)
        elif kind is UsageReported:
            assert isinstance(event, UsageReported)
            if event.usage:  # llama.cpp's finish chunk may carry timings alone
                answer.usage = event.usage
            if event.timings is not None:
                answer.server_timings = event.timings
        elif kind is Finished:
            assert isinstance(event, Finished)
            answer.finish_reason = event.reason
        elif kind is ResponseStarted:
            assert isinstance(event, ResponseStarted)
            self.streamed = event.streamed
            if event.model:
                answer.model = event.model
        elif kind is Notice:
            assert isinstance(event, Notice)
            answer.notices.append(event.message)

    def _mark(self) -> None:
        now = self._clock()
        if self._first is None:
            self._first = now
        self._last = now

    @property
    def text(self) -> str:
        return "".join(self._text)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    def live_metrics(self) -> Metrics:
        return self.live.snapshot(self.answer.token_total)

    @property
    def reading_prompt(self) -> bool:
        """No text, reasoning or token has come yet: the model is still reading the prompt
        (prompt processing, which takes seconds for a long conversation on a CPU)."""
        return self._first is None

    def elapsed(self) -> float:
        return self._clock() - self._t0

    def finish(self, status: Status, error: str | None = None) -> Answer:
        """Freeze the answer: text joined, timings computed, status and error set, and any
        API key the server echoed taken out of every form of it (:mod:`tui.core.scrub`)."""
        answer = self.answer
        answer.text = self.text
        answer.reasoning = self.reasoning
        answer.status = status
        answer.error = error
        self.scrubbed = scrub_answer(answer)
        end = self._clock()
        answer.duration = end - self._t0
        generated = answer.completion_tokens or self.rows_received or self.deltas_received
        if self._first is None or not generated:
            return answer
        if not self.streamed:
            if answer.duration > 0:
                answer.tokens_per_second = generated / answer.duration
            return answer
        answer.ttft = self._first - self._t0
        span = (self._last or self._first) - self._first
        if generated > 1 and span >= MIN_RATE_SPAN:
            answer.tokens_per_second = (generated - 1) / span
        return answer


def _shift(rows: list[TokenRecord], offset: int) -> None:
    """Number rows after a given start of ``offset`` records."""
    for row in rows:
        row.index += offset
        if row.char_start is not None:
            row.char_start += offset
