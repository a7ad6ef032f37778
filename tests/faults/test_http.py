"""HTTP faults: every error status a proxy or server sends, with JSON, plain-text and HTML
bodies; ``Retry-After`` in seconds and as a date. Each is one readable line with the server's
own words (markup and tags stripped), never a crash and never a retry storm.

(HTTP 200 with an ``error`` body, an ``error`` event inside a 200 stream, the wrong content
type and a server that ignores ``stream: true`` are proved in
``tests/core/wire/test_client_protocol.py``; the catalogue maps them.)
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import pytest

from tests.faults.support import chat_request, client_for, run_chat
from tests.support.scripted_server import Reply, ScriptedServer
from tui.core.errors import HTTPStatusError

STATUSES = [400, 401, 403, 404, 422, 429, 500, 502, 503]
REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable",
}  # fmt: skip


def _body(kind: str, status: int) -> Reply:
    words = f"upstream said no ({status})"
    if kind == "json":
        return Reply.json({"error": {"message": words, "type": "x", "code": status}}, status)
    if kind == "text":
        return Reply.text(f"{words}\n", status)
    page = (
        f"<html><head><title>{words}</title></head>"
        f"<body><center><h1>{status} {REASONS[status]}</h1></center><hr>"
        "<center>nginx</center></body></html>"
    )
    return Reply.text(page, status, "text/html")


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    """One server for the whole matrix (27 cases cost milliseconds, not 27 start-ups)."""
    with ScriptedServer() as shared:
        yield shared


@pytest.mark.parametrize("kind", ["json", "text", "html"])
@pytest.mark.parametrize("status", STATUSES)
async def test_error_status_is_one_line_with_the_server_s_words(server, status, kind):
    server.queue(_body(kind, status))
    before = len(server.chat_requests())
    async with client_for(server) as client:
        answer, error = await run_chat(client, chat_request())
    assert isinstance(error, HTTPStatusError) and error.status == status
    text = str(error)
    assert text.startswith(f"HTTP {status} {REASONS[status]}: ")
    assert f"upstream said no ({status})" in text
    assert "\n" not in text and "<" not in text and ">" not in text
    assert answer.status == "error" and answer.error == text
    assert len(server.chat_requests()) == before + 1  # asked once: no retry


@pytest.mark.parametrize("stream", [True, False])
async def test_429_retry_after_in_seconds_and_as_a_date(scripted, stream):
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    scripted.queue(
        Reply.json({"error": {"message": "slow down"}}, 429, headers={"Retry-After": "30"}),
        Reply.text("busy", 429, headers={"Retry-After": when}),
        Reply.text("busy", 429, headers={"Retry-After": "soon"}),
    )
    async with client_for(scripted) as client:
        _, seconds = await run_chat(client, chat_request(stream=stream))
        _, date = await run_chat(client, chat_request(stream=stream))
        _, garbage = await run_chat(client, chat_request(stream=stream))
    assert isinstance(seconds, HTTPStatusError) and seconds.retry_after == 30
    assert str(seconds) == "HTTP 429 Too Many Requests: slow down (retry after 30 s)"
    assert isinstance(date, HTTPStatusError) and 100 <= (date.retry_after or 0) <= 120
    assert isinstance(garbage, HTTPStatusError) and garbage.retry_after is None
    assert str(garbage) == "HTTP 429 Too Many Requests: busy"


@pytest.mark.parametrize("stream", [True, False])
async def test_an_error_status_with_a_huge_body_still_says_its_status(scripted, stream):
    scripted.queue(Reply.text("core dumped " * 500_000, 500))  # 6 MB of proxy noise
    async with client_for(scripted) as client:
        _, error = await run_chat(client, chat_request(stream=stream))
    assert isinstance(error, HTTPStatusError) and error.status == 500
    assert str(error).startswith("HTTP 500 Internal Server Error: core dumped core dumped")
    assert len(str(error)) <= 330 and str(error).endswith("…")
