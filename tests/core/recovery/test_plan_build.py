"""Recovery's pure steps on rows shaped like llama.cpp's: lining rows up with pieces, and
putting measured pieces in place (values worked out by hand here)."""

from __future__ import annotations

import math

import pytest

from tui.core.answer import Answer
from tui.core.characters import character_of
from tui.core.recovery.build import Measured, measured_from, rebuild
from tui.core.recovery.plan import align, generated_bytes, own_piece, plan_from
from tui.core.recovery.run import progress_message, recovery_candidate
from tui.core.wire.llamacpp import Piece
from tui.core.wire.records import TokenRecord

# 東京です。 as llama.cpp streams it: 東 = [230,157] + [177] (2 pieces), 京 = [228,186] + [172],
# で = [227,129] + [167], す whole, 。 whole. One row per character, id and logprob of the last
# piece (the engine_notes example: the 東 row is id 126, bytes [177] own).
PIECES = [
    Piece(30679, bytes([230, 157])),
    Piece(126, bytes([177])),
    Piece(16736, bytes([228, 186])),
    Piece(122, bytes([172])),
    Piece(7365, bytes([227, 129])),
    Piece(117, bytes([167])),
    Piece(39958, "す".encode()),
    Piece(30, "。".encode()),
]


def row(index: int, text: str, token_id: int, logprob: float, top=None) -> TokenRecord:
    data = text.encode()
    raw_top = top if top is not None else [{"id": token_id, "token": text, "bytes": list(data)}]
    return TokenRecord(
        index,
        "answer",
        text,
        text,
        data,
        logprob,
        token_id,
        raw_top=raw_top,
        top_count=len(raw_top),
    )


def rows() -> list[TokenRecord]:
    # The merged rows' own alternatives list their id with the piece's bytes only.
    return [
        row(0, "東", 126, -0.54, [{"id": 126, "token": "", "bytes": [177], "logprob": -0.54}]),
        row(1, "京", 122, -0.01, [{"id": 122, "token": "", "bytes": [172], "logprob": -0.01}]),
        row(2, "で", 117, -0.20, [{"id": 117, "token": "", "bytes": [167], "logprob": -0.20}]),
        row(3, "す", 39958, -0.30),
        row(4, "。", 30, -0.05),
    ]


def answer_of(tokens, completion=8, finish="length") -> Answer:
    return Answer(
        text="東京です。",
        tokens=tokens,
        raw=[{"id": t.id, "token": t.token} for t in tokens],
        usage={"completion_tokens": completion, "prompt_tokens": 10},
        finish_reason=finish,
        status="complete",
    )


def test_rows_line_up_with_pieces_byte_for_byte():
    tokens = rows()
    assert generated_bytes(tokens) == "東京です。".encode()
    found = align(tokens, PIECES)
    plan = plan_from(tokens, found)
    assert [len(a.pieces) for a in plan.aligned] == [2, 2, 2, 1, 1]
    assert plan.hidden_positions == [0, 2, 4]  # the first piece of 東, 京, で
    assert plan.ids == [p.id for p in PIECES] and plan.unaligned_from is None


def test_a_row_whose_last_piece_is_another_id_does_not_line_up_and_ends_the_plan():
    tokens = rows()
    tokens[1].id = 999  # the model sampled another split of 京 than /tokenize gives
    found = align(tokens, PIECES)
    assert 1 not in found and {0, 2, 3, 4} <= set(found)
    plan = plan_from(tokens, found)
    assert plan.unaligned_from == 1 and plan.hidden_positions == [0]  # only 東 is known


def test_a_row_is_one_token_when_its_own_alternative_has_its_bytes():
    whole = row(3, "す", 39958, -0.3)
    assert own_piece(whole) == (Piece(39958, "す".encode()),)
    assert own_piece(rows()[0]) is None  # 東's own entry has one byte of three


def test_a_candidate_has_llamacpp_rows_and_fewer_than_completion_tokens():
    assert recovery_candidate(answer_of(rows()))
    assert not recovery_candidate(answer_of(rows(), completion=5))  # nothing hidden
    stopped = answer_of(rows())
    stopped.status = "stopped"
    assert not recovery_candidate(stopped)
    no_ids = rows()
    no_ids[2].id = None  # not llama.cpp's shape
    assert not recovery_candidate(answer_of(no_ids))


