"""Case 1, ingest: the real client against bare httpx + ``json.loads`` on the same stream.

The stream server runs in its own process and sends ``ctx.tokens`` tokens with ``ctx.top``
alternatives as fast as the socket takes them. Each run reads the stream twice, alternating:

* **client**: ``ChatClient.chat`` (SSE parsing, orjson, normalisation of every row into token
  records, text scoping) with every event applied to an ``AnswerBuilder`` (running stats),
  then ``finish`` and the final metrics: everything the program does with a token but draw it;
* **baseline**: ``httpx`` reading the body line by line and ``json.loads`` on each ``data:``
  line: the least any client must do with the same bytes.

Measures: client tokens/s (wall clock), and client time ÷ baseline time (target ≤ 1.5).
"""

from __future__ import annotations

import asyncio
import gc
import json
import time

import httpx

from tests.bench.runner import Context, Measure
from tui.core.answer import AnswerBuilder
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest

PROMPT = [{"role": "user", "content": "Tell me about Tokyo, at length."}]


def request(ctx: Context) -> ChatRequest:
    sampling = Sampling(temperature=0.0, top_logprobs=ctx.top, max_tokens=ctx.tokens)
    return ChatRequest(PROMPT, "bench-model", sampling)


async def client_run(url: str, ctx: Context) -> float:
    """Seconds for the real client to read the whole stream into a finished answer."""
    async with ChatClient(Connection(url, model="bench-model")) as client:
        start = time.perf_counter()
        builder = AnswerBuilder()
        async for event in client.chat(request(ctx)):
            builder.apply(event)
        answer = builder.finish("complete")
        assert answer.metrics.tokens == ctx.tokens, answer.metrics.tokens
        return time.perf_counter() - start


async def baseline_run(url: str, ctx: Context) -> float:
    """Seconds for bare httpx to read the same stream line by line, ``json.loads`` each."""
    payload = request(ctx).payload()
    async with httpx.AsyncClient(trust_env=False) as http:
        start = time.perf_counter()
        chunks = 0
        async with http.stream("POST", url.rstrip("/") + "/chat/completions", json=payload) as r:
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    json.loads(data)
                    chunks += 1
        assert chunks == ctx.tokens + 3, chunks
        return time.perf_counter() - start


def ingest_times(ctx: Context) -> tuple[list[float], list[float]]:
    """(client, baseline) seconds of each run, cached for case 2 (apart idle and loaded: a
    loaded screen is compared with a loaded ingest)."""
    key = ("ingest", ctx.loaded)
    if key in ctx.shared:
        return ctx.shared[key]
    url = ctx.stream_server()

    async def both() -> tuple[list[float], list[float]]:
        await client_run(url, ctx)  # warm-up: imports, connection pools, server caches
        await baseline_run(url, ctx)
        client: list[float] = []
        base: list[float] = []
        for _ in range(ctx.repeat):
            gc.collect()
            client.append(await client_run(url, ctx))
            gc.collect()
            base.append(await baseline_run(url, ctx))
        return client, base

    result = asyncio.run(both())
    ctx.shared[key] = result
    return result


def case(ctx: Context) -> list[Measure]:
    client, base = ingest_times(ctx)
    name = "ingest"
    return [
        Measure(name, "client tokens/s", "tok/s", [ctx.tokens / t for t in client]),
        Measure(
            name, "baseline tokens/s (httpx + json.loads)", "tok/s", [ctx.tokens / t for t in base]
        ),
        Measure(
            name,
            "client ÷ baseline time",
            "x",
            [c / b for c, b in zip(client, base, strict=True)],
            target=1.5,
        ),
    ]
