"""AnswerBuilder: text, rows, usage, live metrics and timing (with a scripted clock)."""

from __future__ import annotations

import math

import pytest

from tests.support import fixtures
from tui.core.answer import MIN_RATE_SPAN, AnswerBuilder
from tui.core.wire.chunks import StreamNormaliser, response_events
from tui.core.wire.events import (
    Finished,
    Notice,
    ReasoningDelta,
    ResponseStarted,
    TextDelta,
    TokensReceived,
    UsageReported,
)
from tui.core.wire.records import TokenRecord

approx = pytest.approx


class Clock:
    """A clock the test moves by hand: timing is checked exactly, never measured."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def rows(*logprobs, start=0):
    return [TokenRecord(start + i, "answer", "x", "x", b"x", lp) for i, lp in enumerate(logprobs)]


def test_streamed_timing_by_hand():
    clock = Clock()
    builder = AnswerBuilder(clock=clock)  # request sent at t = 100.0
    builder.apply(ResponseStarted("m", "id"))
    clock.now = 100.25  # first token
    builder.apply(TextDelta("a"))
    builder.apply(TokensReceived(rows(-0.1), [{}]))
    clock.now = 100.75
    builder.apply(TextDelta("b"))
    builder.apply(TokensReceived(rows(-0.2, start=1), [{}]))
    clock.now = 101.25  # last token
    builder.apply(TextDelta("c"))
    builder.apply(TokensReceived(rows(-0.3, start=2), [{}]))
    builder.apply(UsageReported({"completion_tokens": 5}))
    clock.now = 101.5
    answer = builder.finish("complete")
    assert answer.ttft == approx(0.25)
    assert answer.duration == approx(1.5)
    # n = usage.completion_tokens = 5 (more than the 3 rows): (5 - 1) / (101.25 - 100.25)
    assert answer.tokens_per_second == approx((5 - 1) / (101.25 - 100.25))
    assert answer.text == "abc"


def test_rate_falls_back_to_rows_then_deltas():
    clock = Clock()
    builder = AnswerBuilder(clock=clock)
    clock.now = 101.0
    builder.apply(TokensReceived(rows(-0.1, -0.2), [{}, {}]))
    clock.now = 103.0
    builder.apply(TokensReceived(rows(-0.3, start=2), [{}]))
    answer = builder.finish("complete")
    assert answer.tokens_per_second == approx((3 - 1) / (103.0 - 101.0))

    clock = Clock()
    builder = AnswerBuilder(clock=clock)
    clock.now = 101.0
    builder.apply(ReasoningDelta("r"))
    clock.now = 102.0
    builder.apply(TextDelta("a"))
    clock.now = 104.0
    builder.apply(TextDelta("b"))
    assert builder.finish("stopped").tokens_per_second == approx((3 - 1) / (104.0 - 101.0))


def test_no_rate_from_a_single_burst():
    clock = Clock()
    builder = AnswerBuilder(clock=clock)
    clock.now = 101.0
    builder.apply(TextDelta("abc"))
    clock.now = 101.0 + MIN_RATE_SPAN / 2  # the rows of the same chunk, a moment later
    builder.apply(TokensReceived(rows(-0.1, -0.2, -0.3), [{}, {}, {}]))
    answer = builder.finish("complete")
    assert answer.tokens_per_second is None
    assert answer.ttft == approx(1.0)


def test_whole_reply_timing_is_end_to_end():
    # Before the fix a whole reply gave (n - 1) / (microseconds between two events):
    # millions of tokens per second.
    clock = Clock()
    builder = AnswerBuilder(clock=clock)
    clock.now = 102.0  # the whole body arrives
    for event in response_events(fixtures.body("openai/chat_nonstream_blue_heart.json"), 5):
        builder.apply(event)
        clock.now += 1e-6
    answer = builder.finish("complete")
    assert answer.ttft is None  # no first token in a whole reply
    assert answer.tokens_per_second == approx(4 / answer.duration)
    assert answer.duration == approx(2.0, abs=1e-3)


def test_nothing_received():
    answer = AnswerBuilder(clock=Clock()).finish("error", "boom")
    assert (answer.status, answer.error, answer.ttft, answer.tokens_per_second) == (
        "error",
        "boom",
        None,
        None,
    )
    assert answer.text == "" and answer.tokens == []


def test_live_metrics_match_the_final_metrics_over_a_real_stream():
    normaliser = StreamNormaliser(5)
    builder = AnswerBuilder()
    for chunk in fixtures.sse_chunks("vllm/gptoss_stream_held_rows.sse"):
        for event in normaliser.feed(chunk):
            builder.apply(event)
            assert builder.live_metrics() == builder.answer.metrics  # at every step
    answer = builder.finish("complete")
    assert builder.live_metrics() == answer.metrics
    assert answer.metrics.tokens == 5


def test_builder_keeps_everything_it_is_given():
    builder = AnswerBuilder()
    builder.apply(ResponseStarted("model-a", "r1"))
    builder.apply(ReasoningDelta("think "))
    builder.apply(ReasoningDelta("more"))
    builder.apply(TextDelta("Hello"))
    builder.apply(TokensReceived(rows(-0.5), [{"token": "x", "logprob": -0.5}]))
    builder.apply(Notice("the server did not stream"))
    builder.apply(UsageReported({"completion_tokens": 1}, {"predicted_n": 1}))
    builder.apply(UsageReported({}, None))  # a timings-only event never wipes usage
    builder.apply(Finished("length"))
    answer = builder.finish("complete")
    assert (answer.model, answer.reasoning, answer.text) == ("model-a", "think more", "Hello")
    assert answer.finish_reason == "length"
    assert answer.usage == {"completion_tokens": 1}
    assert answer.server_timings == {"predicted_n": 1}
    assert answer.notices == ["the server did not stream"]
    assert answer.raw_logprobs() == {"content": [{"token": "x", "logprob": -0.5}]}
    assert answer.completion_tokens == 1


def test_completion_tokens_ignores_odd_usage_values():
    builder = AnswerBuilder()
    builder.apply(UsageReported({"completion_tokens": True}))
    assert builder.finish("complete").completion_tokens is None


def test_metrics_are_computed_once_and_again_only_when_their_inputs_change(monkeypatch):
    import tui.core.answer as answer_module

    passes: list[int] = []
    real = answer_module.compute_metrics

    def counting(tokens, **kw):
        passes.append(1)
        return real(tokens, **kw)

    monkeypatch.setattr(answer_module, "compute_metrics", counting)
    builder = AnswerBuilder()
    builder.apply(TokensReceived(rows(-0.1, -2.0), [{}, {}]))
    answer = builder.finish("complete")
    first = answer.metrics
    assert answer.metrics is first and answer.reasoning_metrics.tokens == 0
    assert len(passes) == 2  # the answer's once (read twice), the reasoning's once
    answer.tokens.append(rows(-3.0, start=2)[0])  # more tokens (the same list)
    assert answer.metrics.tokens == 3 and len(passes) == 3
    answer.tokens[-1] = rows(-0.5, start=2)[0]  # the same length, another last token
    assert answer.metrics.min_prob == approx(math.exp(-2.0)) and len(passes) == 4
    answer.low_prob_threshold = 0.5  # τ
    assert answer.metrics.low_prob_count == 1 and len(passes) == 5  # p 0.135 (was 0 below 0.1)
    answer.usage = {"completion_tokens": 7}  # what the server says it generated
    assert answer.metrics is not first and len(passes) == 6
    answer.tokens = rows(-0.1)  # another list
    assert answer.metrics.tokens == 1 and len(passes) == 7
    assert answer.metrics.tokens == 1 and len(passes) == 7
