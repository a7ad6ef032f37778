"""How comparison numbers read: intervals, single samples, equal samples, differences."""

from __future__ import annotations

from tui.core.compare import ComparePlan, PromptSpec, Sample, aggregate
from tui.core.compare.format import (
    difference_text,
    mean_with_interval,
    metric_cell,
    reading_text,
    sample_cell,
)
from tui.core.settings import Sampling
from tui.core.stats import Difference, summarise


def test_mean_with_interval_in_each_case():
    # 1, 2, 4 → mean 2.333, half-width t₀.₉₇₅,₂ · √(7/3)/√3 = 4.3027 · 0.8819 = 3.795
    assert mean_with_interval(summarise([1.0, 2.0, 4.0])) == "2.333 ± 3.795"
    assert mean_with_interval(summarise([-0.5])) == "-0.500 (n=1)"
    assert mean_with_interval(summarise([-0.5, -0.5])) == "-0.500 (all equal)"
    assert mean_with_interval(summarise([])) == "–"


def test_metric_cells():
    assert metric_cell("mean_prob", summarise([0.5, 0.6])) == "55.0%"
    assert metric_cell("min_prob", summarise([0.0123])) == "1.23%"
    assert metric_cell("perplexity", summarise([2.0, 2.5])) == "2.25"
    assert metric_cell("length", summarise([10.0, 13.0])) == "11.5"
    assert metric_cell("low_prob_count", summarise([])) == "–"


def test_difference_text():
    d = Difference(3, 3, 0.1214, 0.2, 4.0, 2.776, -0.5381, 0.7809)
    assert difference_text(d, "mean_logprob") == "+0.121 [-0.538, +0.781]"
    p = Difference(3, 3, 0.067, 0.1, 4.0, 2.776, -0.244, 0.377)
    assert difference_text(p, "mean_prob") == "+6.7 pp [-24.4, +37.7]"
    none = Difference(1, 1, -0.2, None, None, None, None, None)
    assert difference_text(none, "mean_logprob") == "-0.200"
    assert difference_text(None, "mean_logprob") == "–"


def test_sample_cells():
    assert sample_cell(Sample(0, "a", 0, None, status="ok", values={"mean_logprob": -0.25})) == (
        "-0.250"
    )
    assert sample_cell(Sample(0, "a", 0, None, status="error", error="x")) == "✗"
    assert sample_cell(Sample(0, "a", 0, None, status="cancelled")) == "–"


def test_the_reading_explains_same_seed_pairs_only_when_there_are_any():
    prompts = (PromptSpec.from_text("a"), PromptSpec.from_text("b"))
    seeded = aggregate(ComparePlan(prompts, "q", sampling=Sampling(seed=1)), "m", [])
    unseeded = aggregate(ComparePlan(prompts, "q"), "m", [])
    assert "excludes 0" in reading_text(unseeded)
    assert '"same seed"' in reading_text(seeded)
    assert '"same seed"' not in reading_text(unseeded)
