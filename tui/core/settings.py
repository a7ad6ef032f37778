"""Connection and sampling settings, validated once, with one clear message per bad value."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tui.core.errors import ConfigError

DEFAULT_TEMPERATURE = 0.7
DEFAULT_TOP_LOGPROBS = 5
DEFAULT_MAX_TOKENS = 512
MAX_TOP_LOGPROBS = 20  # OpenAI's documented maximum; vLLM's and Ollama's default cap
MAX_TEMPERATURE = 2.0  # OpenAI's documented range is 0..2
MAX_MAX_TOKENS = 1_000_000
MAX_REPEAT_PENALTY = 2.0  # llama.cpp accepts more; beyond 2 answers turn to noise


@dataclass(frozen=True, slots=True)
class Sampling:
    """What the next request asks for. Defaults are the prototype's (0.7, top 5, 512).

    ``repeat_penalty`` is llama.cpp's repetition penalty (1 = none; ``None``: not sent, the
    server's own default). Only llama.cpp reads it, so it is sent only when set: the built-in
    engine's demo defaults set it (:mod:`tui.core.builtin_defaults`)."""

    temperature: float = DEFAULT_TEMPERATURE
    top_logprobs: int = DEFAULT_TOP_LOGPROBS
    max_tokens: int = DEFAULT_MAX_TOKENS
    seed: int | None = None
    repeat_penalty: float | None = None

    def __post_init__(self) -> None:
        validate_sampling(
            self.temperature, self.top_logprobs, self.max_tokens, self.seed, self.repeat_penalty
        )

    def with_changes(self, **changes: Any) -> Sampling:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        values = {
            "temperature": self.temperature,
            "top_logprobs": self.top_logprobs,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }
        if self.repeat_penalty is not None:
            values["repeat_penalty"] = self.repeat_penalty
        return values

    @property
    def deterministic(self) -> bool:
        """Temperature 0 with a fixed seed: one sample says all there is to say."""
        return self.temperature == 0 and self.seed is not None


def validate_sampling(
    temperature: Any, top_logprobs: Any, max_tokens: Any, seed: Any, repeat_penalty: Any = None
) -> None:
    """Raise :class:`ConfigError` naming the first bad value and its allowed range."""
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise ConfigError(f"temperature must be a number from 0 to 2, not {temperature!r}")
    if not math.isfinite(temperature) or not 0 <= temperature <= MAX_TEMPERATURE:
        raise ConfigError(f"temperature must be from 0 to 2, not {temperature:g}")
    if isinstance(top_logprobs, bool) or not isinstance(top_logprobs, int):
        raise ConfigError(f"top_logprobs must be a whole number from 0 to 20, not {top_logprobs!r}")
    if not 0 <= top_logprobs <= MAX_TOP_LOGPROBS:
        raise ConfigError(f"top_logprobs must be from 0 to 20, not {top_logprobs}")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        raise ConfigError(f"max_tokens must be a whole number of at least 1, not {max_tokens!r}")
    if not 1 <= max_tokens <= MAX_MAX_TOKENS:
        raise ConfigError(f"max_tokens must be from 1 to {MAX_MAX_TOKENS:,}, not {max_tokens}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ConfigError(f"seed must be a whole number, not {seed!r}")
    if repeat_penalty is not None:
        if isinstance(repeat_penalty, bool) or not isinstance(repeat_penalty, int | float):
            raise ConfigError(
                f"repeat_penalty must be a number from 1 to 2, not {repeat_penalty!r}"
            )
        if not math.isfinite(repeat_penalty) or not 1 <= repeat_penalty <= MAX_REPEAT_PENALTY:
            raise ConfigError(f"repeat_penalty must be from 1 to 2, not {repeat_penalty:g}")


def normalise_base_url(url: str) -> str:
    """The API root to which ``/chat/completions`` and ``/models`` are appended.

    Accepts ``http://host:8000``, ``http://host:8000/v1``, a trailing slash, or a pasted
    ``…/v1/chat/completions``. A URL with no path gets ``/v1``; any other path is kept, so
    proxies that mount the API elsewhere still work.
    """
    raw = url.strip()
    if not raw:
        raise ConfigError("the base URL is empty")
    if "://" not in raw:
        raw = "http://" + raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https"):
        raise ConfigError(
            f"the base URL must start with http:// or https://, not {parts.scheme}://"
        )
    if not parts.hostname:
        raise ConfigError(f"the base URL has no host: {display_url(url)}")
    try:
        _ = parts.port
    except ValueError as exc:
        raise ConfigError(f"the base URL has a bad port: {display_url(url)}") from exc
    path = parts.path.rstrip("/")
    for suffix in ("/chat/completions", "/completions", "/models"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    if not path:
        path = "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def display_url(url: str) -> str:
    """A URL safe to show or store: no user:password, no query string (keys hide there)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "<invalid URL>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True, slots=True)
class Connection:
    """Where requests go. ``api_key`` is never written anywhere (see errors.redact)."""

    base_url: str
    api_key: str | None = field(default=None, repr=False)  # never in a repr or a traceback
    model: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 120.0

    @property
    def safe_url(self) -> str:
        return display_url(self.base_url)
