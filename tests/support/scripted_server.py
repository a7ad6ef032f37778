"""A scripted OpenAI-compatible HTTP server on real sockets, for protocol and fault tests.

It runs an asyncio HTTP/1.1 server in its own thread on 127.0.0.1 (so sync tests, async tests,
pilot tests and subprocesses can all use it) and answers each request with the next queued
:class:`Reply`, or with a default reply built by ``default`` (a function of the request).

Replies control the bytes on the wire exactly: JSON bodies, SSE streams (from chunk dicts or
raw lines), pauses, a stall that never ends, a connection reset or close mid-body, chunked
transfer encoding or not, gzip, any status and headers. Every request is recorded (method,
path, headers, parsed JSON body) and the number of requests being answered at once is tracked
(``max_concurrent``), so tests can check what the client sent and how many it sent at once.

    with ScriptedServer() as server:
        server.queue(Reply.sse(openai_chunks([...])))
        ... client at server.base_url ...
        assert server.requests[0].json["top_logprobs"] == 5
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class Pause:
    """Wait this many seconds before the next piece."""

    seconds: float


@dataclass(frozen=True)
class Gate:
    """Wait until the test opens it (``gate.open()``, from any thread) before the next piece:
    a pause that lasts exactly as long as the test needs, however busy the machine is."""

    event: threading.Event = field(default_factory=threading.Event)

    def open(self) -> None:
        self.event.set()


@dataclass(frozen=True)
class Stall:
    """Stop sending and never finish (until the client gives up or the server stops).

    The server notices the client giving up (closing the connection) and ends the
    connection too, so ``connections_open`` shows whether a cancelled client closed it.
    """


@dataclass(frozen=True)
class Reset:
    """Abort the connection with a TCP RST (SO_LINGER 0)."""


@dataclass(frozen=True)
class Close:
    """Close the connection cleanly, wherever the body is."""


Piece = bytes | Pause | Gate | Stall | Reset | Close


@dataclass
class Reply:
    """One response: status, headers, and the body as pieces written in order."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    pieces: list[Piece] = field(default_factory=list)
    chunked: bool = False  # Transfer-Encoding: chunked (else Content-Length or close-delimited)
    delay: float = 0.0  # before the status line
    raw: bytes | None = None  # write exactly these bytes instead of a response (no status line)

    @classmethod
    def json(cls, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return cls(status, {"Content-Type": "application/json", **(headers or {})}, [data])

    @classmethod
    def text(
        cls,
        body: str,
        status: int = 200,
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return cls(status, {"Content-Type": content_type, **(headers or {})}, [body.encode()])

    @classmethod
    def sse(
        cls,
        events: Iterable[Any],
        *,
        done: bool = True,
        interval: float = 0.0,
        newline: str = "\n",
        status: int = 200,
        headers: dict[str, str] | None = None,
        tail: Sequence[Piece] = (),
    ) -> Reply:
        """An event stream: dict events are JSON-encoded as ``data:`` lines, str events are
        written as given (a comment ``": ping"``, a raw ``"data: {bad"``), then ``[DONE]``."""
        pieces: list[Piece] = []
        for event in events:
            if isinstance(event, Pause | Gate | Stall | Reset | Close):
                pieces.append(event)
                continue
            pieces.append(sse_line(event, newline))
            if interval:
                pieces.append(Pause(interval))
        if done:
            pieces.append(f"data: [DONE]{newline}{newline}".encode())
        pieces.extend(tail)
        return cls(
            status,
            {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", **(headers or {})},
            pieces,
            chunked=True,
        )

    def gzipped(self) -> Reply:
        body = b"".join(p for p in self.pieces if isinstance(p, bytes))
        return Reply(
            self.status,
            {**self.headers, "Content-Encoding": "gzip"},
            [gzip.compress(body)],
            self.chunked,
            self.delay,
        )


def sse_line(event: Any, newline: str = "\n") -> bytes:
    if isinstance(event, bytes):
        return event
    if isinstance(event, str):
        text = event
    else:
        text = "data: " + json.dumps(event, ensure_ascii=False, allow_nan=True)
    return f"{text}{newline}{newline}".encode()


# --------------------------------------------------------------------------- wire shapes


def token_row(
    token: str,
    logprob: Any,
    top: Sequence[tuple[str, Any]] = (),
    *,
    raw_bytes: Sequence[int] | bool | None = True,
    token_id: int | None = None,
) -> dict[str, Any]:
    """One OpenAI-shaped logprob row. ``raw_bytes=True`` means "the UTF-8 of ``token``"."""
    row: dict[str, Any] = {"token": token, "logprob": logprob}
    if raw_bytes is True:
        row["bytes"] = list(token.encode("utf-8", "surrogatepass"))
    elif raw_bytes is not False:
        row["bytes"] = None if raw_bytes is None else list(raw_bytes)
    if token_id is not None:
        row["id"] = token_id
    row["top_logprobs"] = [
        {"token": t, "logprob": lp, "bytes": list(t.encode("utf-8", "surrogatepass"))}
        for t, lp in top
    ]
    return row


def chat_chunk(
    *,
    content: str | None = None,
    reasoning: str | None = None,
    reasoning_field: str = "reasoning",
    rows: Sequence[dict[str, Any]] | None = None,
    finish: str | None = None,
    model: str = "scripted-model",
    role: bool = False,
) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = "assistant"
    if content is not None:
        delta["content"] = content
    if reasoning is not None:
        delta[reasoning_field] = reasoning
    choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
    if rows is not None:
        choice["logprobs"] = {"content": list(rows)}
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": model,
        "choices": [choice],
    }


def usage_chunk(completion_tokens: int, prompt_tokens: int = 10, **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "scripted-model",
        "choices": [],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        **extra,
    }


def stream_of(
    tokens: Sequence[tuple[str, float]] | Sequence[tuple[str, float, Sequence[tuple[str, float]]]],
    *,
    finish: str = "stop",
    usage: bool = True,
    model: str = "scripted-model",
) -> list[dict[str, Any]]:
    """Chunks for an answer of ``(token, logprob[, top])`` tuples, one token per chunk, in the
    OpenAI shape, followed by a finish chunk and a usage chunk."""
    chunks = [chat_chunk(content="", role=True, model=model)]
    for item in tokens:
        token, logprob = item[0], item[1]
        top = item[2] if len(item) > 2 else [(token, logprob)]  # type: ignore[misc]
        chunks.append(chat_chunk(content=token, rows=[token_row(token, logprob, top)], model=model))
    chunks.append(chat_chunk(finish=finish, model=model))
    if usage:
        chunks.append(usage_chunk(len(tokens)))
    return chunks


def completion_of(
    tokens: Sequence[tuple[str, float]],
    *,
    finish: str = "stop",
    reasoning: str | None = None,
    model: str = "scripted-model",
) -> dict[str, Any]:
    """A whole (non-streamed) reply for an answer of ``(token, logprob)`` tuples."""
    message: dict[str, Any] = {"role": "assistant", "content": "".join(t for t, _ in tokens)}
    if reasoning is not None:
        message["reasoning"] = reasoning
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish,
                "logprobs": {"content": [token_row(t, lp, [(t, lp)]) for t, lp in tokens]},
            }
        ],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": len(tokens),
            "total_tokens": 10 + len(tokens),
        },
    }


