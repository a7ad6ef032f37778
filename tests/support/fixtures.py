"""Load the wire fixtures in ``tests/fixtures/<server>/`` (real llama.cpp captures, and replies
constructed from the reference for the other servers; each directory's README says which).

* ``*.json``: ``{"_source" | "request": ..., "status": int, "response": body}``.
* ``*.sse``: the bytes of an event stream exactly as a server sends it (CRLF kept).
* llama.cpp stream captures: ``{"request", "status", "sse_lines": [...]}``.

:func:`reply` turns any of them into a :class:`~tests.support.scripted_server.Reply`, so the
same fixture feeds the unit tests (parsed here) and the protocol tests (sent over a socket).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.scripted_server import Reply
from tui.core import jsonio

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def path(name: str) -> Path:
    """``name`` is ``server/file``, e.g. ``vllm/gptoss_stream.sse``."""
    return FIXTURES / name


def load(name: str) -> dict[str, Any]:
    return json.loads(path(name).read_text(encoding="utf-8"))


def body(name: str) -> Any:
    """The server's reply body of a JSON fixture."""
    return load(name)["response"]


def sse_bytes(name: str) -> bytes:
    """The raw event stream of a ``.sse`` fixture or a llama.cpp stream capture."""
    if name.endswith(".sse"):
        return path(name).read_bytes()
    lines = load(name)["sse_lines"]
    return ("\n".join(lines) + "\n").encode()


def sse_payloads(name: str) -> list[str]:
    """The ``data`` of each event, parsed the plain way (comments skipped, CRLF accepted)."""
    text = sse_bytes(name).decode("utf-8").replace("\r\n", "\n")
    payloads = []
    for block in text.split("\n\n"):
        data = [line[5:].lstrip(" ") for line in block.split("\n") if line.startswith("data:")]
        if data:
            payloads.append("\n".join(data))
    return payloads


def sse_chunks(name: str) -> list[Any]:
    """Every JSON chunk of a stream fixture, in order, without the final ``[DONE]``."""
    return [jsonio.loads(p) for p in sse_payloads(name) if p != "[DONE]"]


def reply(name: str) -> Reply:
    """The fixture as the scripted server should send it."""
    if name.endswith(".html"):
        return Reply.text(path(name).read_text(), 502, "text/html")
    if name.endswith(".sse") or "sse_lines" in load(name):
        return Reply(200, {"Content-Type": "text/event-stream"}, [sse_bytes(name)], chunked=True)
    fixture = load(name)
    return Reply.json(fixture["response"], fixture.get("status", 200))
