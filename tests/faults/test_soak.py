"""Soak: 500 sequential and 50 concurrent requests on one client in one process, a fault mixed
in every few requests (reset mid-stream, HTTP 500, a stream stopped early, a whole reply).
After warm-up, memory may not grow beyond 10%, and at the end no connection, asyncio task or
file descriptor may be left open."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from contextlib import aclosing

from tests.faults.support import chat_request, client_for, run_chat
from tests.support.scripted_server import Reply, Reset, ScriptedServer, stream_of
from tui.core.errors import HTTPStatusError, StreamCut
from tui.core.wire.client import ChatClient

TOKENS = [("Hello", -0.1), (" world", -0.7), ("!", -1.6)]
WARM_UP = 50
SEQUENTIAL = 500
CONCURRENT = 50


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def _no_other_tasks_within(seconds: float) -> bool:
    """True as soon as this test's task is the only one left; False after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
            return True
        await asyncio.sleep(0.01)
    return False


async def _one(client: ChatClient, server: ScriptedServer, i: int) -> str:
    """Request ``i``: mostly a good answer, every few a fault; returns how it ended."""
    kind = i % 10
    if kind == 3:
        server.queue(Reply.sse([*stream_of(TOKENS)[:2], Reset()], done=False))
        _, error = await run_chat(client, chat_request())
        assert isinstance(error, StreamCut)
        return "cut"
    if kind == 5:
        server.queue(Reply.json({"error": {"message": "overloaded"}}, 500))
        _, error = await run_chat(client, chat_request())
        assert isinstance(error, HTTPStatusError)
        return "error"
    if kind == 7:  # the person pressed Esc after the first piece
        async with aclosing(client.chat(chat_request())) as events:
            async for _ in events:
                break
        return "stopped"
    answer, error = await run_chat(client, chat_request(stream=kind != 9))
    assert error is None and answer.text == "Hello world!" and len(answer.tokens) == 3
    return "complete"


async def test_soak_500_sequential_and_50_concurrent_requests(scripted):
    fds_before = _open_fds()
    client = client_for(scripted)
    for i in range(WARM_UP):
        await _one(client, scripted, i)
    gc.collect()
    rss_warm, blocks_warm = _rss_bytes(), sys.getallocatedblocks()

    outcomes = [await _one(client, scripted, i) for i in range(SEQUENTIAL)]
    assert outcomes.count("complete") == 350 and outcomes.count("cut") == 50
    scripted.requests.clear()  # the harness's own record, not the client's memory
    gc.collect()
    rss_after, blocks_after = _rss_bytes(), sys.getallocatedblocks()
    assert rss_after <= rss_warm * 1.10, (rss_warm, rss_after)
    assert blocks_after <= blocks_warm * 1.10, (blocks_warm, blocks_after)

    # Concurrent: only good answers (queued faults would go to whichever request came first),
    # each paced so that they overlap on the server.
    scripted.queue(*[Reply.sse(stream_of(TOKENS), interval=0.01) for _ in range(CONCURRENT)])
    answers = await asyncio.gather(*(run_chat(client, chat_request()) for _ in range(CONCURRENT)))
    assert all(e is None and a.text == "Hello world!" for a, e in answers)
    assert scripted.max_concurrent >= 10  # they really overlapped
    await client.aclose()

    assert scripted.wait_until(lambda: scripted.connections_open == 0, 10)
    # httpx's inner byte iterators (aiter_raw → aiter_bytes → aiter_text) are async generators
    # that a closed response leaves to the garbage collector, whose hook schedules their
    # aclose() as a task (seen: one still pending at this point, gone within a second). Give
    # such tasks a bounded time to end: a task still pending after that is a real leak.
    gc.collect()
    assert await _no_other_tasks_within(5.0), asyncio.all_tasks()
    gc.collect()
    assert _open_fds() == fds_before
