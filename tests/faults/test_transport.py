"""Transport faults over real sockets: names that do not resolve, TLS that fails, servers that
accept and say nothing, streams that never end, gzip that lies, redirects of every kind.

(Connection refused, connect and read timeouts, resets and cuts mid-stream are proved in
``tests/core/wire/test_client_protocol.py``; the catalogue maps them.)
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.support import chat_request, client_for, run_chat
from tests.support.scripted_server import (
    Reply,
    ScriptedServer,
    Stall,
    chat_chunk,
    stream_of,
    token_row,
)
from tui.core.errors import ConnectFailed, MalformedResponse, RequestTimeout

# ------------------------------------------------------------------ name resolution and TLS


async def test_dns_failure_is_one_clear_line():
    # .invalid never resolves (RFC 6761): the resolver answers at once, online or not.
    async with client_for("http://no-such-host.invalid:8000/v1") as client:
        answer, error = await run_chat(client, chat_request())
    assert isinstance(error, ConnectFailed)
    assert str(error) == (
        "cannot connect to http://no-such-host.invalid:8000/v1: host name not found (DNS)"
    )
    assert answer.status == "error" and answer.text == ""


class _Listener:
    """A TCP listener on loopback that runs ``serve(conn)`` for each connection in a thread."""

    def __init__(self, serve) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self._serve = serve
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):  # (ssl.SSLError is an OSError)
                self._serve(conn)

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        self.sock.close()
        self._thread.join(5)


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no one signed: what a self-hosted box often has."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(self_signed) -> Iterator[int]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)

    def serve(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1024)

    listener = _Listener(serve)
    yield listener.port
    listener.close()


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    """A plain HTTP server (answers anything with a 400), for a client that speaks TLS to it."""

    def serve(conn: socket.socket) -> None:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    listener = _Listener(serve)
    yield listener.port
    listener.close()


async def test_tls_error_untrusted_certificate(tls_server):
    url = f"https://127.0.0.1:{tls_server}/v1"
    async with client_for(url) as client:
        answer, error = await run_chat(client, chat_request())
    assert isinstance(error, ConnectFailed)
    assert str(error).startswith(f"cannot connect to {url}: TLS error: ")
    assert "CERTIFICATE_VERIFY_FAILED" in str(error) and "\n" not in str(error)
    assert answer.status == "error"


async def test_tls_error_https_to_a_plain_http_server(plain_http_port):
    url = f"https://127.0.0.1:{plain_http_port}/v1"
    async with client_for(url) as client:
        _, error = await run_chat(client, chat_request())
    assert isinstance(error, ConnectFailed)
    assert str(error).startswith(f"cannot connect to {url}: TLS error: ")


# ------------------------------------------------------------------ servers that say nothing


async def test_server_accepts_and_never_answers(scripted):
    scripted.queue(Reply(delay=30))  # not even a status line
    async with client_for(scripted, read_timeout=0.3) as client:
        answer, error = await run_chat(client, chat_request())
    assert isinstance(error, RequestTimeout)
    assert str(error) == f"{scripted.base_url} sent nothing for 0.3 s; gave up waiting"
    assert answer.status == "error"


# ------------------------------------------------------------------ streams that never end


def _endless(rows: bool) -> Reply:
    """5,000 one-token chunks and then silence: from the client's side it never ends."""
    chunk = (
        chat_chunk(content="la", rows=[token_row("la", -0.1)]) if rows else chat_chunk(content="la")
    )
    return Reply.sse([chat_chunk(content="", role=True), *[chunk] * 5000, Stall()], done=False)


@pytest.mark.parametrize("rows", [True, False], ids=["with-logprobs", "text-only"])
async def test_a_stream_that_never_ends_is_cut_at_the_token_allowance(scripted, rows):
    scripted.queue(_endless(rows))
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request(max_tokens=8))
        # 4 × max_tokens + 256 = 288: far beyond what was asked, far below 5,000.
        assert isinstance(error, MalformedResponse)
        assert str(error) == (
            "the server sent more than 288 tokens for max_tokens=8; stopped reading"
        )
        # The client hung up: the server is not left streaming into a dead connection.
        assert scripted.wait_until(lambda: scripted.connections_open == 0, 10)
    # 288 events accepted: the role chunk and 287 tokens, every one of them kept.
    assert answer.status == "error" and answer.text == "la" * 287
    assert len(answer.tokens) == (287 if rows else 0)


# ------------------------------------------------------------------ gzip


async def test_gzip_stream_is_read(scripted):
    scripted.queue(Reply.sse(stream_of([("Zip", -0.5), ("ped", -0.25)])).gzipped())
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == "Zipped"
    assert [t.logprob for t in answer.tokens] == [-0.5, -0.25]
    assert scripted.requests[-1].headers["accept-encoding"] == "gzip"


async def test_a_body_that_claims_gzip_but_is_not(scripted):
    scripted.queue(Reply.json({"not": "gzip"}, headers={"Content-Encoding": "gzip"}))
    async with client_for(scripted) as client:
        _, error = await run_chat(client, chat_request(stream=False))
    assert isinstance(error, MalformedResponse)
    assert str(error).startswith(f"could not decode the reply from {scripted.base_url}")


# ------------------------------------------------------------------ redirects


@pytest.mark.parametrize("status", [307, 308])
async def test_redirect_that_keeps_the_method_is_followed_with_the_question(scripted, status):
    scripted.queue(Reply(status, {"Location": "/v2/chat/completions"}))
    async with client_for(scripted, api_key="sk-same-origin-123456") as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == "Hello world!"
    first, second = scripted.requests
    assert (second.method, second.path) == ("POST", "/v2/chat/completions")
    assert second.json == first.json  # the question went along
    assert second.headers["authorization"] == "Bearer sk-same-origin-123456"


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_redirect_that_would_turn_the_question_into_a_get_is_refused(scripted, status):
    scripted.queue(Reply(status, {"Location": "/v2/chat/completions"}))
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert isinstance(error, MalformedResponse)
    assert str(error) == (
        f"{scripted.base_url}/chat/completions redirects (HTTP {status}) to "
        f"{scripted.url}/v2/chat/completions, which would drop the question; "
        "use the new address as the base URL"
    )
    assert [r.method for r in scripted.requests] == ["POST"]  # no body-less GET went out
    assert answer.status == "error"


async def test_model_list_redirect_is_followed(scripted):
    scripted.queue(Reply(301, {"Location": "/v2/models"}))
    async with client_for(scripted) as client:
        assert await client.list_models() == ["scripted-model"]
    assert [r.path for r in scripted.requests] == ["/v1/models", "/v2/models"]


async def test_redirect_loop_is_one_line(scripted):
    scripted.queue(*[Reply(307, {"Location": "/v1/chat/completions"}) for _ in range(25)])
    async with client_for(scripted) as client:
        _, error = await run_chat(client, chat_request())
    assert isinstance(error, MalformedResponse)
    assert str(error) == f"{scripted.base_url} redirected too many times"


async def test_redirect_to_another_server_does_not_carry_the_api_key(scripted):
    with ScriptedServer() as elsewhere:
        scripted.queue(Reply(307, {"Location": f"{elsewhere.base_url}/chat/completions"}))
        async with client_for(scripted, api_key="sk-must-stay-home-123456") as client:
            answer, error = await run_chat(client, chat_request())
        assert error is None and answer.text == "Hello world!"
        (moved,) = elsewhere.requests
    assert scripted.requests[0].headers["authorization"] == "Bearer sk-must-stay-home-123456"
    assert "authorization" not in moved.headers
    assert "sk-must-stay-home" not in repr(moved)
