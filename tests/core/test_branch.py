"""Branches as pure functions: where one can start, what it sends, and the answer it makes
(prefix records kept, the chosen token's logprob from the parent's top-k, new tokens after),
on real llama.cpp replies (English, and Japanese with merged split-character rows) and on a
recovered character split over three tokens."""

from __future__ import annotations

import math

import pytest

from tests.support.fixtures import body
from tui.core.answer import Answer, AnswerBuilder, Prefill
from tui.core.branch import (
    BranchError,
    BranchPoint,
    branch_answer,
    branch_choices,
    plan_branch,
)
from tui.core.report import answer_rows
from tui.core.wire.chunks import response_events
from tui.core.wire.events import Finished, TextDelta, TokensReceived, UsageReported
from tui.core.wire.records import TokenRecord
from tui.core.wire.values import NOTE_TYPED, top_summary


def reply_answer(name: str) -> Answer:
    builder = AnswerBuilder()
    for event in response_events(body(name), 5):
        builder.apply(event)
    return builder.finish("complete")


ENGLISH = "llamacpp/chat_nonstream_english.json"  # "1. Red\n2. Blue\n3. Green", 12 rows
JAPANESE = "llamacpp/chat_nonstream_japanese.json"  # "どこですか？ is a …", merged rows


def row(index: int, data: bytes, logprob: float, top: list[tuple[bytes, float]], **kw):
    raw_top = [
        {"id": 100 + k, "token": t.decode("utf-8", "replace"), "bytes": list(t), "logprob": lp}
        for k, (t, lp) in enumerate(top)
    ]
    mass, entropy = top_summary(raw_top, probabilities=False)
    return TokenRecord(
        index=index,
        scope="answer",
        token=data.decode("utf-8", "replace"),
        text=kw.pop("text", data.decode("utf-8", "ignore")),
        bytes=data,
        logprob=logprob,
        id=kw.pop("id", 100),
        top_mass=mass,
        top_entropy=entropy,
        top_count=len(raw_top),
        raw_top=raw_top,
        **kw,
    )


def continuation(*tokens: tuple[str, float], completion: int | None = None) -> list:
    rows = [
        TokenRecord(i, "answer", t, t, t.encode(), lp, id=500 + i)
        for i, (t, lp) in enumerate(tokens)
    ]
    return [
        TextDelta("".join(t for t, _ in tokens)),
        TokensReceived(rows, []),
        UsageReported({"completion_tokens": completion or len(tokens), "prompt_tokens": 40}),
        Finished("stop"),
    ]


# ------------------------------------------------------------------ the answer a branch makes


def test_a_branch_keeps_the_prefix_takes_the_chosen_logprob_and_adds_new_tokens() -> None:
    parent = reply_answer(ENGLISH)
    choices = branch_choices(parent, 2)  # " Red" (30.5 %), " Blue" the second alternative
    assert [c.text for c in choices[:3]] == [" Red", " Blue", " Black"]
    assert all(c.problem is None for c in choices[:3])
    blue = choices[1].alternative
    plan = plan_branch(parent, 2, blue)
    assert plan.prefill.text == "1. Blue"  # exactly the text sent as the assistant prefill
    assert plan.point == BranchPoint(
        2, " Blue", False, blue.logprob, " Red", parent.tokens[2].logprob
    )

    branch = branch_answer(parent, 2, blue, continuation(("\n", -0.5), ("2", -0.1)))
    assert branch.text == "1. Blue\n2"
    assert [t.index for t in branch.tokens] == [0, 1, 2, 3, 4]
    assert branch.tokens[:2] == parent.tokens[:2]  # the prefix, records as they were
    chosen = branch.tokens[2]
    assert (chosen.text, chosen.logprob, chosen.id) == (" Blue", blue.logprob, blue.id)
    # The same distribution as the parent's at that position: its alternatives are kept.
    assert chosen.alternatives() == parent.tokens[2].alternatives()
    assert branch.prefill == "1. Blue" and branch.prefill_tokens == 3
    # Headline numbers: the whole answer; the new tokens apart.
    logprobs = [parent.tokens[0].logprob, parent.tokens[1].logprob, blue.logprob, -0.5, -0.1]
    assert branch.metrics.sum_logprob == pytest.approx(sum(logprobs))
    assert branch.metrics.tokens == 5 and branch.metrics.coverage == 1.0
    assert branch.new_metrics.sum_logprob == pytest.approx(-0.6)
    assert branch.new_metrics.tokens == 2
    assert branch.new_text == "\n2" and branch.completion_tokens == 2
    labels = dict(answer_rows(branch))
    assert labels["Branch"].startswith("3 tokens given (prefix and chosen token), 2 new")
    assert "Σ -0.600" in labels["New tokens"]


