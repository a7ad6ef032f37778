"""Verdicts and notes: deterministic runs, single samples, identical samples, no data."""

from __future__ import annotations

import math

import pytest

from tui.core.compare import ComparePlan, PromptSpec, Sample, aggregate
from tui.core.compare.aggregate import welch_verdict
from tui.core.settings import Sampling
from tui.core.stats import summarise, welch


def plan(samples: int, temperature: float, seed: int | None = 7, k: int = 2) -> ComparePlan:
    prompts = tuple(PromptSpec.from_text(f"prompt {i}") for i in range(k))
    return ComparePlan(
        prompts, "q", samples=samples, sampling=Sampling(temperature=temperature, seed=seed)
    )


def samples_with(p: ComparePlan, means: list[list[float]]) -> list[Sample]:
    """Finished samples whose mean logprobs are ``means[prompt][sample]``."""
    out = []
    for k, row in enumerate(means):
        for i, lp in enumerate(row):
            out.append(
                Sample(
                    k,
                    p.prompts[k].label,
                    i,
                    p.seed_for(i),
                    status="ok",
                    values={
                        "mean_logprob": lp,
                        "mean_prob": math.exp(lp),
                        "perplexity": math.exp(-lp),
                        "min_prob": math.exp(2 * lp),
                        "length": 10.0,
                        "low_prob_count": 1.0,
                    },
                )
            )
    return out


def test_deterministic_single_sample_is_exact_and_says_so():
    p = plan(samples=1, temperature=0, seed=7)
    result = aggregate(p, "m", samples_with(p, [[-0.5], [-0.9]]))
    assert result.notes[0].startswith("Deterministic run (temperature 0, seed 7)")
    assert "no interval is shown" in result.notes[0]
    stats = result.prompts[1].stats["mean_logprob"]
    assert (stats.n, stats.mean, stats.sd, stats.ci_low) == (1, -0.9, None, None)
    pair = result.pairwise_for(1)[0]
    assert pair.difference.diff == pytest.approx(-0.4)
    assert not pair.difference.has_interval
    assert pair.verdict == "exact"
    assert "exact" in pair.verdict_text


def test_temperature_zero_with_many_samples_says_they_are_identical_by_construction():
    p = plan(samples=3, temperature=0, seed=7)
    result = aggregate(p, "m", samples_with(p, [[-0.5] * 3, [-0.9] * 3]))
    assert "identical by construction" in result.notes[0]
    assert "not evidence" in result.notes[0]
    s = result.prompts[0].stats["mean_logprob"]
    assert s.identical and not s.has_interval  # never a zero-width interval
    assert [pair.verdict for pair in result.pairwise] == ["exact", "exact"]


def test_temperature_zero_on_a_nondeterministic_server_is_called_out():
    p = plan(samples=3, temperature=0, seed=7)
    result = aggregate(p, "m", samples_with(p, [[-0.5] * 3, [-0.9, -0.8, -0.9]]))
    assert "should be identical by construction" in result.notes[0]
    assert "yet those of prompt 1 differ: this server is not bit-for-bit" in result.notes[0]
    # now there is variation to measure, so the verdict comes from an interval again
    assert result.pairwise_for(1)[0].verdict in ("larger_than_noise", "within_noise")
    assert result.pairwise_for(1)[0].difference.has_interval


def test_temperature_zero_without_a_seed_mentions_it():
    p = plan(samples=1, temperature=0, seed=None)
    result = aggregate(p, "m", samples_with(p, [[-0.5], [-0.9]]))
    assert result.notes[0].startswith("Deterministic run (temperature 0):")
    assert any("No seed was given" in note for note in result.notes)


def test_one_sample_at_a_positive_temperature_gives_no_verdict():
    p = plan(samples=1, temperature=0.7)
    result = aggregate(p, "m", samples_with(p, [[-0.5], [-0.9]]))
    assert "no estimate of run-to-run noise" in result.notes[0]
    assert [pair.verdict for pair in result.pairwise] == ["too_few", "too_few"]


def test_identical_samples_at_a_positive_temperature_cannot_judge_noise():
    p = plan(samples=3, temperature=0.7)
    result = aggregate(p, "m", samples_with(p, [[-0.5] * 3, [-0.9] * 3]))
    assert result.pairwise_for(1)[0].verdict == "no_variation"