# --------------------------------------------------------------------------- server


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def default_reply(request: Request) -> Reply:
    """Models list, and a short fixed answer (streamed or not, as asked)."""
    if request.path.rstrip("/").endswith("/models"):
        return Reply.json({"object": "list", "data": [{"id": "scripted-model", "object": "model"}]})
    tokens = [("Hello", -0.1), (" world", -0.7), ("!", -1.6)]
    body = request.json or {}
    if body.get("stream"):
        return Reply.sse(stream_of(tokens))
    return Reply.json(completion_of(tokens))


class ScriptedServer:
    """See the module docstring. Use as a context manager."""

    def __init__(self, default: Callable[[Request], Reply] = default_reply) -> None:
        self.default = default
        self.requests: list[Request] = []
        self.max_concurrent = 0
        self.active = 0
        self.connections_open = 0
        self.stalls = 0  # replies that reached a Stall (everything before it was sent)
        self.connections_closed_by_client = 0  # seen as EOF while stalled
        self._replies: deque[Reply | Callable[[Request], Reply]] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.port = 0

    # -- lifecycle
    def start(self) -> ScriptedServer:
        self._thread = threading.Thread(target=self._run, name="scripted-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("scripted server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    # -- scripting
    def queue(self, *replies: Reply | Callable[[Request], Reply]) -> None:
        with self._lock:
            self._replies.extend(replies)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Poll ``condition`` (e.g. ``lambda: server.connections_open == 0``) until it holds
        or ``timeout`` seconds pass; returns whether it held. The server runs in its own
        thread, so what it observed lands a moment after the client acted."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            item = self._replies.popleft() if self._replies else None
        if item is None:
            return self.default(request)
        return item(request) if callable(item) else item

    # -- the server thread
    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._serve())
        loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, limit=2**26)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        self._server.close()
        for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
            task.cancel()
        await asyncio.sleep(0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections_open += 1
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                self.active += 1
                self.max_concurrent = max(self.max_concurrent, self.active)
                try:
                    keep = await self._respond(request, reader, writer)
                finally:
                    self.active -= 1
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self.connections_open -= 1
            if not writer.is_closing():
                writer.close()

    async def _respond(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        reply = self._next_reply(request)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw is not None:
            writer.write(reply.raw)
            await writer.drain()
            return False
        headers = dict(reply.headers)
        fixed_length = not reply.chunked and all(isinstance(p, bytes) for p in reply.pieces)
        if reply.chunked:
            headers["Transfer-Encoding"] = "chunked"
        elif fixed_length:
            headers["Content-Length"] = str(sum(len(p) for p in reply.pieces))  # type: ignore[arg-type]
        headers["Connection"] = "keep-alive" if fixed_length or reply.chunked else "close"
        head = f"HTTP/1.1 {reply.status} {_REASON.get(reply.status, 'Status')}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1"))
        for piece in reply.pieces:
            if isinstance(piece, bytes):
                if not piece:
                    continue
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if reply.chunked else piece)
                await writer.drain()
            elif isinstance(piece, Pause):
                await asyncio.sleep(piece.seconds)
            elif isinstance(piece, Gate):
                await writer.drain()
                await asyncio.to_thread(piece.event.wait, 60)
            elif isinstance(piece, Stall):
                # Nothing more is sent; the stall ends when the client closes its side.
                await writer.drain()
                self.stalls += 1
                try:
                    while await reader.read(65536):
                        pass
                except ConnectionError:
                    # A client that closes with data still unread in its buffer resets the
                    # connection (RST) instead of closing it (FIN): it closed it all the same.
                    pass
                self.connections_closed_by_client += 1
                return False
            elif isinstance(piece, Reset):
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return False
            elif isinstance(piece, Close):
                await writer.drain()
                writer.close()
                return False
        if reply.chunked:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
        return headers["Connection"] == "keep-alive"


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    body = b""
    length = int(headers.get("content-length", "0") or 0)
    if length:
        body = await reader.readexactly(length)
    return Request(method, path, headers, body)


_REASON = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
