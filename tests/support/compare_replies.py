"""Scripted replies for prompt-comparison tests: fixed logprobs per system prompt and seed.

The values are chosen so that every aggregate can be computed by hand in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from tests.support.scripted_server import Reply, Request, chat_chunk, default_reply, stream_of

SEED = 100
CAREFUL = "Answer carefully."
TERSE = "Be terse."
QUESTION = "日本の首都はどこですか？"

# Per system prompt, per sample (seed − SEED): the answer's token logprobs.
#   careful: means −0.2, −0.4, −0.6; no token below p = 0.1; lengths 2, 2, 2
#   terse:   means −1.0, −1.2, −1.4; low-prob tokens (lp < ln 0.1 ≈ −2.303) 1, 0, 1; lengths 3, 2, 3
LOGPROBS = {
    CAREFUL: [[-0.1, -0.3], [-0.4, -0.4], [-0.5, -0.7]],
    TERSE: [[-0.2, -2.5, -0.3], [-1.2, -1.2], [-0.1, -3.0, -1.1]],
}

T2 = 0.95 / math.sqrt(2 * 0.975 * 0.025)  # t_{0.975, 2}, closed form for two df
T4 = 2.776445105197793  # t_{0.975, 4}, from the table


def system_of(request: Request) -> str | None:
    for message in request.json["messages"]:
        if message["role"] == "system":
            return message["content"]
    return None


def scripted_reply(
    table: dict[str | None, list[list[float]]],
    *,
    fail: Callable[[str | None, int], bool] = lambda system, i: False,
) -> Callable[[Request], Reply]:
    """A reply chosen by the request's system prompt and its seed's offset from SEED."""

    def reply(request: Request) -> Reply:
        if not request.path.endswith("/chat/completions"):
            return default_reply(request)
        system = system_of(request)
        i = request.json["seed"] - SEED
        if fail(system, i):
            return Reply.json({"error": {"message": "boom", "type": "server_error"}}, status=500)
        rows = table[system][i]
        return Reply.sse(stream_of([(f"t{j}", lp) for j, lp in enumerate(rows)]))

    return reply


def endless_reply(request: Request) -> Reply:
    """A stream that keeps sending a token every 50 ms for minutes: in flight until cancelled."""
    if not request.path.endswith("/chat/completions"):
        return default_reply(request)
    chunks = [chat_chunk(content="", role=True)]
    chunks += [chat_chunk(content="x", rows=[]) for _ in range(5000)]
    return Reply.sse(chunks, interval=0.05, done=False)