def test_measured_pieces_go_in_place_one_entry_per_token():
    tokens = rows()
    answer = answer_of(tokens)
    plan = plan_from(tokens, align(tokens, PIECES))
    top = [
        {"id": 30679, "token": "", "bytes": [230, 157], "logprob": -0.1},
        {"id": 5, "token": "x", "bytes": [120], "logprob": -2.5},
    ]
    measured = {
        0: measured_from(PIECES[0], top),
        2: Measured(PIECES[2], -0.4, [], 20),
        4: Measured(PIECES[4], None, [], 20000),  # not found even widened
    }
    assert measured[0] is not None and measured[0].logprob == -0.1
    after = rebuild(answer, plan, measured, None, keep_top=1)
    assert [t.id for t in after.tokens] == [p.id for p in PIECES]
    assert [t.bytes for t in after.tokens] == [p.data for p in PIECES]
    assert [t.index for t in after.tokens] == list(range(8))
    assert [t.recovered for t in after.tokens] == [True, False] * 3 + [False, False]
    assert [t.logprob for t in after.tokens] == [-0.1, -0.54, -0.4, -0.01, None, -0.2, -0.3, -0.05]
    # Each character still shows once, on its last piece; pieces say what they form.
    assert [t.text for t in after.tokens] == ["", "東", "", "京", "", "で", "す", "。"]
    assert [t.char_start for t in after.tokens] == [0, 0, 2, 2, 4, 4, None, None]
    assert after.tokens[0].top_count == 1 and after.tokens[0].alternatives()[0].logprob == -0.1
    # Raw rows keep the same positions: a measured piece is a llama.cpp-shaped row, marked.
    assert after.raw[0]["recovered"] is True and after.raw[1] == answer.raw[0]
    # Metrics: 8 tokens, 1 unknown; coverage 8/8; the original answer is untouched.
    m = after.metrics
    assert (m.tokens, m.unknown, m.rows_received, m.coverage) == (8, 1, 8, 1.0)
    assert m.sum_logprob == pytest.approx(-0.1 - 0.54 - 0.4 - 0.01 - 0.2 - 0.3 - 0.05)
    assert len(answer.tokens) == 5 and answer.tokens[0].bytes == "東".encode()


def test_the_end_token_measured_for_a_stream_is_a_row_apart():
    tokens = rows()
    answer = answer_of(tokens, completion=9, finish="stop")
    plan = plan_from(tokens, align(tokens, PIECES))
    measured = {p: Measured(PIECES[p], -0.1, [], 20) for p in plan.hidden_positions}
    end = Measured(Piece(2, b""), math.log(0.9), [{"id": 2, "token": "", "bytes": []}], 20)
    after = rebuild(answer, plan, measured, end, keep_top=0)
    last = after.tokens[-1]
    assert (last.scope, last.token, last.bytes, last.recovered) == ("other", "", b"", True)
    assert after.metrics.stop_prob == pytest.approx(0.9)
    assert after.metrics.tokens == 8 and after.metrics.coverage == 1.0  # 9 rows, 9 tokens


def test_a_character_s_probability_is_the_product_of_its_pieces():
    tokens = rows()
    plan = plan_from(tokens, align(tokens, PIECES))
    measured = {p: Measured(PIECES[p], math.log(0.5), [], 20) for p in plan.hidden_positions}
    after = rebuild(answer_of(tokens), plan, measured, None, keep_top=0)
    char = character_of(after.tokens, 1)  # 東's last piece
    assert char is not None and char.text == "東"
    assert [t.index for t in char.pieces] == [0, 1]
    assert [p for _, p in char.piece_probs()] == pytest.approx([0.5, math.exp(-0.54)])
    assert char.prob == pytest.approx(0.5 * math.exp(-0.54))
    assert character_of(after.tokens, 0).pieces == char.pieces  # from either piece
    assert character_of(after.tokens, 6) is None  # す stands alone


def test_progress_words():
    assert progress_message(42, 43) == "recovering 42 split-character tokens…"
    assert progress_message(42, 43, 10) == "recovering 42 split-character tokens… 10/43"
    assert progress_message(1, 1) == "recovering 1 split-character token…"
    assert progress_message(0, 1) == "measuring the end token's probability…"
