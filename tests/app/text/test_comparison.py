"""The compare screen's strings: table cells and best marks, progress, histograms, sample lines."""

from __future__ import annotations

import math

import pytest

from tui.app.text.comparison import (
    TABLE_COLUMNS,
    bin_counts,
    distribution,
    histogram,
    progress_text,
    sample_line,
    table_rows,
)
from tui.core.answer import AnswerBuilder
from tui.core.compare import ComparePlan, PromptSpec, Sample, aggregate
from tui.core.settings import Sampling
from tui.core.wire.events import TextDelta

COLUMN = {key: i for i, (key, _, _) in enumerate(TABLE_COLUMNS)}


def ok(k: int, i: int, mean_logprob: float, length: float = 2.0, low: float = 0.0) -> Sample:
    sample = Sample(k, f"p{k}", i, None, status="ok")
    sample.values = {
        "mean_logprob": mean_logprob,
        "mean_prob": math.exp(mean_logprob),
        "perplexity": math.exp(-mean_logprob),
        "min_prob": math.exp(mean_logprob * 2),
        "length": length,
        "low_prob_count": low,
    }
    return sample


def result_of(samples: list[Sample], prompts: int = 2, n: int = 3):
    plan = ComparePlan(
        tuple(PromptSpec.from_text(f"prompt {k}") for k in range(prompts)),
        "q",
        samples=n,
        sampling=Sampling(),
    )
    return aggregate(plan, "m", samples)


def test_rows_mark_the_most_confident_mean_of_each_column():
    samples = [ok(0, i, lp) for i, lp in enumerate((-0.2, -0.4, -0.6))]
    samples += [ok(1, i, lp, length=3, low=1) for i, lp in enumerate((-1.0, -1.2, -1.4))]
    rows = table_rows(result_of(samples))
    first, second = rows
    assert [c.text for c in first[:3]] == ["1", "prompt 0", "3/3"]
    # Mean −0.4, sd 0.2, half-width t(0.975, 2)·0.2/√3 = 0.497.
    assert first[COLUMN["mean_logprob"]].text == "-0.400 ± 0.497*"
    assert first[COLUMN["mean_logprob"]].best
    assert second[COLUMN["mean_logprob"]].text == "-1.200 ± 0.497 "
    assert not second[COLUMN["mean_logprob"]].best
    assert first[COLUMN["verdict"]].text == "baseline"
    assert second[COLUMN["verdict"]].text == "larger than run-to-run noise"
    # Lower is better for perplexity and low-prob counts; length has no direction.
    assert first[COLUMN["perplexity"]].best and not second[COLUMN["perplexity"]].best
    assert first[COLUMN["low_prob_count"]].text == "0.0*"
    assert second[COLUMN["length"]].text == "3.0 "
    assert not any(row[COLUMN["length"]].best for row in rows)


def test_failed_samples_show_in_the_n_column_and_the_progress():
    failed = Sample(1, "p1", 2, None, status="error", error="HTTP 500: boom")
    samples = [ok(0, i, -0.5 - i / 10) for i in range(3)]
    samples += [ok(1, 0, -1.0), ok(1, 1, -1.1), failed]
    result = result_of(samples)
    assert table_rows(result)[1][COLUMN["n"]].text == "2/3 ✗1"
    assert progress_text(result, "finished") == "6/6 done (2×3), 1 failed · finished"
    pending = result_of([*samples[:2], Sample(0, "p0", 2, None), *samples[3:]])
    assert progress_text(pending, "running").startswith("5/6 done (2×3), 1 failed")


def test_histogram_bins_share_one_scale_and_one_peak():
    assert bin_counts([0.0, 0.5, 1.0, 1.0], 0.0, 1.0, 4) == [1, 0, 1, 2]
    assert histogram([0.0, 0.5, 1.0, 1.0], 0.0, 1.0, 4, peak=2) == "▄·▄█"
    # A lower peak from another row makes the same counts look fuller.
    assert histogram([0.0], 0.0, 1.0, 4, peak=4) == "▂···"
    # No spread at all: everything in the middle bin.
    assert histogram([0.3, 0.3], 0.3, 0.3, 5, peak=2) == "··█··"


def test_distribution_rows_use_the_extremes_of_all_prompts():
    samples = [ok(0, i, lp) for i, lp in enumerate((-0.2, -0.4, -0.6))]
    samples += [ok(1, i, lp) for i, lp in enumerate((-1.0, -1.2, -1.4))]
    dist = distribution(result_of(samples), 13)
    assert (dist.low, dist.high) == (-1.4, -0.2)
    assert [label for label, _, _ in dist.rows] == ["prompt 0", "prompt 1"]
    first, second = dist.rows[0][1], dist.rows[1][1]
    assert len(first) == len(second) == 13
    assert first[-1] == "█" and first[0] == "·"  # −0.2 is the top of the scale
    assert second[0] == "█" and second[-1] == "·"  # −1.4 the bottom
    assert dist.rows[1][2] == "-1.40 … -1.00 (n=3)"
    assert dist.axis(20) == "-1.40" + " " * 10 + "-0.20"
    empty = distribution(result_of([ok(0, 0, -0.5)]), 10)
    assert empty.rows[1] == ("prompt 1", " " * 10, "no samples yet")
    assert distribution(result_of([]), 10).rows == []


def answer_with_text(text: str):
    builder = AnswerBuilder()
    builder.apply(TextDelta(text))
    return builder.finish("complete")


def test_sample_lines_are_one_safe_line():
    sample = ok(0, 2, math.log(0.819), length=12)
    sample.answer = answer_with_text("東京です。\n\x1b[31m[bold]首都[/bold]\x1b]52;c;AAAA\x07 です")
    line = sample_line(sample, 60)
    assert line.startswith("#3   ok         p  81.9%   12 tok  東京です。")
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert "[bold]首都[/bold]" in line  # shown literally (the screen never parses markup)

    failed = Sample(1, "p1", 0, None, status="error", error="HTTP 500 from the server: boom")
    expected = "#1   ✗ failed   p      –        –  HTTP 500 from the server: boom"
    assert sample_line(failed) == expected
    waiting = Sample(1, "p1", 4, None)
    assert sample_line(waiting).rstrip() == "#5   waiting    p      –        –"


@pytest.mark.parametrize("width", [8, 20])
def test_long_answers_are_cut_to_the_width(width):
    sample = ok(0, 0, -0.1)
    sample.answer = answer_with_text("word " * 100)
    words = sample_line(sample, width).split("tok  ", 1)[1]
    assert words.endswith("…")
    assert len(words) <= width
