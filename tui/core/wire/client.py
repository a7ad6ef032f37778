"""An async client for any OpenAI-compatible ``/v1/chat/completions`` server, logprobs first.

One code path for every server, the embedded engine included: it is just another base URL.
Every failure becomes one typed error (:mod:`tui.core.errors`); cancelling the consuming task
closes the HTTP stream (the ``async with`` around it exits).
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui import __version__
from tui.core import gc_pause, jsonio
from tui.core.errors import (
    ConfigError,
    ConnectFailed,
    HTTPStatusError,
    MalformedResponse,
    RequestError,
    RequestTimeout,
    ServerReportedError,
    StreamCut,
    one_line,
    register_secret,
)
from tui.core.settings import Connection, display_url
from tui.core.wire import sse
from tui.core.wire.chunks import (
    StreamNormaliser,
    response_events,
)
from tui.core.wire.error_bodies import error_message, text_error_message
from tui.core.wire.events import Notice, StreamEvent, TokensReceived
from tui.core.wire.keepalive import IdleWatch
from tui.core.wire.native import Kind, detect_kind
from tui.core.wire.prefill import prefill_style, without_repeated_prefill
from tui.core.wire.request import (
    ZERO_TOP_NOTICE,
    ChatRequest,
    hide_alternatives,
    logprobs_fallback,
)

if TYPE_CHECKING:  # imported where used (start-up)
    import httpx

MAX_BODY_BYTES = 64 * 1024 * 1024
"""Largest reply accepted (streamed or not): a 20,000-token answer with top-20 alternatives is
about 40 MB of JSON; beyond this a server is misbehaving."""

ERROR_BODY_BYTES = 64 * 1024
"""Bytes of an error reply read for its message (a proxy may send megabytes of HTML); the
status is reported whatever the size."""

ROW_ALLOWANCE = 4
"""A stream may carry at most ``ROW_ALLOWANCE × max_tokens + 256`` rows, and as many events,
before the client stops reading: servers that ignore ``max_tokens`` cannot make it read
forever (counting events too bounds a stream that sends text without logprob rows)."""


class ChatClient:
    """Talks to one server. Use as an async context manager or call :meth:`aclose`."""

    def __init__(
        self,
        connection: Connection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        import httpx  # here: ~60 ms of CPU the chat's first screen does not need

        self.connection = connection
        self.max_body_bytes = max_body_bytes
        register_secret(connection.api_key)
        self._transport = transport
        self._models_body: Any = None  # the /models body, once read
        self._kind: Kind | None = None  # known once asked (server_kind)
        headers = {"User-Agent": f"logprob-chat/{__version__}", "Accept-Encoding": "gzip"}
        if connection.api_key:
            headers["Authorization"] = f"Bearer {connection.api_key}"
        timeout = httpx.Timeout(
            connect=connection.connect_timeout,
            read=connection.read_timeout,
            write=connection.read_timeout,
            pool=connection.connect_timeout,
        )
        self._http = httpx.AsyncClient(
            base_url=connection.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
            event_hooks={"response": [_refuse_redirect_to_get]},
            # Proxy variables (HTTPS_PROXY...) are for remote servers; a proxy must never
            # see the embedded engine's traffic and key, and httpx does not exempt loopback.
            trust_env=not _is_loopback(connection.base_url),
        )

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ----------------------------------------------------------------- models

    async def list_models(self) -> list[str]:
        """Model ids from ``GET /models`` (OpenAI ``data[].id``; Ollama-style ``models[]``)."""
        body = await self._get_json("models")
        self._models_body = body
        ids: list[str] = []
        if isinstance(body, dict):
            for item in body.get("data") or []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.append(item["id"])
            if not ids:
                for item in body.get("models") or []:
                    if isinstance(item, dict):
                        name = item.get("model") or item.get("name")
                        if isinstance(name, str):
                            ids.append(name)
        return ids

    async def resolve_model(self) -> str:
        """``--model`` if given, else the first model the server lists."""
        if self.connection.model:
            return self.connection.model
        models = await self.list_models()
        if not models:
            raise ConfigError(f"{self.connection.safe_url} lists no models; pass one with --model")
        return models[0]

    async def server_kind(self) -> Kind:
        """Which server this is (:meth:`~tui.core.wire.native.NativeServer.kind`, the
        program's one detector), asked once per client; the ``/models`` body already read
        by :meth:`list_models` is not asked again."""
        if self._kind is None:
            self._kind = await detect_kind(
                self.connection, transport=self._transport, models_body=self._models_body
            )
        return self._kind

    async def _get_json(self, path: str) -> Any:
        import httpx  # here: ~60 ms of CPU the chat's first screen does not need

        try:
            response = await self._http.get(path)
            await _raise_for_status(response)
            return _parse_json_body(response.content)
        except httpx.HTTPError as exc:
            raise _translate(exc, self.connection) from exc

    # ------------------------------------------------------------------- chat

    async def chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Events of one chat completion, streamed or not (see :mod:`tui.core.wire.events`).

        When the server refuses the logprobs asked for, the request is asked again, and a
        :class:`Notice` says so: with the ``top_logprobs`` limit the server's message names
        (vLLM ``--max-logprobs``, OpenAI models capped at 5), else without logprobs
        (llama.cpp with tools + stream, OpenAI reasoning models). Stop early with
        ``contextlib.aclosing`` or by cancelling the task: either closes the HTTP stream.

        A request with a ``prefill`` (the start of the answer, for the model to continue) is
        sent the way this server continues one (:mod:`tui.core.wire.prefill`), or not at
        all: :class:`~tui.core.wire.prefill.PrefillUnsupported` says in one line why not.
        """
        if request.prefill is not None:
            style = prefill_style(await self.server_kind(), request.model)
            request = replace(request, prefill_style=style)
        attempt = await self._never_zero_on_llamacpp(request)
        if attempt.hide_alternatives:
            yield Notice(ZERO_TOP_NOTICE)
        while True:
            try:
                # aclosing: when the caller stops early, close the inner generators now (and
                # with them the HTTP stream), not in a task the garbage collector schedules.
                async with aclosing(self._chat_once(attempt)) as events:
                    async for event in events:
                        if attempt.hide_alternatives and type(event) is TokensReceived:
                            hide_alternatives(event.tokens)
                        yield event
                return
            except HTTPStatusError as exc:
                fallback = logprobs_fallback(attempt, exc)
                if fallback is None:
                    raise
                attempt, note = fallback
                yield Notice(note)

    async def _never_zero_on_llamacpp(self, request: ChatRequest) -> ChatRequest:
        """llama.cpp answers ``top_logprobs: 0`` with no logprobs at all: ask it for 1 and
        hide that alternative. Whether the server is llama.cpp: :meth:`server_kind` (once per
        client; a server that will not say is not llama.cpp)."""
        if not request.logprobs or request.sampling.top_logprobs != 0:
            return request
        if await self.server_kind() != "llama.cpp":
            return request
        sampling = request.sampling.with_changes(top_logprobs=1)
        return replace(request, sampling=sampling, hide_alternatives=True)

    async def _chat_once(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        import httpx  # here: ~60 ms of CPU the chat's first screen does not need

        payload = request.payload()
        # The collector is paused while the rows pile up: it would walk them again and again
        # (half the client's time on a 20k-token top-20 stream; see tui.core.gc_pause).
        with gc_pause.paused():
            try:
                async with self._http.stream("POST", "chat/completions", json=payload) as response:
                    await _raise_for_status(response)
                    if not request.stream:
                        # Read through the size limit: a runaway body stops at the limit
                        # instead of filling memory first.
                        body = await _read_bounded(response, self.max_body_bytes)
                        for event in _whole_reply(_parse_json_body(body), request):
                            yield event
                        return
                    async with aclosing(self._read_stream(response, request)) as events:
                        async for event in events:
                            yield event
            except httpx.HTTPError as exc:
                raise _translate(exc, self.connection) from exc

    async def _read_stream(
        self, response: httpx.Response, request: ChatRequest
    ) -> AsyncIterator[StreamEvent]:
        import httpx  # here: ~60 ms of CPU the chat's first screen does not need

        top = request.sampling.top_logprobs
        content_type = response.headers.get("content-type", "").partition(";")[0].strip()
        if content_type != "text/event-stream":
            body = await _read_bounded(response, self.max_body_bytes)
            if content_type.endswith("json") or body[:1] in (b"{", b"["):
                # The server ignored stream=true and sent a whole reply: use it.
                yield Notice("the server did not stream; showing its complete reply")
                for event in _whole_reply(_parse_json_body(body), request):
                    yield event
                return
            raise MalformedResponse(
                f"expected an event stream, got {content_type or 'no content type'}: "
                f"{text_error_message(body.decode('utf-8', 'replace'))}"
            )
        normaliser = StreamNormaliser(top)
        max_rows = ROW_ALLOWANCE * request.sampling.max_tokens + 256
        rows = 0
        chunks = 0
        received = 0
        done = False
        idle = IdleWatch(self.connection.read_timeout)
        try:
            # aclosing: leaving the loop early ([DONE], a limit, an error) closes the SSE
            # reader at once, not whenever the garbage collector finalises it.
            events = sse.iter_events(response.aiter_bytes(), max_line=self.max_body_bytes)
            async with aclosing(events) as reader:
                try:
                    async for kind, data in reader:
                        received += len(data)
                        if received > self.max_body_bytes:
                            raise MalformedResponse(_too_large(self.max_body_bytes))
                        if kind not in ("message", "error") or not data:
                            # keep-alive pings (`: ping`, `event: ping`), empty events, a
                            # read that completed no event: the server is alive, no more
                            for alive in idle.after(0, self.connection):
                                yield alive
                            continue
                        if data == "[DONE]":
                            done = True
                            break
                        chunks += 1
                        if chunks > max_rows:
                            raise MalformedResponse(_too_many(max_rows, request))
                        try:
                            chunk = jsonio.loads(data)
                        except ValueError as exc:
                            raise MalformedResponse(
                                f"the server sent an event that is not JSON: {one_line(data, 80)}"
                            ) from exc
                        if kind == "error" and isinstance(chunk, dict) and "error" not in chunk:
                            chunk = {"error": chunk}
                        fed = 0
                        for event in normaliser.feed(chunk):
                            fed += 1
                            if type(event) is TokensReceived:
                                rows += len(event.tokens)
                                if rows > max_rows:
                                    raise MalformedResponse(_too_many(max_rows, request))
                            yield event
                        for alive in idle.after(fed, self.connection):  # (an empty delta)
                            yield alive
                except sse.LineTooLong as exc:
                    raise MalformedResponse(_too_large(self.max_body_bytes)) from exc
        except (httpx.HTTPError, RequestError):
            # Rows the server held back (empty deltas) are still data: hand them over
            # before the error, so a partial answer keeps every row that arrived.
            for event in normaliser.close():
                yield event
            raise
        for event in normaliser.close():
            yield event
        if not done and not normaliser.saw_finish:
            raise StreamCut("the stream ended before the answer was complete")
        if not done:
            yield Notice("the stream ended without [DONE]")


def _whole_reply(body: Any, request: ChatRequest) -> list[StreamEvent]:
    """The events of a whole (non-streamed) reply; llama.cpp's repeats a prefill at the start
    of ``content``, which is taken off first, exactly (the rows cover only the new tokens)."""
    notice = None
    if request.prefill and request.prefill_style == "llama.cpp":
        body, notice = without_repeated_prefill(body, request.prefill)
    events = response_events(body, request.sampling.top_logprobs)
    if notice is not None:
        events.insert(1, Notice(notice))
    return events


async def _refuse_redirect_to_get(response: httpx.Response) -> None:
    """Stop at a 301/302/303 answer to a POST. httpx (like browsers) would follow it with a GET
    that has no body, and the new address would answer that (405, an HTML page, a models
    list) instead of the question. 307/308 keep the method and body and are followed; so are
    redirects of GET requests (``/models``)."""
    status = response.status_code
    if response.request.method != "POST" or status not in (301, 302, 303):
        return
    target = display_url(str(response.request.url.join(response.headers.get("location", ""))))
    raise MalformedResponse(
        f"{display_url(str(response.request.url))} redirects (HTTP {status}) to {target}, "
        "which would drop the question; use the new address as the base URL"
    )


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _read_bounded(response: httpx.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for piece in response.aiter_bytes():
        size += len(piece)
        if size > limit:
            raise MalformedResponse(_too_large(limit))
        chunks.append(piece)
    return b"".join(chunks)


async def _read_head(response: httpx.Response, limit: int) -> bytes:
    """The first ``limit`` bytes of the body; the rest is not read (the stream is closed
    when the response is)."""
    chunks: list[bytes] = []
    size = 0
    async for piece in response.aiter_bytes():
        chunks.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _too_many(limit: int, request: ChatRequest) -> str:
    return (
        f"the server sent more than {limit:,} tokens for "
        f"max_tokens={request.sampling.max_tokens:,}; stopped reading"
    )


def _too_large(limit: int) -> str:
    return f"the reply is larger than {limit // (1024 * 1024)} MB; stopped reading"


def _parse_json_body(body: bytes) -> Any:
    try:
        return jsonio.loads(body)
    except ValueError as exc:
        raise MalformedResponse(
            f"the reply is not JSON: {text_error_message(body[:2000].decode('utf-8', 'replace'))}"
        ) from exc


async def _raise_for_status(response: httpx.Response) -> None:
    """Turn an HTTP error status into :class:`HTTPStatusError` with the server's own message.

    (An HTTP 200 whose body is an ``error`` object is caught where the body is read:
    :func:`tui.core.wire.chunks.response_events`.)
    """
    if response.status_code < 400:
        return
    body = await _read_head(response, ERROR_BODY_BYTES)
    message = ""
    try:
        message = error_message(jsonio.loads(body)) or ""
    except ValueError:
        message = text_error_message(body.decode("utf-8", "replace"))
    if not message:
        message = text_error_message(body.decode("utf-8", "replace"))
    raise HTTPStatusError(response.status_code, message, retry_after=_retry_after(response.headers))


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, round(when.timestamp() - time.time()))


def _translate(exc: httpx.HTTPError, connection: Connection) -> RequestError:
    """One readable error per httpx failure."""
    import httpx  # here: ~60 ms of CPU the chat's first screen does not need

    where = connection.safe_url
    if isinstance(exc, httpx.ConnectTimeout):
        return RequestTimeout(
            f"could not connect to {where} within {connection.connect_timeout:g} s"
        )
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return RequestTimeout(
            f"{where} sent nothing for {connection.read_timeout:g} s; gave up waiting"
        )
    if isinstance(exc, httpx.ConnectError):
        return ConnectFailed(f"cannot connect to {where}: {_connect_reason(exc)}")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return StreamCut(f"the connection to {where} broke: {_connect_reason(exc)}")
    if isinstance(exc, httpx.TooManyRedirects):
        return MalformedResponse(f"{where} redirected too many times")
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponse(f"could not decode the reply from {where}: {one_line(str(exc))}")
    return RequestError(f"request to {where} failed: {_connect_reason(exc)}")


def _connect_reason(exc: BaseException) -> str:
    """Name the root cause (httpx wraps the socket error; its own text is often generic)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (is the server running?)"
        if isinstance(cause, socket.gaierror):
            return "host name not found (DNS)"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {one_line(str(cause), 160)}"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
        cause = cause.__cause__ or cause.__context__
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "refused" in lowered or "all connection attempts failed" in lowered:
        return "connection refused (is the server running?)"
    if any(
        s in lowered
        for s in (
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name resolution",
            "getaddrinfo",
        )
    ):
        return "host name not found (DNS)"
    if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        return f"TLS error: {one_line(text, 160)}"
    if "reset" in lowered:
        return "connection reset by the server"
    if "peer closed" in lowered or "incomplete" in lowered:
        return "the server closed the connection mid-reply"
    return one_line(text, 160)


__all__ = ["ChatClient", "ChatRequest", "ServerReportedError"]
