"""HTTP plumbing for a server's own (non-OpenAI) routes: llama.cpp's and vLLM's.

Both servers answer beside their ``/v1`` API at the server root (``/tokenize``,
``/completion``...). :class:`NativeServer` holds one ``httpx`` client for them: the key as a
bearer token, no proxy for a loopback server (the embedded engine's traffic and key never
reach one), each failure one readable line of the subclass's error type, and a request that
finds its kept-alive connection closed sent once more (these requests are all safe to
repeat: they read, or compute without changing what the server holds for others).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui import __version__
from tui.core import jsonio
from tui.core.errors import RequestError, one_line
from tui.core.settings import Connection

if TYPE_CHECKING:  # imported where used (start-up: see tui.core.wire.client)
    import httpx


def native_root(base_url: str) -> str:
    """The server root for the native routes: ``http://h:8080/v1`` → ``http://h:8080``."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


class NativeServer:
    """One server's native routes (see the module docstring). Use as an async context
    manager. ``error`` is the exception type its failures raise."""

    error: type[RequestError] = RequestError

    def __init__(
        self,
        connection: Connection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        import httpx  # deferred: see the module's note on start-up

        self.connection = connection
        self.base_url = connection.base_url.rstrip("/") + "/"
        self.root = native_root(connection.base_url) + "/"
        headers = {"User-Agent": f"logprob-chat/{__version__}"}
        if connection.api_key:
            headers["Authorization"] = f"Bearer {connection.api_key}"
        limit = timeout if timeout is not None else connection.read_timeout
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(limit, connect=connection.connect_timeout),
            transport=transport,
            trust_env=not is_loopback(connection.base_url),
        )

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, method: str, url: str, body: Any = None) -> httpx.Response:
        import httpx  # deferred: see the module's note on start-up

        for attempt in (1, 2):
            try:
                if method == "GET":
                    return await self._http.get(url)
                return await self._http.post(url, json=body)
            except httpx.RemoteProtocolError as exc:
                if attempt == 2:
                    raise self.error(_failure(url, exc)) from exc
            except httpx.HTTPError as exc:
                raise self.error(_failure(url, exc)) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _json(self, method: str, path: str, body: Any = None, *, native: bool = True) -> Any:
        """The JSON reply of ``method`` ``path`` (at the root, or under the ``/v1`` base URL
        when not ``native``); an HTTP error status raises with the server's own message."""
        url = (self.root if native else self.base_url) + path
        response = await self._send(method, url, body)
        if response.status_code >= 400:
            raise self.error(
                f"{method} /{path}: HTTP {response.status_code} {message_of(response)}"
            )
        try:
            return jsonio.loads(response.content)
        except ValueError as exc:
            raise self.error(f"{method} /{path}: the reply is not JSON") from exc

    async def models(self) -> Any:
        """The ``GET /v1/models`` body (what a server says about itself), or ``None`` when
        it does not answer with JSON."""
        try:
            return await self._json("GET", "models", native=False)
        except RequestError:
            return None


def message_of(response: httpx.Response) -> str:
    """The server's words in an error reply (``{"error": {"message"}}``, vLLM's top-level
    ``{"message"}``, or the text), on one line."""
    try:
        body = jsonio.loads(response.content)
    except ValueError:
        return one_line(response.text, 160)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return one_line(str(error["message"]), 160)
        if isinstance(error, str) and error:
            return one_line(error, 160)
        if isinstance(body.get("message"), str):
            return one_line(body["message"], 160)
    return one_line(response.text, 160)


def _failure(url: str, exc: httpx.HTTPError) -> str:
    return f"{urlsplit(url).path}: {one_line(str(exc) or type(exc).__name__, 160)}"


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (``localhost``, 127.0.0.1, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
