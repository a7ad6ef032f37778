"""How tokens, raw rows and small JSON fields are laid out in the history file.

Token parts are written in format 2 (schema version 3 on); format 1 parts, from files of
versions 1 and 2, are read as they are (they are never rewritten).

Format 2: both blobs are Zstandard-compressed (level :data:`LEVEL`). ``tokens`` holds a JSON
object of columns, one per field of :class:`TokenRecord`, named::

    {"fields": ["index", "scope", ...], "hex": ["bytes"], "columns": [[0, 1, ...], ...]}

Generic over the record: every dataclass field is written under its name (a field added to
the record is stored with no change here; a file without it reads back the field's default).
Bytes values are hex strings, their columns listed in ``hex``; ``raw_top`` is ``true`` where
the alternatives are the raw row's own list (as below). ``raw`` is the JSON array of the
server's rows as received, compressed. Measured on real llama.cpp rows with top-20 (parts of
50 rows, as checkpoints of a 50 tok/s stream make them): 1,770 bytes of JSON per row become
~360 (zstd level 3, ~300 MB/s on this machine); see ``tests/bench`` case ``ask``.

Format 1, token parts (``answer_parts.tokens``): a JSON array with one array per token::

    [index, scope, token, text, bytes_hex | null, logprob | null, id | null, note,
     top_mass, top_entropy | null, top_count, top, char_start | null, recovered]

The last two (``TokenRecord.char_start``, ``TokenRecord.recovered``) came later: rows written
before them have 12 elements and read back with ``None`` and ``false``.

``top`` is the alternatives list as the normaliser kept it (``TokenRecord.raw_top``), ``null``,
or ``true``, meaning "the ``top_logprobs`` list of the raw row at the same position in this
part": that list is the very same object in memory, so it is stored once, in ``raw``. This is
the record's own fields, not ``TokenRecord.to_dict()``: writing needs no normalisation of
alternatives (the costly part of ``to_dict``) and reading gives back an equal record.

``answer_parts.raw`` is the JSON array of the server's rows, as received.

Secrets: every string written goes through :mod:`tui.core.scrub`, which replaces the
registered API keys (``tui.core.errors.register_secret``) of at least ``MIN_SECRET``
characters by ``***``: text here, and the token rows' texts, bytes, alternatives and raw rows
(a key split over several tokens too) before a part is encoded (the recorder and
``AnswerBuilder.finish`` scrub them). Each JSON value is checked once more on its serialised
bytes (one substring search); the walk over every value only happens when a key is there.
Placeholder keys shorter than that ("EMPTY", "none", which vLLM and Ollama accept) are not
secrets, and scrubbing them would mangle model text that says "none".
"""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Sequence
from itertools import starmap
from typing import Any

import orjson

try:  # Python 3.14 on
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - which branch depends on the Python version
    from backports import zstd  # type: ignore[no-redef]

from tui.core import gc_pause, scrub
from tui.core.jsonio import loads
from tui.core.store.give_way import give_way
from tui.core.wire.records import TokenRecord

FORMAT_JSON = 1
"""Token parts as plain JSON rows (schema versions 1 and 2): read, never written."""
FORMAT_PACKED = 2
"""Token parts as compressed named columns, raw rows compressed (schema version 3 on)."""
TOKENS_FORMAT = FORMAT_PACKED
"""The format new parts are written in."""
LEVEL = 3
"""Zstandard level: on real top-20 rows, level 3 is ~4.9x smaller at ~300 MB/s; level 1 is
5 % larger and little faster, level 6 2 % smaller at a third of the speed."""


def _secrets() -> list[str]:
    return scrub.secrets()


def _secret_forms(secrets: Sequence[str]) -> list[bytes]:
    """Each secret as it can appear in UTF-8 JSON: raw, and JSON-escaped (both ways)."""
    forms: set[bytes] = set()
    for secret in secrets:
        forms.add(secret.encode("utf-8", "surrogatepass"))
        forms.add(json.dumps(secret)[1:-1].encode())
        forms.add(json.dumps(secret, ensure_ascii=False)[1:-1].encode("utf-8", "surrogatepass"))
    return sorted(forms, key=len, reverse=True)