def test_the_parent_is_not_changed_and_the_branch_compares_whole_against_whole() -> None:
    parent = reply_answer(ENGLISH)
    before = [(t.index, t.logprob, t.text) for t in parent.tokens]
    same = branch_choices(parent, 4)[0].alternative  # the parent's own token there
    tail = [(t.text, t.logprob) for t in parent.tokens[5:] if t.text]
    branch = branch_answer(parent, 4, same, continuation(*tail))
    assert [(t.index, t.logprob, t.text) for t in parent.tokens] == before
    # The parent's own token, then its own continuation: the same text and numbers.
    assert branch.text == parent.text
    assert branch.metrics.sum_logprob == pytest.approx(parent.metrics.sum_logprob)


def test_typed_text_has_no_known_logprob_unless_it_is_an_alternative() -> None:
    parent = reply_answer(ENGLISH)
    typed = plan_branch(parent, 2, " Purple")
    chosen = typed.prefill.records[-1]
    assert typed.prefill.text == "1. Purple"
    assert (chosen.logprob, chosen.note, chosen.text) == (None, NOTE_TYPED, " Purple")
    assert typed.point.typed and typed.point.choice_logprob is None
    assert "typed" in typed.point.describe()
    branch = branch_answer(parent, 2, " Purple", continuation(("!", -0.3)))
    assert branch.metrics.unknown == 1 and branch.metrics.tokens == 4  # counted, not averaged
    # Typed text equal to an alternative's is that alternative, its logprob known.
    as_typed = plan_branch(parent, 2, " Blue")
    assert not as_typed.point.typed
    assert as_typed.prefill.records[-1].logprob == pytest.approx(math.log(0.1556), abs=0.01)


def test_the_point_round_trips_and_reads_as_one_line() -> None:
    point = BranchPoint(11, " Kyoto", False, math.log(0.38), " Tokyo", math.log(0.41))
    assert BranchPoint.from_dict(point.to_dict()) == point
    assert point.describe() == "at token #12: “ Kyoto” (38.0%) instead of “ Tokyo” (41.0%)"
    assert BranchPoint.from_dict({"position": "3"}) is None
    assert BranchPoint.from_dict(None) is None


# ------------------------------------------------------------------ Japanese


def test_a_merged_character_row_branches_with_its_alternatives_as_whole_characters() -> None:
    parent = reply_answer(JAPANESE)  # row 0 'ど' = e3 81 a9 under the id of its last piece
    choices = branch_choices(parent, 0)
    assert [c.text for c in choices[:3]] == ["ど", "あ", "く"]
    plan = plan_branch(parent, 0, choices[1].alternative)
    assert plan.prefill.text == "あ"
    assert plan.prefill.records[0].bytes == "あ".encode()


def test_an_alternative_that_is_part_of_a_character_cannot_be_sent() -> None:
    parent = reply_answer(JAPANESE)
    choices = branch_choices(parent, 3)  # 'す', one of whose alternatives is the bytes e3 82
    partial = next(c for c in choices if c.alternative.bytes == b"\xe3\x82")
    assert partial.problem == "that is part of a character (bytes e3 82): it cannot be sent as text"
    with pytest.raises(BranchError, match="part of a character"):
        plan_branch(parent, 3, partial.alternative)
    assert plan_branch(parent, 3, choices[1].alternative).prefill.text == "どこでし"


