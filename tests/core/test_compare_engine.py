"""Prompt comparison on the real embedded model (SmolLM2-135M through llama.cpp)."""

from __future__ import annotations

import math

import pytest

from tui.core.compare import ComparePlan, Comparison, PromptSpec
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient

pytestmark = [pytest.mark.engine, pytest.mark.slow]


async def test_two_prompts_three_samples_on_the_embedded_model(engine):
    plan = ComparePlan(
        (
            PromptSpec.from_text("あなたは親切なアシスタントです。"),
            PromptSpec.from_text("Answer in one word."),
        ),
        "日本の首都はどこですか？",
        samples=3,
        sampling=Sampling(temperature=0.8, max_tokens=12, seed=11),
        concurrency=4,
    )
    seen = []
    async with ChatClient(Connection(engine.base_url, api_key=engine.api_key)) as client:
        result = await Comparison(client, plan, engine.model).run(on_sample=seen.append)

    assert len(seen) == 6
    assert result.complete and result.failed == 0, [s.error for s in result.samples]
    for sample in result.samples:
        answer = sample.answer
        assert answer is not None and answer.status == "complete"
        assert answer.text and answer.tokens
        assert answer.model == engine.model
        values = sample.values
        assert values["mean_logprob"] is not None and values["mean_logprob"] <= 0
        assert values["mean_prob"] == pytest.approx(math.exp(values["mean_logprob"]))
        assert 0 < values["min_prob"] <= values["mean_prob"] <= 1
        assert 1 <= values["length"] <= 12
    for prompt in result.prompts:
        stats = prompt.stats["mean_logprob"]
        assert (prompt.ok, stats.n) == (3, 3)
        mean = sum(s.values["mean_logprob"] for s in result.samples_of(prompt.index)) / 3
        assert stats.mean == pytest.approx(mean)
        if stats.has_interval:
            assert stats.ci_low < stats.mean < stats.ci_high
    (lp, prob) = result.pairwise
    assert prob.metric == "mean_prob" and prob.difference.diff is not None
    assert lp.difference.diff == pytest.approx(
        result.prompts[1].stats["mean_logprob"].mean - result.prompts[0].stats["mean_logprob"].mean
    )
    assert lp.verdict in ("larger_than_noise", "within_noise", "no_variation")
    assert lp.paired is not None and lp.paired.n_a == 3


async def test_top_logprobs_0_never_empties_a_comparison(engine):
    # llama.cpp returns no logprobs at all for top_logprobs 0: the client asks for 1 and
    # hides it, so every sample still has its numbers (it used to be "no successful samples").
    from tui.core.compare.format import prompt_covers

    plan = ComparePlan(
        (PromptSpec.from_text("Be brief."), PromptSpec.from_text("Be kind.")),
        "Name a color.",
        samples=1,
        sampling=Sampling(temperature=0.7, top_logprobs=0, max_tokens=8, seed=3),
        concurrency=2,
    )
    async with ChatClient(Connection(engine.base_url, api_key=engine.api_key)) as client:
        result = await Comparison(client, plan, engine.model).run()
    assert result.failed == 0 and all(p.ok == 1 for p in result.prompts)
    for sample in result.samples:
        assert sample.values["mean_logprob"] is not None
        assert all(t.top_count == 0 for t in sample.answer.tokens)  # the one asked is hidden
    assert all(prompt_covers(p) is None for p in result.prompts)  # every token covered
