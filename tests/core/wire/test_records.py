"""TokenRecord: probabilities, residual mass, and the JSON form used by --json and the store."""

from __future__ import annotations

import math

import pytest

from tests.support import fixtures
from tui.core.wire.chunks import response_events
from tui.core.wire.events import TokensReceived
from tui.core.wire.normalise import normalise_row
from tui.core.wire.records import TokenRecord


def test_prob_and_residual_mass():
    row = TokenRecord(0, "answer", "a", "a", b"a", math.log(0.25), top_mass=0.75, top_count=2)
    assert row.prob == pytest.approx(0.25)
    assert row.residual_mass == pytest.approx(1 - 0.75)
    no_top = TokenRecord(0, "answer", "a", "a", b"a", None)
    assert no_top.prob is None and no_top.residual_mass is None


def test_to_dict_is_json_ready_and_from_dict_inverts_it():
    (event,) = [
        e
        for e in response_events(fixtures.body("llamacpp/chat_nonstream_japanese.json"), 5)
        if type(e) is TokensReceived
    ]
    row = event.tokens[0]  # ど, with merged-prefix alternatives
    data = row.to_dict()
    assert data["bytes"] == [227, 129, 169]
    assert data["text"] == "ど" and data["scope"] == "answer" and data["id"] == 119
    assert data["prob"] == pytest.approx(math.exp(-1.0031017065048218))
    assert [a["text"] for a in data["top_logprobs"]][:2] == ["ど", "あ"]
    assert data["top_logprobs"][0]["bytes"] == [169]  # the alternative's own bytes
    back = TokenRecord.from_dict(data)
    assert back.to_dict() == data
    assert (back.top_count, back.top_mass) == (row.top_count, pytest.approx(row.top_mass))
    assert back.top_entropy == pytest.approx(row.top_entropy)


def test_from_dict_of_a_row_without_alternatives():
    row = normalise_row({"token": "", "logprob": -0.11}, 3, "answer", 5)
    back = TokenRecord.from_dict(row.to_dict())
    assert (back.index, back.bytes, back.logprob, back.top_count) == (3, None, -0.11, 0)
    assert back.raw_top is None
