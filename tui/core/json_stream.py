"""Write a large JSON document in pieces, straight from the records, terminal-safe.

An answer of 20,000 tokens with 20 alternatives each is ~35 MB of JSON; building it as one
dict of dicts and one string held three copies of it. Here the document is a small tree of
plain values in which the big arrays are :class:`Lazy`: their items are made while writing
(a generator: token records turned into objects, an answer's raw rows parsed only when its
turn comes and let go after), serialised by orjson in batches and written at once, so memory
holds one batch, not the document.

Token records are written by :func:`token_object`: the dataclass's own fields, in their
order, whatever they are (a field added to :class:`~tui.core.wire.records.TokenRecord` is
written too, under its name), the alternatives (``raw_top``) under OpenAI's name
``top_logprobs``, bytes as a list of integers (orjson calls :func:`_default` for them).

Safety, as :func:`tui.core.jsonio.dumps`: every piece has its C1 controls, DEL, bidirectional
overrides and invisible characters escaped (JSON already escapes U+0000..U+001F), so the
output cannot act on a terminal showing it nor hide text from its reader. Non-finite floats
become ``null``; what orjson refuses (an integer over 64 bits from a server) goes through the
standard module instead.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from tui.core.wire.records import TokenRecord

BATCH = 500
"""Items of a :class:`Lazy` array serialised per orjson call (one line each when indented)."""

RENAMED = {"raw_top": "top_logprobs"}
"""Record fields written under another name: the alternatives under OpenAI's."""

_FIELDS = tuple(f.name for f in dataclasses.fields(TokenRecord))
TOKEN_KEYS = tuple(RENAMED.get(name, name) for name in _FIELDS)
"""The keys of a token object, in order (the record's fields)."""
_values = operator.attrgetter(*_FIELDS)

# The UTF-8 forms of what JSON leaves as it is but a terminal may act on, or a reader would
# not see: DEL, C1 controls (U+0080..U+009F), SOFT HYPHEN, U+061C, zero-width and direction
# marks (U+200B..U+200F), separators and bidi embeddings (U+2028..U+202E), word joiners and
# isolates (U+2060..U+2069), BYTE ORDER MARK, tag characters (U+E0000..U+E007F). At least
# what :func:`tui.core.jsonio.dumps` escapes (a test compares them code point by code point).
_UNSAFE = re.compile(
    rb"\x7f|\xc2[\x80-\x9f\xad]|\xd8\x9c|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xa9]"
    rb"|\xef\xbb\xbf|\xf3\xa0[\x80\x81][\x80-\xbf]"
)
_LEADS = (b"\x7f", b"\xc2", b"\xd8", b"\xe2", b"\xef", b"\xf3")
"""The first byte of each unsafe form: when none is there (memchr, ~10 GB/s), no regex."""


def _escape(match: re.Match[bytes]) -> bytes:
    """``\\uXXXX``; beyond the Basic Multilingual Plane a surrogate pair (JSON's rule)."""
    code = ord(match.group().decode())
    if code <= 0xFFFF:
        return b"\\u%04x" % code
    code -= 0x10000
    return b"\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))


def safe(data: bytes) -> bytes:
    """``data`` (UTF-8 JSON) with those characters written as ``\\uXXXX`` (parsed back, the
    text is exactly the same)."""
    if not any(lead in data for lead in _LEADS):
        return data
    return _UNSAFE.sub(_escape, data)


def token_object(token: TokenRecord) -> dict[str, Any]:
    """A token record as a JSON object (see the module docstring). The alternatives list is
    the record's own (not copied): the object is for writing at once, not for keeping."""
    return dict(zip(TOKEN_KEYS, _values(token), strict=True))


@dataclasses.dataclass(frozen=True, slots=True)
class Lazy:
    """A JSON array whose items are produced while it is written. ``items`` is iterated
    once; a generator runs only when the writer reaches the array. An item may itself be a
    dict holding a ``Lazy`` (as a value, at any depth of dicts; not inside a plain list)."""

    items: Iterable[Any]


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return list(bytes(value))
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """Safe compact (or 2-space indented) JSON bytes of a plain value (no :class:`Lazy`)."""
    options = orjson.OPT_INDENT_2 if indent else 0
    try:
        data = orjson.dumps(value, default=_default, option=options)
    except TypeError:  # an integer over 64 bits, or another oddity: the standard module
        data = json.dumps(
            _finite(value),
            default=_default,
            ensure_ascii=False,
            allow_nan=False,
            indent=2 if indent else None,
            separators=(",", ": ") if indent else (",", ":"),
        ).encode("utf-8", "replace")
    return safe(data)


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None`` (strict JSON readers reject them)."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    return value


def _holds_lazy(value: Any) -> bool:
    """A :class:`Lazy` is found as a value of (nested) dicts only: plain lists are not
    searched, so checking an item costs a glance at its keys, not a walk of its rows."""
    if type(value) is Lazy:
        return True
    if type(value) is dict:
        return any(type(v) is Lazy or (type(v) is dict and _holds_lazy(v)) for v in value.values())
    return False


def pieces(value: Any, *, indent: bool = False, depth: int = 0) -> Iterator[bytes]:
    """The JSON text of ``value`` in pieces (concatenated: one valid document).

    Compact: one line. Indented: the structure 2-space indented, and each item of a
    :class:`Lazy` array on a line of its own, compact (a token per line reads well in a
    pager and keeps the file near its compact size)."""
    if isinstance(value, Lazy):
        yield from _lazy_pieces(value, indent, depth)
    elif not _holds_lazy(value):
        data = dumps(value, indent=indent)
        yield data.replace(b"\n", b"\n" + b"  " * depth) if indent and depth else data
    elif isinstance(value, dict):
        yield b"{"
        first = True
        for key, item in value.items():
            sep = b"" if first else b","
            first = False
            if indent:
                yield sep + b"\n" + b"  " * (depth + 1) + dumps(str(key)) + b": "
            else:
                yield sep + dumps(str(key)) + b":"
            yield from pieces(item, indent=indent, depth=depth + 1)
        yield (b"\n" + b"  " * depth + b"}") if indent and not first else b"}"
    else:
        raise AssertionError("unreachable: only dicts hold a Lazy")


def _lazy_pieces(value: Lazy, indent: bool, depth: int) -> Iterator[bytes]:
    yield b"["
    inner = b"\n" + b"  " * (depth + 1)
    wrote = False
    batch: list[Any] = []

    def flush() -> bytes:
        nonlocal wrote
        # Indented: one item per line. Compact: one orjson call for the batch, brackets cut.
        data = b",".join(inner + dumps(item) for item in batch) if indent else dumps(batch)[1:-1]
        if wrote:
            data = b"," + data
        wrote = True
        batch.clear()
        return data

    for item in value.items:
        if _holds_lazy(item):
            if batch:
                yield flush()
            yield (b"," if wrote else b"") + (inner if indent else b"")
            wrote = True
            yield from pieces(item, indent=indent, depth=depth + 1)
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            yield flush()
    if batch:
        yield flush()
    yield (b"\n" + b"  " * depth + b"]") if indent and wrote else b"]"


def write(value: Any, sink: Callable[[bytes], Any], *, indent: bool = False) -> int:
    """Write the JSON of ``value`` piece by piece to ``sink`` (a binary ``write``); return
    the bytes written."""
    total = 0
    for piece in pieces(value, indent=indent):
        sink(piece)
        total += len(piece)
    return total
