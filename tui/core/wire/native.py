"""HTTP plumbing for a server's own (non-OpenAI) routes, and which server it is.

llama.cpp and vLLM answer beside their ``/v1`` API at the server root (``/tokenize``,
``/completion``...). :class:`NativeServer` holds one ``httpx`` client for them: the key as a
bearer token, no proxy for a loopback server (the embedded engine's traffic and key never
reach one), each failure one readable line of the subclass's error type, and a request that
finds its kept-alive connection closed sent once more (these requests are all safe to
repeat: they read, or compute without changing what the server holds for others).

Which server it is (:meth:`NativeServer.kind`, the one detector of the program: recovery,
scoring and prefill all ask it, once per connection), from what the server says about
itself:

* ``openai``: the address is OpenAI's (``api.openai.com``, Azure OpenAI): no request;
* ``GET /v1/models`` lists ``owned_by``: ``"llamacpp"`` → ``llama.cpp`` (the built-in
  engine too), ``"vllm"`` → ``vllm`` (``ModelCard.owned_by`` defaults to it:
  ``vllm/entrypoints/openai/engine/protocol.py`` @ d7e52523), ``"sglang"`` → ``sglang``
  (SGLang's ``ModelCard.owned_by`` default: ``python/sglang/srt/entrypoints/openai/
  protocol.py`` @ 004c82e0);
* else ``GET /props`` answering with llama.cpp's generation settings → ``llama.cpp``
  (a llama.cpp whose models list says nothing);
* anything else (Ollama, llama-cpp-python, a proxy, a server that will not say) → ``other``.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from tui import __version__
from tui.core import jsonio
from tui.core.errors import RequestError, one_line
from tui.core.settings import Connection

Kind = Literal["llama.cpp", "vllm", "sglang", "openai", "other"]
"""What a server is, as far as the program needs to know (see the module docstring)."""

_OWNERS: dict[str, Kind] = {"llamacpp": "llama.cpp", "vllm": "vllm", "sglang": "sglang"}


def owners(models_body: Any) -> set[str]:
    """The ``owned_by`` values of a ``/v1/models`` body (empty for anything else)."""
    data = models_body.get("data") if isinstance(models_body, dict) else None
    if not isinstance(data, list):
        return set()
    return {
        item["owned_by"]
        for item in data
        if isinstance(item, dict) and isinstance(item.get("owned_by"), str)
    }


def kind_from_models(models_body: Any) -> Kind | None:
    """The kind a ``/v1/models`` body names, or ``None`` when it does not say."""
    for owner, kind in _OWNERS.items():
        if owner in owners(models_body):
            return kind
    return None


def is_llamacpp_props(props_body: Any) -> bool:
    """Whether a ``/props`` body is llama.cpp's (it carries its generation settings)."""
    return isinstance(props_body, dict) and "default_generation_settings" in props_body


def is_openai(base_url: str) -> bool:
    """Whether ``base_url`` is OpenAI's own API (or Azure OpenAI's)."""
    host = (urlsplit(base_url).hostname or "").lower()
    return host == "api.openai.com" or host.endswith(".openai.azure.com")


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
        self._kind: Kind | None = None
        self._props: dict[str, Any] | None = None
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

    async def kind(self, models_body: Any = None) -> Kind:
        """Which server this is (see the module docstring), asked once per object; never
        raises (a server that will not say is ``other``). ``models_body``: a ``/v1/models``
        body already read by the caller, so it is not asked again."""
        if self._kind is None:
            self._kind = await self._find_kind(models_body)
        return self._kind

    async def _find_kind(self, models_body: Any) -> Kind:
        if is_openai(self.connection.base_url):
            return "openai"
        named = kind_from_models(models_body if models_body is not None else await self.models())
        if named is not None:
            return named
        try:
            return "llama.cpp" if is_llamacpp_props(await self.props()) else "other"
        except RequestError:
            return "other"

    async def props(self) -> dict[str, Any]:
        """``GET /props`` (llama.cpp: the model's end token, the slot count...), asked once."""
        if self._props is None:
            body = await self._json("GET", "props")
            self._props = body if isinstance(body, dict) else {}
        return self._props

    async def models(self) -> Any:
        """The ``GET /v1/models`` body (what a server says about itself), or ``None`` when
        it does not answer with JSON."""
        try:
            return await self._json("GET", "models", native=False)
        except RequestError:
            return None


async def detect_kind(
    connection: Connection,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    models_body: Any = None,
) -> Kind:
    """Which server ``connection`` points at (:meth:`NativeServer.kind` for a single use)."""
    async with NativeServer(connection, transport=transport) as server:
        return await server.kind(models_body)


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
