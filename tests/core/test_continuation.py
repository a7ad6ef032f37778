"""A continued answer: the builder numbers new rows after the given ones, and the generated
part comes apart and back together unchanged (what recovery of a branch relies on)."""

from __future__ import annotations

from dataclasses import replace

from tui.core.answer import AnswerBuilder, Prefill
from tui.core.continuation import continuation_of, continued_messages, with_continuation
from tui.core.wire.events import Finished, TextDelta, TokensReceived, UsageReported
from tui.core.wire.records import TokenRecord


def given() -> tuple[TokenRecord, ...]:
    return (
        TokenRecord(0, "answer", "It", "It", b"It", -0.5),
        TokenRecord(1, "answer", " is", " is", b" is", -0.25),
    )


def continued():
    builder = AnswerBuilder(prefill=Prefill("It is", given()))
    new = [
        TokenRecord(0, "answer", " 東", "", b" \xe6", -1.0, char_start=0),
        TokenRecord(1, "answer", "東", " 東", b"\x9d\xb1", -0.1, char_start=0),
    ]
    for event in (
        TextDelta(" 東"),
        TokensReceived(new, [{"token": "x"}, {"token": "y"}]),
        UsageReported({"completion_tokens": 3}),
        Finished("stop"),
    ):
        builder.apply(event)
    return builder, builder.finish("complete")


def test_new_rows_are_numbered_after_the_given_ones() -> None:
    builder, answer = continued()
    assert [t.index for t in answer.tokens] == [0, 1, 2, 3]
    assert [t.char_start for t in answer.tokens] == [None, None, 2, 2]
    assert answer.tokens[:2] == list(given()) and answer.tokens[0] is not given()[0]
    assert answer.text == "It is 東" and answer.new_text == " 東"
    # Coverage counts the given tokens too: 4 rows of 2 given + 3 generated.
    assert answer.metrics.coverage == 4 / 5 and answer.token_total == 5
    assert builder.live_metrics() == answer.metrics
    assert answer.new_metrics.tokens == 2 and answer.new_metrics.coverage == 2 / 3
    assert builder.rows_received == 2  # the rate counts what arrived, not what was given


def test_the_generated_part_comes_apart_and_back_together() -> None:
    _, answer = continued()
    part = continuation_of(answer)
    assert part.prefill is None and part.text == " 東"
    assert [t.index for t in part.tokens] == [0, 1] and part.tokens[1].char_start == 0
    assert part.raw == answer.raw and part.usage == answer.usage
    changed = replace(part, notices=["recovered"])
    whole = with_continuation(answer, changed)
    assert whole.tokens == answer.tokens and whole.notices == ["recovered"]
    assert whole.prefill == "It is" and whole.prefill_tokens == 2
    messages = [{"role": "user", "content": "q"}]
    assert continued_messages(messages, answer) == [
        *messages,
        {"role": "assistant", "content": "It is"},
    ]
    plain = AnswerBuilder().finish("complete")
    assert continuation_of(plain) is plain and continued_messages(messages, plain) == messages