def test_within_noise_when_the_interval_contains_zero():
    p = plan(samples=3, temperature=0.7)
    result = aggregate(p, "m", samples_with(p, [[-0.5, -0.9, -0.7], [-0.6, -0.8, -1.0]]))
    pair = result.pairwise_for(1)[0]
    assert pair.difference.ci_low < 0 < pair.difference.ci_high
    assert pair.verdict == "within_noise"
    assert pair.verdict_text == "within noise"


def test_a_prompt_without_successful_samples_has_no_data():
    p = plan(samples=2, temperature=0.7)
    samples = samples_with(p, [[-0.5, -0.6], []])
    samples += [Sample(1, p.prompts[1].label, i, None, status="error", error="x") for i in (0, 1)]
    result = aggregate(p, "m", samples)
    assert result.prompts[1].failed == 2 and result.prompts[1].ok == 0
    assert result.pairwise_for(1)[0].verdict == "no_data"
    assert result.best("mean_logprob") is None  # only one prompt has a value


def test_unfinished_samples_are_counted_apart():
    p = plan(samples=2, temperature=0.7)
    samples = samples_with(p, [[-0.5], [-0.9]])
    samples += [Sample(k, p.prompts[k].label, 1, 8) for k in (0, 1)]  # still pending
    result = aggregate(p, "m", samples)
    assert [q.unfinished for q in result.prompts] == [1, 1]
    assert not result.complete
    assert result.finished == 2


def test_judge_uses_variation_on_either_side():
    greedy_but_varied = welch_verdict(
        welch(summarise([-0.5]), summarise([-0.9, -0.8])),
        summarise([-0.5]),
        summarise([-0.9, -0.8]),
        greedy=True,
    )
    assert greedy_but_varied == "too_few"


def test_best_respects_each_metrics_direction():
    p = plan(samples=2, temperature=0.7, k=3)
    result = aggregate(p, "m", samples_with(p, [[-0.9, -1.0], [-0.2, -0.3], [-0.5, -0.6]]))
    assert result.best("mean_logprob") == 1
    assert result.best("mean_prob") == 1
    assert result.best("perplexity") == 1
    assert result.best("min_prob") == 1
    assert result.best("low_prob_count") == 0  # all tie at 1.0: the first wins
    assert result.best("length") is None


def test_seeded_runs_are_also_compared_pair_by_pair():
    # Shared-seed noise moves both prompts together; pairing by seed removes it:
    # d = −0.1, −0.1, −0.05 → mean −0.25/3, s² = (1/3600 + 1/3600 + 4/3600)/2 = 1/1200
    p = plan(samples=3, temperature=0.7, seed=7)
    result = aggregate(p, "m", samples_with(p, [[-0.5, -0.9, -0.7], [-0.6, -1.0, -0.75]]))
    pair = result.pairwise_for(1)[0]
    assert pair.verdict == "within_noise"  # Welch sees the whole seed-to-seed spread
    t2 = 0.95 / math.sqrt(2 * 0.975 * 0.025)
    half = t2 * math.sqrt(1 / 1200) / math.sqrt(3)
    assert pair.paired.diff == pytest.approx(-0.25 / 3)
    assert pair.paired.ci_high == pytest.approx(-0.25 / 3 + half)
    assert pair.paired_verdict == "larger_than_noise"
    assert pair.paired_verdict_text == "larger than run-to-run noise"


def test_unseeded_runs_have_no_pairs():
    p = plan(samples=3, temperature=0.7, seed=None)
    result = aggregate(p, "m", samples_with(p, [[-0.5, -0.9, -0.7], [-0.6, -1.0, -0.75]]))
    assert result.pairwise_for(1)[0].paired is None
    assert result.pairwise_for(1)[0].paired_verdict is None


def test_pairs_skip_seeds_where_either_side_failed():
    p = plan(samples=3, temperature=0.7, seed=7)
    samples = samples_with(p, [[-0.5, -0.9, -0.7], [-0.6, -1.0]])
    samples.append(Sample(1, p.prompts[1].label, 2, 9, status="error", error="boom"))
    pair = aggregate(p, "m", samples).pairwise_for(1)[0]
    assert pair.paired.n_a == 2
    assert pair.paired.diff == pytest.approx(-0.1)
