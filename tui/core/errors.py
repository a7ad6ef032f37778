"""Typed errors, one per way a request can fail, each with one readable line.

Every error's ``str()`` is a single line meant for a person (the CLI prints it, the TUI shows
it in the chat). Server-provided text is cut to a sane length and never contains credentials:
:func:`redact` scrubs the known API key and URL userinfo before a message is built.
"""

from __future__ import annotations

import re

_MAX_SERVER_TEXT = 300


class LogprobChatError(Exception):
    """Base of every error this program reports to a person."""

    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(LogprobChatError):
    """A bad command-line value, environment variable or config file."""

    kind = "config"


class EngineError(LogprobChatError):
    """The embedded engine could not start (missing or broken model file, ...)."""

    kind = "engine"


class RequestError(LogprobChatError):
    """A request to the server failed. ``partial`` marks failures after text had arrived."""

    kind = "request"


class ConnectFailed(RequestError):
    """Connection refused, DNS failure, TLS failure, unreachable host."""

    kind = "connect"


class RequestTimeout(RequestError):
    """The server took too long: to accept the connection, or between two pieces of a reply."""

    kind = "timeout"


class HTTPStatusError(RequestError):
    """The server answered with an HTTP error status."""

    kind = "http"

    def __init__(
        self, status: int, server_message: str, *, retry_after: float | None = None
    ) -> None:
        self.status = status
        self.server_message = one_line(server_message)
        self.retry_after = retry_after
        text = f"HTTP {status} {_REASONS.get(status, '')}".rstrip()
        if self.server_message:
            text += f": {self.server_message}"
        if retry_after is not None:
            text += f" (retry after {retry_after:g} s)"
        super().__init__(text)


_CONTEXT_FULL = re.compile(
    r"exceeds? the (?:available )?context"  # llama.cpp: "exceeds the available context size"
    r"|maximum context length"  # vLLM, OpenAI: "This model's maximum context length is ..."
    r"|context_length_exceeded"  # OpenAI's error code
    r"|prompt is too long",  # Anthropic-style proxies
    re.IGNORECASE,
)


def is_context_full(exc: BaseException) -> bool:
    """Whether the server refused the request because the conversation no longer fits the
    model's context window (each server words it differently; see ``_CONTEXT_FULL``)."""
    return isinstance(exc, RequestError) and bool(_CONTEXT_FULL.search(str(exc)))


_ENLARGE_ADVICE = re.compile(
    r"[,;.]?\s*(?:try increasing it|(?:please\s+)?increase the context(?: size)?)\b[^.;]*\.?",
    re.IGNORECASE,
)
"""llama.cpp's advice to whoever runs the server ("..., try increasing it")."""


def context_full_message(
    exc: BaseException, remedy: str, *, built_in: bool, what: str = "conversation"
) -> str:
    """One line for a full context: the server's words, then what the user can do.

    ``remedy`` is that: "start a new one" in the chat, "shorten the question" for ``ask``.
    With the built-in engine (``built_in``) the server's own advice to enlarge its context is
    left out: that context is fixed, nobody reading the line can follow it. A remote
    server's operator can, so its words stay whole."""
    text = str(exc)
    if built_in:
        text = _ENLARGE_ADVICE.sub("", text).rstrip(" ,;")
    return f"{text} — the {what} no longer fits the model's context: {remedy}"


class ServerReportedError(RequestError):
    """HTTP 200 whose body is an ``error`` object (LM Studio, proxies), or an ``error`` event
    inside a stream (vLLM)."""

    kind = "server"


class MalformedResponse(RequestError):
    """The reply is not what an OpenAI-compatible server sends: bad JSON, wrong content type,
    broken SSE, a body far larger than asked for."""

    kind = "malformed"


class StreamCut(RequestError):
    """The stream ended before ``[DONE]`` and before any ``finish_reason``."""

    kind = "cut"


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_WS = re.compile(r"\s+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{6,}")
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_-]{8,})")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")

_secrets: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remember a secret (an API key) so that :func:`redact` removes it from any message."""
    if secret and len(secret) >= 4:
        _secrets.add(secret)


def registered_secrets() -> tuple[str, ...]:
    """The secrets given to :func:`register_secret`, for writers (the history store) that must
    scrub them from data without the pattern-based rewrites :func:`redact` also does."""
    return tuple(_secrets)


def redact(text: str) -> str:
    """Remove registered secrets, bearer tokens, ``sk-…`` keys and URL userinfo."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    text = _BEARER.sub(r"\1***", text)
    text = _KEYLIKE.sub("sk-***", text)
    return _USERINFO.sub("***@", text)


def one_line(text: str, limit: int = _MAX_SERVER_TEXT) -> str:
    """Collapse whitespace, redact secrets and cut to ``limit`` characters."""
    text = _WS.sub(" ", redact(str(text))).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
