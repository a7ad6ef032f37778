"""The question-set benchmark's server, in its own process (``python -m
tests.bench.set_server TOKENS TOP``): the scripted server answers every chat request with a
TOKENS-token answer with TOP alternatives per token, its logprobs depending on the question
and the prompt (so the statistics have something to say), streamed as fast as the socket
takes it. Its CPU work never competes with the app for the app's GIL. It prints its base
URL on one line and runs until its stdin closes."""

from __future__ import annotations

import math
import sys
import zlib

from tests.support.scripted_server import Reply, Request, ScriptedServer, default_reply, stream_of


def answer(key: str, tokens: int, top: int) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """A fixed pseudo-random answer per (system prompt, question): its logprobs from a hash."""
    seed = zlib.crc32(key.encode("utf-8"))
    rows = []
    for i in range(tokens):
        p = 0.2 + 0.79 * (((seed >> (i % 24)) ^ (i * 2654435761)) % 1000) / 1000
        token = f" w{i}"
        alternatives = [(token, math.log(p))]
        alternatives += [(f" a{i}_{k}", math.log((1 - p) / (k + 2))) for k in range(top - 1)]
        rows.append((token, math.log(p), alternatives))
    return rows


def main(argv: list[str]) -> int:
    tokens, top = int(argv[0]), int(argv[1])
    cache: dict[str, Reply] = {}

    def reply(request: Request) -> Reply:
        if request.method != "POST" or not request.path.rstrip("/").endswith("/chat/completions"):
            return default_reply(request)
        messages = request.json["messages"]
        key = messages[0]["content"] + "\n" + messages[-1]["content"]
        if key not in cache:
            cache[key] = Reply.sse(stream_of(answer(key, tokens, top)))
        return cache[key]

    with ScriptedServer(reply) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()  # until the parent closes the pipe
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
