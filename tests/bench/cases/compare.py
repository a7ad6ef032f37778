"""Case 6, comparison throughput: K=3 prompts × N=5 samples on the embedded engine, wall time
with the default concurrency (4, the engine's slot count) ÷ one request at a time
(target ≤ 0.6). Both orders alternate within each run; same plan, same seeds, so the same
answers. The engine's own timings say where the time goes: its decode rate per request and
its overall tokens/s, concurrent and alone."""

from __future__ import annotations

import asyncio
import statistics
import time

from tests.bench.runner import Context, Measure
from tui.core.compare import ComparePlan, Comparison, PromptSpec
from tui.core.compare.plan import DEFAULT_CONCURRENCY
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient

PROMPTS = (
    PromptSpec.from_text("You are a helpful assistant."),
    PromptSpec.from_text("Answer like a pirate."),
    PromptSpec.from_text("Answer in one short sentence."),
)


def plan(ctx: Context, concurrency: int) -> ComparePlan:
    return ComparePlan(
        PROMPTS,
        "What is the capital of France?",
        samples=2 if ctx.small else 5,
        # A seed: each sample's seed derives from it, so both orders generate the same answers
        # (without one the two runs compare different lengths).
        sampling=Sampling(
            temperature=0.8, top_logprobs=5, max_tokens=16 if ctx.small else 64, seed=7
        ),
        concurrency=concurrency,
    )


async def compare_run(ctx: Context, concurrency: int) -> tuple[float, int, float]:
    """(wall seconds, tokens generated, the engine's mean per-request decode rate)."""
    info = ctx.engine().info
    async with ChatClient(Connection(info.base_url, api_key=info.api_key)) as client:
        start = time.perf_counter()
        result = await Comparison(client, plan(ctx, concurrency), info.model).run()
        elapsed = time.perf_counter() - start
    assert result.complete and result.failed == 0
    answers = [s.answer for s in result.samples if s.answer is not None]
    tokens = sum(len(a.tokens) for a in answers)
    rates = [float((a.server_timings or {})["predicted_per_second"]) for a in answers]
    return elapsed, tokens, statistics.mean(rates)


def case(ctx: Context) -> list[Measure]:
    async def runs() -> tuple[list[tuple[float, int, float]], list[tuple[float, int, float]]]:
        await compare_run(ctx, DEFAULT_CONCURRENCY)  # warm-up
        together = []
        alone = []
        for _ in range(ctx.repeat):
            together.append(await compare_run(ctx, DEFAULT_CONCURRENCY))
            alone.append(await compare_run(ctx, 1))
        return together, alone

    together, alone = asyncio.run(runs())
    parallel = [t for t, _, _ in together]
    sequential = [t for t, _, _ in alone]
    name = "compare"
    return [
        Measure(name, f"wall time, concurrency {DEFAULT_CONCURRENCY}", "s", parallel),
        Measure(name, "wall time, one at a time", "s", sequential),
        Measure(
            name,
            f"engine tokens/s overall, concurrency {DEFAULT_CONCURRENCY}",
            "tok/s",
            [n / t for t, n, _ in together],
        ),
        Measure(
            name, "engine tokens/s overall, one at a time", "tok/s", [n / t for t, n, _ in alone]
        ),
        Measure(
            name,
            f"engine decode rate per request, concurrency {DEFAULT_CONCURRENCY}",
            "tok/s",
            [r for _, _, r in together],
        ),
        Measure(
            name, "engine decode rate per request, one at a time", "tok/s", [r for _, _, r in alone]
        ),
        Measure(
            name,
            "concurrent ÷ sequential",
            "x",
            [p / s for p, s in zip(parallel, sequential, strict=True)],
            target=0.6,
        ),
    ]
