"""Confidence metrics against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from tui.core.metrics import Metrics, MetricsAccumulator, compute_metrics
from tui.core.wire.records import TokenRecord

approx = pytest.approx


def row(index, logprob, scope="answer", top=None, note=""):
    """A row whose top list holds the given logprobs (mass/entropy worked out here)."""
    mass = sum(math.exp(lp) for lp in top or [])
    entropy = -sum(math.exp(lp) * lp for lp in top or []) if top else None
    return TokenRecord(
        index,
        scope,
        f"t{index}",
        f"t{index}",
        b"",
        logprob,
        note=note,
        top_mass=mass,
        top_entropy=entropy,
        top_count=len(top or []),
        raw_top=[{"logprob": lp} for lp in top] if top else None,
    )


ROWS = [
    row(0, -0.1, top=[-0.1, -2.5]),
    row(1, -2.0, top=[-0.5, -2.0, -3.0]),
    row(2, None, note="sentinel"),  # unknown: counted, not averaged
    row(3, -0.5, scope="reasoning", top=[-0.5]),
    row(4, -3.0, top=[-0.2, -3.0]),
    row(5, 0.0),  # certain, no top list
]


def test_every_field_by_hand():
    m = compute_metrics(ROWS, completion_tokens=8)
    lps = [-0.1, -2.0, -3.0, 0.0]  # answer rows with a usable logprob
    s = -0.1 + -2.0 + -3.0 + 0.0  # = -5.1
    n = 4
    assert m.tokens == 5  # answer rows, the unknown one included
    assert m.unknown == 1
    assert m.known == 4
    assert m.sum_logprob == approx(s)
    assert m.mean_logprob == approx(s / n)
    assert m.mean_prob == approx(math.exp(s / n))
    assert m.mean_prob == approx(1 / m.perplexity)  # geometric mean = 1 / PPL
    assert m.perplexity == approx(math.exp(-s / n))
    assert m.joint_prob == approx(math.exp(s))
    assert m.joint_log10 == approx(s / math.log(10))
    assert m.arithmetic_mean_prob == approx(sum(math.exp(lp) for lp in lps) / n)
    assert m.min_prob == approx(math.exp(-3.0))
    assert m.min_prob_index == 4  # the row's own index, not its rank among answer rows
    assert m.low_prob_count == 1  # e^-3.0 = 0.0498 < 0.1; e^-2.0 = 0.135 is not
    assert m.low_prob_threshold == 0.1
    # Entropy and residual: answer rows with a top list (0, 1, 4).
    h0 = -(math.exp(-0.1) * -0.1 + math.exp(-2.5) * -2.5)
    h1 = -(math.exp(-0.5) * -0.5 + math.exp(-2.0) * -2.0 + math.exp(-3.0) * -3.0)
    h4 = -(math.exp(-0.2) * -0.2 + math.exp(-3.0) * -3.0)
    assert m.mean_entropy == approx((h0 + h1 + h4) / 3)
    r0 = 1 - (math.exp(-0.1) + math.exp(-2.5))
    r1 = 1 - (math.exp(-0.5) + math.exp(-2.0) + math.exp(-3.0))
    r4 = 1 - (math.exp(-0.2) + math.exp(-3.0))
    assert m.mean_residual_mass == approx((r0 + r1 + r4) / 3)
    # Coverage counts rows of every scope: 6 rows for 8 completion tokens.
    assert (m.rows_received, m.completion_tokens, m.coverage) == (6, 8, approx(6 / 8))


def test_low_prob_count_threshold():
    # p = e^-2.0 = 0.1353 and e^-3.0 = 0.0498: only the second is below 0.1 ...
    assert compute_metrics([row(0, -2.0), row(1, -3.0)]).low_prob_count == 1
    # ... and with τ = 0.2 both are.
    assert compute_metrics([row(0, -2.0), row(1, -3.0)], threshold=0.2).low_prob_count == 2
    # A probability exactly at τ is not below it: ln(0.5) at τ = 0.5.
    assert compute_metrics([row(0, math.log(0.5))], threshold=0.5).low_prob_count == 0


def test_reasoning_scope_on_request():
    m = compute_metrics(ROWS, scopes=("reasoning",))
    assert (m.tokens, m.sum_logprob, m.min_prob_index) == (1, -0.5, 3)
    both = compute_metrics(ROWS, scopes=("answer", "reasoning"))
    assert both.sum_logprob == approx(-0.1 + -2.0 + -0.5 + -3.0 + 0.0)


def test_min_position_is_the_first_of_equal_minima():
    m = compute_metrics([row(0, -0.3), row(1, -1.0), row(2, -1.0)])
    assert m.min_prob_index == 1


def test_no_usable_logprob_gives_none_not_zero():
    m = compute_metrics([row(0, None, note="sentinel"), row(1, None, note="speculative")])
    assert (m.tokens, m.unknown) == (2, 2)
    none_fields = (
        m.sum_logprob,
        m.mean_logprob,
        m.mean_prob,
        m.joint_prob,
        m.joint_log10,
        m.perplexity,
        m.arithmetic_mean_prob,
        m.min_prob,
        m.min_prob_index,
        m.mean_entropy,
        m.mean_residual_mass,
        m.coverage,
    )
    assert none_fields == (None,) * 12
    assert m.low_prob_count == 0
    empty = compute_metrics([], completion_tokens=5)
    assert (empty.tokens, empty.coverage, empty.mean_prob) == (0, 0.0, None)


def test_joint_probability_underflows_but_log10_does_not():
    rows = [row(i, -2.0) for i in range(400)]  # Σ = -800: e^-800 underflows a double
    m = compute_metrics(rows)
    assert m.sum_logprob == approx(400 * -2.0)
    assert m.joint_prob == 0.0
    assert m.joint_log10 == approx(-800 / math.log(10))  # -347.4...
    assert m.mean_prob == approx(math.exp(-2.0))
    assert m.perplexity == approx(math.exp(2.0))


def test_perplexity_overflow_is_infinite_not_an_error():
    m = compute_metrics([row(0, -800.0)])
    assert m.perplexity == math.inf
    assert m.mean_prob == 0.0


def test_live_accumulator_equals_the_final_computation():
    acc = MetricsAccumulator(("answer",))
    for r in ROWS:
        acc.add(r)
    assert acc.snapshot(8) == compute_metrics(ROWS, completion_tokens=8)
    # ... also at every point on the way (the TUI shows the running numbers).
    acc = MetricsAccumulator(("answer",))
    for i, r in enumerate(ROWS):
        acc.add(r)
        assert acc.snapshot() == compute_metrics(ROWS[: i + 1])


def test_metrics_round_trip_through_a_dict():
    m = compute_metrics(ROWS, completion_tokens=8)
    data = m.to_dict()
    assert set(data) >= {
        "tokens",
        "sum_logprob",
        "mean_logprob",
        "mean_prob",
        "joint_prob",
        "perplexity",
        "min_prob",
        "low_prob_count",
        "coverage",
    }
    assert Metrics.from_dict({**data, "a_future_key": 1}) == m


def test_the_end_token_is_the_stop_probability_never_an_answer_token():
    text = [TokenRecord(i, "answer", "x", "x", b"x", -0.5) for i in range(3)]
    end = TokenRecord(3, "other", "", "", b"", math.log(0.25))  # llama.cpp's end row
    m = compute_metrics([*text, end], completion_tokens=4)
    assert m.stop_logprob == math.log(0.25) and m.stop_prob == pytest.approx(0.25)
    assert (m.tokens, m.rows_received, m.coverage) == (3, 4, 1.0)
    assert m.mean_logprob == -0.5  # the end token is not in it
    # Only a final row is the end token; a zero-width row followed by text is not.
    assert compute_metrics([end, *text]).stop_logprob is None
    assert Metrics.from_dict(m.to_dict()) == m
    old = {k: v for k, v in m.to_dict().items() if k != "stop_logprob"}  # written before
    assert Metrics.from_dict(old).stop_logprob is None
