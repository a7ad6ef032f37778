"""The server's own words from an error body, whatever its shape (JSON, plain text, HTML)."""

from __future__ import annotations

import re
from typing import Any

from tui.core.errors import one_line

_TAG = re.compile(r"<[^>]{0,200}>")


def error_message(body: Any) -> str | None:
    """The server's own message from any error-body shape, or ``None`` if there is none.

    Shapes: ``{"error": {"message": …}}`` (OpenAI, vLLM, llama.cpp, Ollama /v1),
    ``{"error": "text"}`` (Ollama native, LM Studio with HTTP 200), ``{"object": "error",
    "message": …}`` (old vLLM, SGLang), ``{"detail": …}`` (FastAPI 422), ``{"message": …}``.
    """
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    if isinstance(err, dict):
        msg = err.get("message") or err.get("msg") or err.get("type") or err.get("code")
        return str(msg) if msg is not None else "unknown error"
    if isinstance(err, str) and err:
        return err
    if body.get("object") == "error":
        return str(body.get("message") or body.get("type") or "unknown error")
    detail = body.get("detail")
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list) and detail:
        parts = []
        for item in detail[:3]:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", []) if x != "body")
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return None


def text_error_message(text: str) -> str:
    """A readable line from a plain-text or HTML error body (a proxy's 502 page, say)."""
    title = re.search(r"(?is)<title>(.*?)</title>", text)
    if title:
        return one_line(title.group(1))
    return one_line(_TAG.sub(" ", text))