def test_inside_a_recovered_character_the_choice_completes_its_first_bytes() -> None:
    # "A東" as recovered pieces: 'A', then 東 = e6 9d b1 over three tokens (char_start 1).
    tokens = [
        row(0, b"A", -0.1, [(b"A", -0.1)]),
        row(1, b"\xe6", -0.2, [(b"\xe6", -0.2)], text="", char_start=1, recovered=True),
        row(2, b"\x9d", -0.3, [(b"\x9d", -0.3)], text="", char_start=1, recovered=True),
        row(3, b"\xb1", -0.4, [(b"\xb1", -0.4), (b"\xb2", -1.5)], text="東", char_start=1),
    ]
    parent = Answer(text="A東", tokens=tokens, status="complete")
    choices = branch_choices(parent, 3)
    assert [c.text for c in choices] == ["東", "\u6772"]  # e6 9d b2: the next character
    plan = plan_branch(parent, 3, choices[1].alternative)
    assert plan.prefill.text == "A\u6772"
    chosen = plan.prefill.records[-1]
    assert (chosen.text, chosen.char_start, chosen.bytes) == ("\u6772", 1, b"\xb2")
    # At the character's first piece the prefix is whole text; at its second, a lone lead
    # byte of the choice cannot make text.
    assert plan_branch(parent, 1, "B").prefill.text == "AB"
    with pytest.raises(BranchError, match="part of a character"):
        plan_branch(parent, 2, "B")


# ------------------------------------------------------------------ where a branch cannot start


def test_where_a_branch_cannot_start_is_said_in_one_line() -> None:
    parent = reply_answer(ENGLISH)
    end = branch_choices(parent, len(parent.tokens) - 1)  # the end token's position
    assert end[0].problem == "that is the end token: the answer would stop there"
    assert end[1].problem is None and end[1].text == "\n"  # carrying on instead of stopping
    cases = [
        (lambda: plan_branch(parent, 99, " x"), "the answer has no token #100"),
        (lambda: plan_branch(parent, 2, ""), "type the text"),
        (lambda: plan_branch(parent, 2, "<|im_end|>"), "special token"),
    ]
    streaming = Answer(text="x", tokens=list(parent.tokens), status="streaming")
    cases.append((lambda: plan_branch(streaming, 0, "y"), "still being written"))
    reasoning = reply_answer(ENGLISH)
    reasoning.reasoning = "thinking"
    cases.append((lambda: plan_branch(reasoning, 0, "y"), "answer with reasoning"))
    mismatched = reply_answer(ENGLISH)
    mismatched.text = "something else"
    cases.append((lambda: plan_branch(mismatched, 3, "y"), "does not match its tokens"))
    for make, words in cases:
        with pytest.raises(BranchError, match=words) as caught:
            make()
        assert "\n" not in str(caught.value)


def test_a_branch_of_a_branch_and_of_a_given_start() -> None:
    parent = reply_answer(ENGLISH)
    first = branch_answer(parent, 2, " Blue", continuation(("\n", -0.5), ("2", -0.1)))
    second = branch_answer(first, 3, " and", continuation((" Red", -0.2)))
    assert second.text == "1. Blue and Red"
    assert second.prefill_tokens == 4 and second.tokens[3].note == NOTE_TYPED
    assert second.tokens[:3] == first.tokens[:3]  # " Blue" was an alternative: its logprob kept
    # An answer continued from text alone (ask --prefill): the start leads its tokens.
    given = AnswerBuilder(prefill=Prefill("Once"))
    for event in continuation((" upon", -0.3), (" a", -0.1)):
        given.apply(event)
    story = given.finish("complete")
    assert plan_branch(story, 1, " the").prefill.text == "Once upon the"
    # ... and a branch of that branch: the start given as text still leads the records.
    retold = branch_answer(story, 1, " the", continuation((" end", -0.2)))
    assert retold.text == "Once upon the end" and retold.prefill_tokens == 2
    assert plan_branch(retold, 2, " start").prefill.text == "Once upon the start"
