"""Paired statistics of a question set, checked against numbers worked by hand
(t₀.₉₇₅ from a printed t table, not from our own quantile function)."""

from __future__ import annotations

import math

import pytest

from tui.core.compare import PromptSpec
from tui.core.questions import Question
from tui.core.sets.plan import SetPlan
from tui.core.sets.results import SetResult
from tui.core.sets.stats import summarise_set

T3 = 3.182446305284263  # t_{0.975, 3}
T2 = 4.302652729911275  # t_{0.975, 2}

PROMPTS = (PromptSpec.from_text("A"), PromptSpec.from_text("B"), PromptSpec.from_text("C"))
QUESTIONS = tuple(Question(str(j + 1), f"q{j}", f"a{j}") for j in range(4))
BASE = [-1.0, -2.0, -0.5, -1.5]
B = [-0.8, -1.9, -0.5, -1.0]  # d = 0.2, 0.1, 0.0, 0.5
C = [-1.5, -2.6, None, -2.0]  # d = −0.5, −0.6, (failed), −0.5


def scored(values: list[list[float | None]]) -> list[SetResult]:
    results = []
    for k, column in enumerate(values):
        for j, value in enumerate(column):
            if value is None:
                results.append(SetResult(k, j, 0, "error", {}, error="boom"))
            else:
                results.append(
                    SetResult(k, j, 0, "ok", {"mean_logprob": value, "mean_prob": math.exp(value)})
                )
    return results


def test_paired_interval_wins_ties_losses_by_hand() -> None:
    plan = SetPlan(PROMPTS, QUESTIONS, mode="score")
    summary = summarise_set(plan, scored([BASE, B, C]))

    b = summary.paired_for(1)
    assert b.difference.n_a == 4
    assert b.difference.diff == pytest.approx(0.2)
    sd = math.sqrt((0.0**2 + 0.1**2 + 0.2**2 + 0.3**2) / 3)
    half = T3 * sd / 2
    assert b.difference.ci_low == pytest.approx(0.2 - half, abs=1e-12)
    assert b.difference.ci_high == pytest.approx(0.2 + half, abs=1e-12)
    assert (b.wins, b.ties, b.losses) == (3, 1, 0)  # 0.0 is within the tolerance of 0.01
    assert b.verdict == "no_difference"

    c = summary.paired_for(2)
    assert c.difference.n_a == 3  # the failed question pairs with nothing
    assert c.difference.diff == pytest.approx(-1.6 / 3)
    sd_c = math.sqrt(((0.5 - 1.6 / 3) ** 2 + (0.6 - 1.6 / 3) ** 2 + (0.5 - 1.6 / 3) ** 2) / 2)
    assert c.difference.ci_high == pytest.approx(-1.6 / 3 + T2 * sd_c / math.sqrt(3))
    assert (c.wins, c.ties, c.losses) == (0, 0, 3)
    assert c.verdict == "lower"
    assert summary.differences(2) == pytest.approx([-0.5, -0.6, -0.5])

    base, _, worse = summary.prompts
    assert base.values["mean_logprob"] == pytest.approx(sum(BASE) / 4)
    assert (worse.questions, worse.ok, worse.failed) == (3, 3, 1)
    assert worse.values["mean_logprob"] == pytest.approx((-1.5 - 2.6 - 2.0) / 3)
    # mean prob: exp per question first, then the mean (not exp of the mean logprob)
    assert base.values["mean_prob"] == pytest.approx(sum(math.exp(v) for v in BASE) / 4)
    assert summary.paired_for(1, "mean_prob").tolerance == 0.001


def test_sampled_question_values_are_the_mean_of_their_samples() -> None:
    plan = SetPlan(PROMPTS[:2], QUESTIONS[:2], samples=2)
    results = [
        SetResult(0, 0, 0, "ok", {"mean_logprob": -1.0}),
        SetResult(0, 0, 1, "ok", {"mean_logprob": -2.0}),
        SetResult(1, 0, 0, "ok", {"mean_logprob": -0.5}),
        SetResult(1, 0, 1, "error", {}),
        SetResult(0, 1, 0, "ok", {"mean_logprob": -3.0}),
    ]
    summary = summarise_set(plan, results)
    assert summary.table == ((-1.5, -0.5), (-3.0, None))
    paired = summary.paired_for(1)
    assert (paired.difference.n_a, paired.difference.diff) == (1, 1.0)
    assert paired.verdict == "too_few" and (paired.wins, paired.ties, paired.losses) == (1, 0, 0)
    assert not summary.complete and summary.done == 5 and summary.failed == 1


def test_the_same_difference_on_every_question_has_no_interval() -> None:
    plan = SetPlan(PROMPTS[:2], QUESTIONS[:3], mode="score")
    summary = summarise_set(plan, scored([[-1.0, -2.0, -3.0], [-0.5, -1.5, -2.5]]))
    assert summary.paired_for(1).verdict == "no_spread"
