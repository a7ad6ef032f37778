"""How tokens, raw rows and small JSON fields are laid out in the history file.

Token parts (``answer_parts.tokens``), format 1: a JSON array with one array per token::

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

Secrets: every string written goes through :func:`scrub`, which replaces the registered API
keys (``tui.core.errors.register_secret``) of at least :data:`MIN_SECRET` characters by
``***``. The check runs on the serialised bytes (one substring search); the slow walk over
every value only happens when a key is actually there (a server echoing it back).
Placeholder keys shorter than that ("EMPTY", "none", which vLLM and Ollama accept) are not
secrets, and scrubbing them would mangle model text that says "none".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson

from tui.core import gc_pause
from tui.core.errors import registered_secrets
from tui.core.jsonio import loads
from tui.core.wire.records import TokenRecord

TOKENS_FORMAT = 1
MIN_SECRET = 8
REDACTED = "***"


def _secrets() -> list[str]:
    return [s for s in registered_secrets() if len(s) >= MIN_SECRET]


def _secret_forms(secrets: Sequence[str]) -> list[bytes]:
    """Each secret as it can appear in UTF-8 JSON: raw, and JSON-escaped (both ways)."""
    forms: set[bytes] = set()
    for secret in secrets:
        forms.add(secret.encode("utf-8", "surrogatepass"))
        forms.add(json.dumps(secret)[1:-1].encode())
        forms.add(json.dumps(secret, ensure_ascii=False)[1:-1].encode("utf-8", "surrogatepass"))
    return sorted(forms, key=len, reverse=True)


def scrub_text(text: str, secrets: Sequence[str] | None = None) -> str:
    for secret in _secrets() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


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


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(value: Any) -> bytes:
    """Compact JSON bytes of ``value`` with registered secrets scrubbed."""
    data = _dump(value)
    secrets = _secrets()
    if secrets and _contains_secret(data, secrets):
        data = _dump(scrub_value(value, secrets))
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


def encode_part(tokens: Sequence[TokenRecord], raw: Sequence[Any]) -> tuple[bytes, bytes]:
    """(tokens blob, raw blob) for one stored part; see the module docstring."""
    n_raw = len(raw)
    rows = [token_row(t, raw[k] if k < n_raw else None) for k, t in enumerate(tokens)]
    return dump_json(rows), dump_json(list(raw))


def decode_part(fmt: int, tokens_blob: bytes, raw_blob: bytes) -> tuple[list[TokenRecord], list]:
    """Inverse of :func:`encode_part`."""
    with gc_pause.paused():
        raw = loads(raw_blob)
        tokens, _ = decode_tokens(fmt, tokens_blob, raw)
    return tokens, raw


def decode_tokens(
    fmt: int, tokens_blob: bytes, raw: list | None
) -> tuple[list[TokenRecord], list[int]]:
    """The token records of a part, and the positions whose alternatives are the raw row's
    own list (``top`` is ``true``). With ``raw`` ``None`` (not parsed yet) those records get
    ``raw_top=None`` until :class:`RawParts` fills them in; every other field is complete."""
    if fmt != TOKENS_FORMAT:
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
        self._parts: list[tuple[bytes, int, list[int]]] = []

    def add(self, raw_blob: bytes, first: int, shared: list[int]) -> None:
        """A part's raw blob; its records start at ``first`` in the answer's token list and
        ``shared`` are their offsets whose alternatives live in the raw rows."""
        self._parts.append((raw_blob, first, shared))

    def load(self, tokens: list[TokenRecord]) -> list:
        """Parse every part: the raw rows, with the shared alternatives put back on
        ``tokens`` (the same list objects, as after a full load)."""
        raw: list = []
        with gc_pause.paused():
            for blob, first, shared in self._parts:
                part = loads(blob)
                for k in shared:
                    raw_row = part[k] if k < len(part) else None
                    if type(raw_row) is dict and first + k < len(tokens):
                        tokens[first + k].raw_top = raw_row.get("top_logprobs")
                raw.extend(part)
        self._parts = []
        return raw
