"""The benchmark's stream server, in its own process (``python -m tests.bench.serve TOKENS
TOP``): the scripted server answers every chat request with the same pre-encoded stream as
fast as the socket takes it. Its own CPU work then never competes with the client for the
client's GIL. It prints its base URL on one line and runs until its stdin closes."""

from __future__ import annotations

import sys

from tests.bench.stream_data import stream_body
from tests.support.scripted_server import Reply, Request, ScriptedServer, default_reply

PIECE = 64 * 1024
"""Bytes per write: a server writing as fast as it can fills the socket in large pieces."""


def main(argv: list[str]) -> int:
    tokens, top = int(argv[0]), int(argv[1])
    body = stream_body(tokens, top)
    pieces: list = [body[i : i + PIECE] for i in range(0, len(body), PIECE)]
    headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}

    def reply(request: Request) -> Reply:
        if request.method == "POST" and request.path.rstrip("/").endswith("/chat/completions"):
            return Reply(200, headers, pieces, chunked=True)
        return default_reply(request)

    with ScriptedServer(reply) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()  # until the parent closes the pipe
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
