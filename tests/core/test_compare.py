"""Prompt comparison against the scripted server: requests sent, aggregates computed by hand,
concurrency observed at the server, failures kept per sample, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable

import pytest

from tests.support.compare_replies import (
    CAREFUL,
    LOGPROBS,
    QUESTION,
    SEED,
    T2,
    T4,
    TERSE,
    endless_reply,
    scripted_reply,
    system_of,
)
from tests.support.scripted_server import (
    Pause,
    Reply,
    Request,
    ScriptedServer,
    chat_chunk,
    default_reply,
    stream_of,
    usage_chunk,
)
from tui.core.compare import ComparePlan, Comparison, PromptSpec
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient


def plan_of(*systems: str, samples: int = 3, concurrency: int = 2, **sampling) -> ComparePlan:
    return ComparePlan(
        tuple(PromptSpec.from_text(s) for s in systems),
        QUESTION,
        samples=samples,
        sampling=Sampling(**{"seed": SEED, "max_tokens": 32, **sampling}),
        concurrency=concurrency,
    )


def client_for(server: ScriptedServer) -> ChatClient:
    return ChatClient(Connection(server.base_url, api_key="test-key-123"))


def by_hand(xs: list[float], t: float) -> tuple[float, float, float, float]:
    """mean, sd, lower and upper 95 % bound with the given t quantile."""
    n = len(xs)
    mean = sum(xs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def check(summary, xs: list[float], t: float) -> None:
    mean, sd, low, high = by_hand(xs, t)
    assert summary.n == len(xs)
    assert summary.mean == pytest.approx(mean, rel=1e-12)
    assert summary.sd == pytest.approx(sd, rel=1e-9)
    assert summary.ci_low == pytest.approx(low, rel=1e-9)
    assert summary.ci_high == pytest.approx(high, rel=1e-9)


async def leftover_tasks() -> set[asyncio.Task]:
    """Tasks other than the test's once the loop has had a moment to run finalisers (an async
    generator left by ``break`` is closed by a short task the loop creates)."""
    for _ in range(20):
        await asyncio.sleep(0.005)
    return asyncio.all_tasks() - {asyncio.current_task()}


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


# --------------------------------------------------------------------------- aggregates


async def test_aggregates_match_hand_computed_values(scripted):
    scripted.default = scripted_reply(LOGPROBS)
    plan = plan_of(CAREFUL, TERSE, samples=3)
    async with client_for(scripted) as client:
        result = await Comparison(client, plan, "scripted-model").run()

    assert result.complete and result.finished == 6 and result.failed == 0
    careful, terse = result.prompts
    assert (careful.label, careful.ok, careful.failed) == (CAREFUL, 3, 0)
    assert (terse.label, terse.ok, terse.failed) == (TERSE, 3, 0)

    # mean logprob per sample: careful −0.2, −0.4, −0.6 (mean −0.4, sd 0.2);
    # terse −1.0, −1.2, −1.4 (mean −1.2, sd 0.2); t on 2 df.
    check(careful.stats["mean_logprob"], [-0.2, -0.4, -0.6], T2)
    check(terse.stats["mean_logprob"], [-1.0, -1.2, -1.4], T2)
    assert careful.stats["mean_logprob"].mean == pytest.approx(-0.4)
    assert careful.stats["mean_logprob"].sd == pytest.approx(0.2)
    assert careful.stats["mean_logprob"].half_width == pytest.approx(T2 * 0.2 / math.sqrt(3))
    # mean prob = exp(mean logprob) per sample, then averaged; perplexity = exp(−mean logprob)
    e = math.exp
    check(careful.stats["mean_prob"], [e(-0.2), e(-0.4), e(-0.6)], T2)
    check(terse.stats["mean_prob"], [e(-1.0), e(-1.2), e(-1.4)], T2)
    check(careful.stats["perplexity"], [e(0.2), e(0.4), e(0.6)], T2)
    # min prob: the lowest token of each sample
    check(careful.stats["min_prob"], [e(-0.3), e(-0.4), e(-0.7)], T2)
    check(terse.stats["min_prob"], [e(-2.5), e(-1.2), e(-3.0)], T2)
    # length and low-probability count
    check(terse.stats["length"], [3.0, 2.0, 3.0], T2)
    check(terse.stats["low_prob_count"], [1.0, 0.0, 1.0], T2)
    # careful: every sample has 2 tokens and no low-prob token: no spread, so no interval
    for name in ("length", "low_prob_count"):
        s = careful.stats[name]
        assert s.identical and not s.has_interval and s.half_width is None
    assert careful.stats["length"].mean == 2.0

    # terse − careful, Welch: both s = 0.2, n = 3 → se = √(0.04/3 + 0.04/3), ν = 4
    (diff_lp, diff_p) = result.pairwise_for(1)
    assert (diff_lp.metric, diff_lp.baseline_label, diff_lp.label) == (
        "mean_logprob",
        CAREFUL,
        TERSE,
    )
    se = math.sqrt(0.04 / 3 + 0.04 / 3)
    d = diff_lp.difference
    assert d.diff == pytest.approx(-0.8)
    assert d.se == pytest.approx(se)
    assert d.df == pytest.approx(4.0)
    assert d.ci_low == pytest.approx(-0.8 - T4 * se)
    assert d.ci_high == pytest.approx(-0.8 + T4 * se)
    assert d.excludes_zero and diff_lp.verdict == "larger_than_noise"
    assert diff_lp.verdict_text == "larger than run-to-run noise"
    # mean prob: Welch with unequal spreads, ν by Welch–Satterthwaite, computed here by hand
    pa = [e(-0.2), e(-0.4), e(-0.6)]
    pb = [e(-1.0), e(-1.2), e(-1.4)]
    ma, sa, _, _ = by_hand(pa, T2)
    mb, sb, _, _ = by_hand(pb, T2)
    va, vb = sa**2 / 3, sb**2 / 3
    assert diff_p.difference.diff == pytest.approx(mb - ma)
    assert diff_p.difference.se == pytest.approx(math.sqrt(va + vb))
    assert diff_p.difference.df == pytest.approx((va + vb) ** 2 / (va**2 / 2 + vb**2 / 2))
    assert diff_p.verdict == "larger_than_noise"
    # seeded, so also paired by seed: terse − careful is −0.8 for every seed, so no spread
    assert diff_lp.paired.diff == pytest.approx(-0.8)
    assert not diff_lp.paired.has_interval
    assert diff_lp.paired_verdict == "no_variation"

    assert result.best("mean_logprob") == 0
    assert result.best("perplexity") == 0
    assert result.best("low_prob_count") == 0
    assert result.best("length") is None
    assert any("seed 100 + i" in note for note in result.notes)


async def test_requests_carry_each_prompt_seed_history_and_question(scripted):
    table = {None: [[-0.5]] * 2, CAREFUL: [[-0.5]] * 2}
    scripted.default = scripted_reply(table)
    plan = ComparePlan(
        (PromptSpec.from_text(""), PromptSpec.from_text(CAREFUL)),
        QUESTION,
        samples=2,
        sampling=Sampling(temperature=0.9, seed=SEED, max_tokens=7, top_logprobs=3),
        history=(
            {"role": "system", "content": "dropped"},
            {"role": "user", "content": "こんにちは"},
            {"role": "assistant", "content": "はい"},
        ),
    )
    async with client_for(scripted) as client:
        result = await Comparison(client, plan, "m1").run()
    assert result.complete
    sent = sorted(
        (system_of(r) or "", r.json["seed"], r.json["temperature"], r.json["max_tokens"])
        for r in scripted.chat_requests()
    )
    assert sent == [
        ("", 100, 0.9, 7),
        ("", 101, 0.9, 7),
        (CAREFUL, 100, 0.9, 7),
        (CAREFUL, 101, 0.9, 7),
    ]
    for request in scripted.chat_requests():
        body = request.json
        assert body["model"] == "m1" and body["top_logprobs"] == 3 and body["logprobs"] is True
        assert body["messages"][-3:] == [
            {"role": "user", "content": "こんにちは"},
            {"role": "assistant", "content": "はい"},
            {"role": "user", "content": QUESTION},
        ]
        assert [m["content"] for m in body["messages"] if m["role"] == "system"] in ([], [CAREFUL])
    assert [p.label for p in result.prompts] == ["(none)", CAREFUL]
    assert [s.seed for s in result.samples_of(1)] == [100, 101]


async def test_without_a_seed_none_is_sent(scripted):
    plan = ComparePlan((PromptSpec.from_text("x"),), "q", samples=2, sampling=Sampling(seed=None))
    async with client_for(scripted) as client:
        result = await Comparison(client, plan, "m").run()
    assert result.prompts[0].ok == 2
    assert all("seed" not in r.json for r in scripted.chat_requests())
    assert [s.seed for s in result.samples] == [None, None]


# --------------------------------------------------------------------------- concurrency


def slow_reply(request: Request) -> Reply:
    if not request.path.endswith("/chat/completions"):
        return default_reply(request)
    return Reply.sse([Pause(0.05), *stream_of([("a", -0.5), ("b", -0.25)])])


async def test_concurrency_bound_is_reached_and_never_exceeded(scripted):
    scripted.default = endless_reply
    plan = plan_of(CAREFUL, TERSE, samples=4, concurrency=3)
    async with client_for(scripted) as client:
        comparison = Comparison(client, plan, "m")
        task = asyncio.create_task(comparison.run())
        await until(lambda: scripted.active == 3)
        await asyncio.sleep(0.3)  # time for a fourth request to show up, if it wrongly could
        assert scripted.max_concurrent == 3
        assert len(scripted.chat_requests()) == 3
        statuses = [s.status for s in comparison.samples]
        assert statuses.count("running") == 3 and statuses.count("pending") == 5
        # dispatch order is round robin: sample 1 of both prompts, then sample 2 of the first
        running = {(s.prompt_index, s.index) for s in comparison.samples if s.status == "running"}
        assert running == {(0, 0), (1, 0), (0, 1)}
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_full_run_keeps_to_the_bound(scripted):
    scripted.default = slow_reply
    plan = plan_of(CAREFUL, TERSE, "third", samples=4, concurrency=2)
    async with client_for(scripted) as client:
        result = await Comparison(client, plan, "m").run()
    assert len(scripted.chat_requests()) == 12
    assert 1 <= scripted.max_concurrent <= 2
    assert all(p.ok == 4 for p in result.prompts)


# --------------------------------------------------------------------------- failures


async def test_a_failing_sample_is_reported_and_the_rest_aggregate(scripted):
    scripted.default = scripted_reply(LOGPROBS, fail=lambda system, i: system == TERSE and i == 1)
    plan = plan_of(CAREFUL, TERSE, samples=3)
    seen = []
    async with client_for(scripted) as client:
        result = await Comparison(client, plan, "m").run(on_sample=seen.append)

    assert len(seen) == 6
    failed = [s for s in result.samples if s.status == "error"]
    assert [(s.label, s.number) for s in failed] == [(TERSE, 2)]
    assert failed[0].error.startswith("HTTP 500") and "boom" in failed[0].error
    assert failed[0].answer is not None and failed[0].answer.status == "error"
    assert failed[0].values == {}
    terse = result.prompts[1]
    assert (terse.ok, terse.failed, terse.planned) == (2, 1, 3)
    # terse aggregates over samples 1 and 3: mean logprob −1.0 and −1.4 (n 2, t on 1 df)
    t1 = math.tan(math.pi * 0.475)  # t_{0.975, 1} (Cauchy)
    check(terse.stats["mean_logprob"], [-1.0, -1.4], t1)
    assert terse.stats["mean_logprob"].t == pytest.approx(12.706204736174707)
    # Welch: careful n 3 s² 0.04, terse n 2 s² 0.08 → va = 0.04/3, vb = 0.04
    va, vb = 0.04 / 3, 0.08 / 2
    d = result.pairwise_for(1)[0].difference
    assert d.diff == pytest.approx(-1.2 - (-0.4))
    assert d.se == pytest.approx(math.sqrt(va + vb))
    assert d.df == pytest.approx((va + vb) ** 2 / (va**2 / 2 + vb**2 / 1))
    assert result.complete and result.failed == 1
    assert any("1 of 6 samples failed" in note for note in result.notes)


async def test_every_failure_kind_stays_in_its_sample():
    with ScriptedServer() as gone:
        port = gone.port  # a port nothing listens on once the server has stopped
    plan = plan_of(CAREFUL, samples=2)
    async with ChatClient(Connection(f"http://127.0.0.1:{port}/v1")) as client:
        result = await Comparison(client, plan, "m").run()
    assert [s.status for s in result.samples] == ["error", "error"]
    assert all("cannot connect" in (s.error or "") for s in result.samples)
    assert result.prompts[0].stats["mean_logprob"].n == 0
    assert result.pairwise == ()


async def test_answers_without_logprobs_count_but_have_no_confidence(scripted):
    def reply(request: Request) -> Reply:
        if not request.path.endswith("/chat/completions"):
            return default_reply(request)
        chunks = [
            chat_chunk(content="", role=True),
            chat_chunk(content="hi"),
            chat_chunk(finish="stop"),
        ]
        return Reply.sse([*chunks, usage_chunk(4)])

    scripted.default = reply
    async with client_for(scripted) as client:
        result = await Comparison(client, plan_of(CAREFUL, samples=2), "m").run()
    prompt = result.prompts[0]
    assert prompt.ok == 2 and prompt.without_logprobs == 2
    assert prompt.stats["mean_logprob"].n == 0
    assert prompt.stats["length"].mean == 4.0  # from usage.completion_tokens
    assert any("without logprobs" in note for note in result.notes)


# --------------------------------------------------------------------------- cancellation


def first_fast_then_endless(request: Request) -> Reply:
    if request.path.endswith("/chat/completions") and request.json["seed"] == SEED:
        return Reply.sse(stream_of([("ok", -0.5)]))
    return endless_reply(request)


async def test_cancelling_stops_outstanding_requests(scripted):
    scripted.default = first_fast_then_endless
    plan = plan_of(CAREFUL, TERSE, samples=5, concurrency=3)
    async with client_for(scripted) as client:
        comparison = Comparison(client, plan, "m")
        task = asyncio.create_task(comparison.run())
        # sample 1 of both prompts finishes; then three endless streams are in flight
        await until(lambda: comparison.finished == 2 and scripted.active == 3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the server sees the in-flight streams closed (its handlers end on the broken pipe)
        await until(lambda: scripted.active == 0)
        assert len(scripted.chat_requests()) == 5  # nothing new was sent after the cancel
        assert await leftover_tasks() == set()  # no request left running
        statuses = [s.status for s in comparison.samples]
        assert statuses.count("ok") == 2 and statuses.count("cancelled") == 8
        stopped = [s for s in comparison.samples if s.answer and s.answer.status == "stopped"]
        assert len(stopped) == 3  # the three that were streaming keep their partial answers
        result = comparison.result()
        assert not result.complete
        assert [p.ok for p in result.prompts] == [1, 1]
        assert any("8 samples were cancelled" in note for note in result.notes)


async def test_leaving_iter_samples_early_cancels_the_rest(scripted):
    scripted.default = first_fast_then_endless
    plan = plan_of(CAREFUL, TERSE, samples=3, concurrency=4)
    got = []
    async with client_for(scripted) as client:
        comparison = Comparison(client, plan, "m")
        async with contextlib.aclosing(comparison.iter_samples()) as samples:
            async for sample in samples:
                got.append(sample)
                if len(got) == 2:
                    break
        await until(lambda: scripted.active == 0)
        assert await leftover_tasks() == set()
    assert [s.status for s in got] == ["ok", "ok"]
    assert sum(s.status == "cancelled" for s in comparison.samples) == 4


async def test_iter_samples_yields_every_sample_of_a_full_run(scripted):
    scripted.default = scripted_reply(LOGPROBS)
    async with client_for(scripted) as client:
        comparison = Comparison(client, plan_of(CAREFUL, TERSE), "m")
        seen = [s async for s in comparison.iter_samples()]
    assert sorted((s.prompt_index, s.index) for s in seen) == [
        (k, i) for k in (0, 1) for i in range(3)
    ]
    assert comparison.result().complete


async def test_live_results_grow_with_each_sample_and_async_callbacks_are_awaited(scripted):
    scripted.default = scripted_reply(LOGPROBS)
    counts = []
    awaited = []

    async def on_sample(sample):
        # called as each sample finishes, so the live result has exactly one more each time
        counts.append(sum(p.ok for p in comparison.result().prompts))
        await asyncio.sleep(0.01)
        awaited.append(sample)

    async with client_for(scripted) as client:
        comparison = Comparison(client, plan_of(CAREFUL, TERSE), "m")
        await comparison.run(on_sample=on_sample)
    assert counts == [1, 2, 3, 4, 5, 6]
    assert len(awaited) == 6  # run() returned only after every callback finished
    with pytest.raises(RuntimeError):
        await comparison.run()


async def test_a_callback_error_stops_the_run_and_propagates(scripted):
    scripted.default = scripted_reply(LOGPROBS)

    def on_sample(sample):
        raise ValueError("the screen broke")

    async with client_for(scripted) as client:
        comparison = Comparison(client, plan_of(CAREFUL, TERSE, concurrency=1), "m")
        with pytest.raises(ValueError, match="the screen broke"):
            await comparison.run(on_sample=on_sample)
    assert await leftover_tasks() == set()
    assert sum(s.status == "cancelled" for s in comparison.samples) >= 4
