"""The labelled stats every surface shows."""

from __future__ import annotations

import math

import pytest

from tui.core.answer import Answer
from tui.core.metrics import compute_metrics
from tui.core.report import answer_rows, fmt_num, fmt_prob, fmt_seconds, metric_rows, stats_text
from tui.core.wire.events import REFUSAL_NOTICE as REFUSAL
from tui.core.wire.records import TokenRecord


def test_formatting():
    assert [fmt_prob(p) for p in (None, 0.0, 0.5, 0.0123, 0.00001234)] == [
        "–",
        "0%",
        "50.0%",
        "1.23%",
        "1.23e-05",
    ]
    assert [fmt_num(x) for x in (None, -0.5, math.inf, -math.inf, 0.0001234)] == [
        "–",
        "-0.500",
        "∞",
        "−∞",
        "1.23e-04",
    ]
    assert [fmt_seconds(x) for x in (None, 0.25, 2.5)] == ["–", "250 ms", "2.50 s"]


def rows(*lps):
    return [TokenRecord(i, "answer", "x", "x", b"x", lp) for i, lp in enumerate(lps)]


def test_metric_rows_by_hand():
    m = compute_metrics(rows(math.log(0.5), math.log(0.25), None), completion_tokens=4)
    table = dict(metric_rows(m))
    assert table["Tokens"] == "3 (1 without a usable logprob)"
    assert table["Σ logprob"] == f"{math.log(0.5) + math.log(0.25):.3f}"  # -2.079
    assert table["Mean prob exp(mean) = 1/PPL"] == f"{math.sqrt(0.5 * 0.25) * 100:.1f}%"
    assert table["Lowest prob"] == "25.0% at token #2"  # 1-based: the second token
    assert table["Coverage rows/completion tokens"] == "3/4 = 75%"
    assert table["Joint prob exp(Σ)"] == f"12.5%  (log10 {math.log10(0.125):.2f})"


def test_joint_prob_labels():
    underflow = dict(metric_rows(compute_metrics(rows(*([-2.0] * 400)))))
    assert underflow["Joint prob exp(Σ)"] == f"underflow  (log10 {-800 / math.log(10):.2f})"
    nothing = dict(metric_rows(compute_metrics([])))
    assert nothing["Joint prob exp(Σ)"] == "–"  # not "underflow": there is nothing at all
    assert nothing["Coverage rows/completion tokens"] == "–"


def test_stats_text_of_an_answer_without_logprobs_says_so():
    answer = Answer(text="hi", status="complete", finish_reason="stop", model="m")
    text = stats_text(answer)
    assert text.splitlines()[0].split() == ["Logprobs", "none", "returned", "by", "the", "server"]
    assert "Finish" in text and "stop" in text


def test_server_text_in_the_stats_is_made_safe():
    answer = Answer(status="stopped", finish_reason="stop\x1b]0;pwned\x07", model="m\x1b[2J")
    table = dict(answer_rows(answer))
    assert table["Finish"] == "stop␛]0;pwned␇ (stopped)"
    assert table["Model"] == "m␛[2J"


def test_one_token_number_counted_from_1():
    from tui.core.report import token_number

    assert [token_number(i) for i in (0, 1, 306)] == [1, 2, 307]


def test_coverage_words_next_to_the_numbers_only_when_tokens_are_left_out():
    from tui.core.report import coverage_words

    part = compute_metrics(rows(-0.1, -0.2), completion_tokens=5)
    assert coverage_words(part) == "covers 2 of 5 tokens"
    assert (
        dict(answer_rows(Answer(tokens=rows(-0.1, -0.2), usage={"completion_tokens": 5})))["Covers"]
        == "covers 2 of 5 tokens"
    )
    assert answer_rows(Answer(tokens=rows(-0.1), usage={"completion_tokens": 5}))[0][0] == "Covers"
    whole = compute_metrics(rows(-0.1, -0.2), completion_tokens=2)
    assert coverage_words(whole) is None
    assert coverage_words(compute_metrics(rows(-0.1))) is None  # no usage: nothing to say
    assert "Covers" not in dict(
        answer_rows(Answer(tokens=rows(-0.1), usage={"completion_tokens": 1}))
    )


@pytest.mark.parametrize(
    ("status", "finish", "completion", "notices", "label", "line"),
    [
        ("complete", "stop", 10, [], "complete", "stop"),
        ("complete", "length", 512, [], "cut: max_tokens", "cut: max_tokens (length)"),
        ("complete", "length", 132, [], "cut: context full", "cut: context full (length)"),
        ("complete", "length", None, [], "cut: max_tokens", "cut: max_tokens (length)"),
        ("complete", "stop", 12, [REFUSAL], "refusal", "refusal (stop)"),
        ("stopped", "length", 5, [], "stopped", "length (stopped)"),
        ("error", None, None, [], "error", "– (error)"),
    ],
)
def test_how_an_answer_ended_in_one_set_of_words(status, finish, completion, notices, label, line):
    from tui.core.report import finish_label

    usage = None if completion is None else {"completion_tokens": completion}
    answer = Answer(status=status, finish_reason=finish, usage=usage, notices=notices)
    assert finish_label(answer, max_tokens=512) == label
    assert dict(answer_rows(answer, max_tokens=512))["Finish"] == line


def test_the_stop_probability_is_reported_apart():
    end = TokenRecord(2, "other", "", "", b"", math.log(0.8))
    m = compute_metrics([*rows(-0.1, -0.2), end], completion_tokens=3)
    table = dict(metric_rows(m))
    assert table["Stop probability"] == "80.0% (end token, not above)"
    assert m.tokens == 2 and m.coverage == 1.0  # never an answer token; counted as a row
    assert "Stop probability" not in dict(metric_rows(compute_metrics(rows(-0.1))))
