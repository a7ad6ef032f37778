"""JSON in and out: fast where it matters, lenient where servers are sloppy, safe for terminals.

* :func:`loads` uses orjson (several times faster than ``json`` on logprob chunks) and falls
  back to the standard parser for what orjson refuses but servers send: ``NaN`` / ``Infinity``
  literals (llama-cpp-python streams) and lone surrogate escapes, which are replaced by U+FFFD
  so the text can always be encoded again.
* :func:`dumps` escapes every control character, C1 included, bidirectional overrides and
  invisible characters (zero-width, U+2028/2029, tag characters), so JSON written to a file
  or the clipboard cannot act on a terminal that later shows it nor hide text from its
  reader; parsed back, the text is exactly what the server sent.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

_SURROGATE = re.compile(r"[\ud800-\udfff]")
# JSON already escapes U+0000..U+001F; these are the rest a terminal may act on, and the
# invisible ones (zero-width, separators, tag characters) a reader of the file would miss.
_UNSAFE_IN_JSON = re.compile(
    "[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\U000e0000-\U000e007f]"
)


def _escape(match: re.Match[str]) -> str:
    """``\\uXXXX``, as a surrogate pair beyond the Basic Multilingual Plane (JSON's rule)."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def loads(data: str | bytes) -> Any:
    """Parse JSON; raises ``ValueError`` when neither parser accepts it."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    value = json.loads(text)  # accepts NaN/Infinity and lone surrogates; raises ValueError
    return _scrub(value)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value


def _jsonable(value: Any) -> Any:
    """Non-finite floats become ``null``: strict JSON readers (jq, pandas) reject NaN."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return list(value)
    return value


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dump(value: Any, **options: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=_default, **options)
    except ValueError:  # a NaN or infinity somewhere: walk the value once to null them
        text = json.dumps(_jsonable(value), ensure_ascii=False, allow_nan=False, **options)
    return _UNSAFE_IN_JSON.sub(_escape, text)


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """Terminal-safe JSON text (UTF-8 kept readable, control and bidi characters escaped)."""
    return _dump(value, indent=indent)


def dumps_compact(value: Any) -> str:
    """Like :func:`dumps` on one line (for JSONL and the ``ask --json`` output)."""
    return _dump(value, separators=(",", ":"))