def scrub_text(text: str, keys: Sequence[str] | None = None) -> str:
    """:func:`tui.core.scrub.scrub_text`: the one scrub of text, here for the writers."""
    return scrub.scrub_text(text, keys)


def scrub_value(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` with every string (keys included) scrubbed; other values unchanged."""
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, list | tuple):
        return [scrub_value(v, secrets) for v in value]
    if isinstance(value, dict):
        return {scrub_value(k, secrets): scrub_value(v, secrets) for k, v in value.items()}
    return value


def _contains_secret(data: bytes, secrets: Sequence[str]) -> bool:
    return any(form in data for form in _secret_forms(secrets))


def _dump(value: Any) -> bytes:
    try:
        return orjson.dumps(value)  # NaN and infinities become null, as strict JSON wants
    except TypeError:
        # What orjson refuses (integers above 64 bits, lone surrogates): the standard module,
        # ASCII-escaped so the bytes are valid UTF-8 whatever the strings hold.
        return json.dumps(value, ensure_ascii=True, default=_default).encode()


CHUNK_ROWS = 500
"""Items serialised per orjson call in :func:`dump_json`. orjson holds the GIL for a whole
call: a checkpoint of a fast stream (10,000 top-20 rows, 12 MB of JSON) held it ~20 ms at once
on the store's thread, and the screen's repaint waited that long behind it (the benchmark's
screen case: one 60-90 ms stall each second). 500 at a time, the store gives way every ~1 ms."""


def _dump_chunked(value: Any) -> bytes:
    """``_dump(value)``, byte for byte, in calls of at most :data:`CHUNK_ROWS` items: a list of
    lists (a part's columns) one list at a time, a dict one value at a time, a long list in
    slices spliced into one array."""
    if type(value) is dict and all(type(k) is str for k in value):
        items = [_dump(k) + b":" + _dump_chunked(v) for k, v in value.items()]
        return b"{" + b",".join(items) + b"}"
    if type(value) is not list or not value:
        return _dump(value)
    if all(type(v) is list for v in value):
        return b"[" + b",".join(_dump_chunked(v) for v in value) + b"]"
    if len(value) <= CHUNK_ROWS:
        return _dump(value)
    pieces = []
    for i in range(0, len(value), CHUNK_ROWS):
        give_way()
        pieces.append(_dump(value[i : i + CHUNK_ROWS])[1:-1])
    return b"[" + b",".join(pieces) + b"]"


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(value: Any) -> bytes:
    """Compact JSON bytes of ``value`` with registered secrets scrubbed (serialised in pieces:
    :data:`CHUNK_ROWS`)."""
    data = _dump_chunked(value)
    secrets = _secrets()
    if secrets and _contains_secret(data, secrets):
        data = _dump_chunked(scrub_value(value, secrets))
    return data


def dump_json_text(value: Any) -> str | None:
    """Like :func:`dump_json`, as text for a TEXT column (``None`` stays ``NULL``)."""
    return None if value is None else dump_json(value).decode()


def load_json(data: str | bytes | None) -> Any:
    return None if data is None else loads(data)


def token_row(token: TokenRecord, raw_row: Any) -> list[Any]:
    top: Any = token.raw_top
    if top is not None and type(raw_row) is dict and raw_row.get("top_logprobs") is top:
        top = True
    return [
        token.index,
        token.scope,
        token.token,
        token.text,
        None if token.bytes is None else token.bytes.hex(),
        token.logprob,
        token.id,
        token.note,
        token.top_mass,
        token.top_entropy,
        token.top_count,
        top,
        token.char_start,
        token.recovered,
    ]


def encode_part_v1(tokens: Sequence[TokenRecord], raw: Sequence[Any]) -> tuple[bytes, bytes]:
    """(tokens blob, raw blob) of one part in format 1 (for writing old-version test files)."""
    n_raw = len(raw)
    rows = [token_row(t, raw[k] if k < n_raw else None) for k, t in enumerate(tokens)]
    return dump_json(rows), dump_json(list(raw))


_FIELDS = tuple(f.name for f in dataclasses.fields(TokenRecord))
_FIELD_SET = frozenset(_FIELDS)
_COLUMN = {name: operator.attrgetter(name) for name in _FIELDS}


def _pack(data: bytes) -> bytes:
    return zstd.compress(data, level=LEVEL)


def _unpack(blob: bytes) -> bytes:
    try:
        return zstd.decompress(blob)
    except zstd.ZstdError as exc:  # a damaged blob reads as damaged JSON does
        raise ValueError(f"damaged token part: {exc}") from exc


def token_columns(tokens: Sequence[TokenRecord], raw: Sequence[Any]) -> dict[str, Any]:
    """The format-2 object of a part's records (see the module docstring)."""
    n_raw = len(raw)
    columns: list[list[Any]] = []
    hex_fields: list[str] = []
    for name in _FIELDS:
        give_way()
        values = list(map(_COLUMN[name], tokens))
        if name == "raw_top":
            for k, top in enumerate(values):
                row = raw[k] if k < n_raw else None
                if top is not None and type(row) is dict and row.get("top_logprobs") is top:
                    values[k] = True  # stored once, in the raw row
        elif any(type(v) is bytes for v in values):
            values = [v.hex() if type(v) is bytes else v for v in values]
            hex_fields.append(name)
        columns.append(values)
    return {"fields": list(_FIELDS), "hex": hex_fields, "columns": columns}


def encode_part(tokens: Sequence[TokenRecord], raw: Sequence[Any]) -> tuple[bytes, bytes]:
    """(tokens blob, raw blob) for one stored part, in :data:`TOKENS_FORMAT`."""
    return _pack(dump_json(token_columns(tokens, raw))), _pack(dump_json(list(raw)))


def unpack(fmt: int, blob: bytes) -> bytes:
    """The JSON bytes of a stored blob of a part in format ``fmt``."""
    return _unpack(blob) if fmt == FORMAT_PACKED else bytes(blob)


def decode_raw(fmt: int, raw_blob: bytes) -> list:
    """A part's raw rows."""
    return loads(unpack(fmt, raw_blob))


def decode_part(fmt: int, tokens_blob: bytes, raw_blob: bytes) -> tuple[list[TokenRecord], list]:
    """Inverse of :func:`encode_part` (and of :func:`encode_part_v1`)."""
    with gc_pause.paused():
        raw = decode_raw(fmt, raw_blob)
        tokens, _ = decode_tokens(fmt, tokens_blob, raw)
    return tokens, raw


def decode_tokens(
    fmt: int, tokens_blob: bytes, raw: list | None
) -> tuple[list[TokenRecord], list[int]]:
    """The token records of a part, and the positions whose alternatives are the raw row's
    own list (``top`` is ``true``). With ``raw`` ``None`` (not parsed yet) those records get
    ``raw_top=None`` until :class:`RawParts` fills them in; every other field is complete."""
    if fmt == FORMAT_PACKED:
        with gc_pause.paused():
            return _decode_columns(loads(_unpack(tokens_blob)), raw)
    if fmt != FORMAT_JSON:
        raise ValueError(f"unknown token format {fmt}")
    with gc_pause.paused():
        rows = loads(tokens_blob)
    tokens = []
    shared: list[int] = []
    for k, row in enumerate(rows):
        (index, scope, token, text, hex_bytes, logprob, token_id, note) = row[:8]
        top_mass, top_entropy, top_count, top = row[8:12]
        char_start, recovered = row[12:14] if len(row) >= 14 else (None, False)
        if top is True:
            shared.append(k)
            raw_row = raw[k] if raw is not None and k < len(raw) else None
            top = raw_row.get("top_logprobs") if type(raw_row) is dict else None
        tokens.append(
            TokenRecord(
                index=index,
                scope=scope,
                token=token,
                text=text,
                bytes=None if hex_bytes is None else bytes.fromhex(hex_bytes),
                logprob=logprob,
                id=token_id,
                note=note,
                top_mass=top_mass,
                top_entropy=top_entropy,
                top_count=top_count,
                raw_top=top,
                char_start=char_start,
                recovered=recovered,
            )
        )
    return tokens, shared


def _decode_columns(data: dict[str, Any], raw: list | None) -> tuple[list[TokenRecord], list[int]]:
    fields: list[str] = data["fields"]
    columns: list[list[Any]] = data["columns"]
    for name in data.get("hex") or ():
        k = fields.index(name)
        columns[k] = [bytes.fromhex(v) if type(v) is str else v for v in columns[k]]
    shared: list[int] = []
    if "raw_top" in fields:
        tops = columns[fields.index("raw_top")]
        shared = [k for k, top in enumerate(tops) if top is True]
        n_raw = 0 if raw is None else len(raw)
        for k in shared:
            row = raw[k] if raw is not None and k < n_raw else None
            tops[k] = row.get("top_logprobs") if type(row) is dict else None
    if tuple(fields) == _FIELDS:  # the record as it is now: positional, the fast way
        return list(starmap(TokenRecord, zip(*columns, strict=True))), shared
    # Written by a version whose record had other fields: the ones known now, by name (a
    # field added since takes its default).
    known = [
        (name, column) for name, column in zip(fields, columns, strict=True) if name in _FIELD_SET
    ]
    names = [name for name, _ in known]
    rows = zip(*(column for _, column in known), strict=True)
    return [TokenRecord(**dict(zip(names, row, strict=True))) for row in rows], shared


class RawParts:
    """An answer's raw rows kept as the stored JSON bytes until someone needs them.

    Reopening a long conversation parses only the token records (what the log, the heatmap
    and the metrics use). The raw rows and the alternatives they share with the records,
    about 40 small objects per token with ``top_logprobs`` 20, are parsed by :meth:`load`
    when the answer is selected (JSON viewer, inspector) or exported: measured on 200 answers
    × 500 tokens × top-20, the difference between opening in seconds with 1 GB resident and
    opening at once (see ``tests/bench``)."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[tuple[int, bytes, int, list[int]]] = []

    def add(self, raw_blob: bytes, first: int, shared: list[int], fmt: int = FORMAT_JSON) -> None:
        """A part's raw blob (as stored, in format ``fmt``); its records start at ``first`` in
        the answer's token list and ``shared`` are their offsets whose alternatives live in
        the raw rows."""
        self._parts.append((fmt, raw_blob, first, shared))

    def load(self, tokens: list[TokenRecord], *, keep: bool = False) -> list:
        """Parse every part: the raw rows, with the shared alternatives put back on
        ``tokens`` (the same list objects, as after a full load). ``keep``: the stored bytes
        stay here too, so :meth:`release` can let go of the parsed rows later."""
        raw: list = []
        with gc_pause.paused():
            for fmt, blob, first, shared in self._parts:
                part = decode_raw(fmt, blob)
                for k in shared:
                    raw_row = part[k] if k < len(part) else None
                    if type(raw_row) is dict and first + k < len(tokens):
                        tokens[first + k].raw_top = raw_row.get("top_logprobs")
                raw.extend(part)
        if not keep:
            self._parts = []
        return raw

    def release(self, tokens: list[TokenRecord]) -> None:
        """Undo a ``load(tokens, keep=True)``: the shared alternatives leave ``tokens`` again
        (an export walking a long conversation holds one answer's rows at a time)."""
        for _, _, first, shared in self._parts:
            for k in shared:
                if first + k < len(tokens):
                    tokens[first + k].raw_top = None
