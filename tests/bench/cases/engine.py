"""Case 3, embedded engine: the tokens/s the client observes on the built-in model against the
engine's own ``timings.predicted_per_second`` for the same requests (target ≥ 0.95).

Each run sends one request (``top_logprobs`` 20, temperature 0.7, a different seed per run so
the answers differ) through the real client to the embedded llama.cpp engine started in this
process, as the app does. The client's rate is ``(tokens − 1) ÷ (last token − first token)``
(:class:`~tui.core.answer.AnswerBuilder`); the engine's is its generation phase alone.

The answers are also stored as a stream stores them, for the history's size on real rows
(:mod:`tests.bench.stored_size`): the bench stream repeats itself and compresses too well.

The same again through the TUI (headless, 160×48, heatmap on, the app's own clock): the
screen shares the process and the two cores with the engine, so this is the rate a person
sees.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tests.bench.runner import Context, Measure
from tests.bench.stored_size import stored_mb_per_answer
from tui.core.answer import Answer, AnswerBuilder
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest

QUESTION = [{"role": "user", "content": "Write a long story about a lighthouse keeper."}]


async def engine_run(ctx: Context, seed: int) -> tuple[float, float, int, Answer]:
    info = ctx.engine().info
    max_tokens = 32 if ctx.small else 256
    sampling = Sampling(temperature=0.7, top_logprobs=ctx.top, max_tokens=max_tokens, seed=seed)
    async with ChatClient(Connection(info.base_url, api_key=info.api_key)) as client:
        builder = AnswerBuilder()
        async for event in client.chat(ChatRequest(QUESTION, info.model, sampling)):
            builder.apply(event)
        answer = builder.finish("complete")
    timings = answer.server_timings or {}
    engine_rate = float(timings["predicted_per_second"])
    assert answer.tokens_per_second is not None, answer
    return answer.tokens_per_second, engine_rate, len(answer.tokens), answer


async def tui_run(ctx: Context, seed: int, data_dir: Path) -> tuple[float, float]:
    from tests.bench.cases.screen import SIZE, bench_app, heat_on_and_type
    from tui.core.backend import Backend

    info = ctx.engine().info
    max_tokens = 32 if ctx.small else 256
    sampling = Sampling(temperature=0.7, top_logprobs=ctx.top, max_tokens=max_tokens, seed=seed)
    connection = Connection(info.base_url, api_key=info.api_key, model=info.model)
    app = bench_app(Backend(connection, "embedded"), sampling, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = app.main
        await heat_on_and_type(pilot, app, QUESTION[0]["content"])
        await pilot.press("enter")
        while not main.chat.views or main.chat.views[-1].turn.answer is None:
            await asyncio.sleep(0.02)
        answer = main.chat.views[-1].turn.answer
        await app.shutdown()
    assert answer is not None and answer.status == "complete", answer
    assert answer.tokens_per_second is not None
    return answer.tokens_per_second, float((answer.server_timings or {})["predicted_per_second"])


def case(ctx: Context) -> list[Measure]:
    async def runs() -> list[tuple[float, float, int, Answer]]:
        await engine_run(ctx, 0)  # warm-up: the first request fills caches
        return [await engine_run(ctx, seed) for seed in range(1, ctx.repeat + 1)]

    results = asyncio.run(runs())
    stored = stored_mb_per_answer([a for _, _, _, a in results])
    with tempfile.TemporaryDirectory() as tmp:
        shown = [
            asyncio.run(tui_run(ctx, seed, Path(tmp) / str(seed)))
            for seed in range(1, ctx.repeat + 1)
        ]
    name = "engine"
    return [
        Measure(name, "client tokens/s", "tok/s", [c for c, _, _, _ in results]),
        Measure(name, "engine predicted_per_second", "tok/s", [e for _, e, _, _ in results]),
        Measure(
            name,
            "client ÷ engine rate",
            "x",
            [c / e for c, e, _, _ in results],
            target=0.95,
            at_most=False,
            note=f"tokens per answer: {[n for _, _, n, _ in results]}",
        ),
        Measure(name, "TUI tokens/s (160×48, heatmap)", "tok/s", [c for c, _ in shown]),
        Measure(
            name,
            "TUI ÷ engine rate",
            "x",
            [c / e for c, e in shown],
            target=0.95,
            at_most=False,
        ),
        Measure(
            name,
            "history per 20k-token answer, these real rows",
            "MB",
            [stored],
            target=10.0 if ctx.top == 20 else None,
            note="the answers above, stored in parts of 50 rows (tests/bench/stored_size.py)",
        ),
    ]
