"""Put measured pieces into an answer: one entry per model token, in order.

Each aligned row of several pieces becomes its hidden pieces (``recovered``, with the id,
bytes and logprob measured for them, and the top alternatives of that position), then the row
itself holding only its own piece's bytes (its id and logprob were always the last piece's).
The display text is rebuilt per scope by the incremental UTF-8 decoder, so a character still
shows once, on its last piece, and ``char_start`` marks the entries that form it. Raw rows
get the same layout (the measured pieces as rows in llama.cpp's shape, marked
``"recovered": true``), so entry i and raw row i stay the same token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from tui.core.answer import Answer
from tui.core.recovery.plan import Plan
from tui.core.wire.llamacpp import Piece
from tui.core.wire.normalise import TextRebuilder
from tui.core.wire.records import Scope, TokenRecord
from tui.core.wire.values import NOTE_NOT_FOUND, clean_logprob, top_summary


@dataclass(frozen=True, slots=True)
class Measured:
    """A token's logprob read off the distribution at its position (``None`` when it was
    not among the ``n_probs`` most likely even after widening), and that distribution's top
    (server rows, most likely first)."""

    piece: Piece
    logprob: float | None
    top: list[dict[str, Any]]
    searched: int  # how many alternatives were looked through


def measured_from(piece: Piece, top: Sequence[dict[str, Any]]) -> Measured | None:
    """``piece``'s logprob in ``top``, or ``None`` when it is not there (widen and ask again)."""
    for entry in top:
        if entry.get("id") == piece.id:
            logprob, _ = clean_logprob(entry.get("logprob"))
            data = entry.get("bytes")
            if isinstance(data, list) and all(type(b) is int and 0 <= b < 256 for b in data):
                piece = Piece(piece.id, bytes(data))  # the token's bytes as the server has them
            return Measured(piece, logprob, list(top), len(top))
    return None


def rebuild(
    answer: Answer,
    plan: Plan,
    measured: dict[int, Measured],
    end: Measured | None,
    keep_top: int,
) -> Answer:
    """A copy of ``answer`` with its hidden pieces in place (see the module docstring).
    ``measured`` maps generation positions to what was measured there; ``end`` is the end
    token measured after the last piece of a streamed answer (whole replies carry it)."""
    answer.load_raw()
    raw = list(answer.raw)
    by_row = {a.row: a for a in plan.aligned}
    tokens: list[TokenRecord] = []
    rows: list[Any] = []
    for i, row in enumerate(answer.tokens):
        raw_row = raw[i] if i < len(raw) else None
        aligned = by_row.get(i)
        if aligned is None or len(aligned.pieces) == 1:
            tokens.append(replace(row, char_start=None))
            rows.append(raw_row)
            continue
        for k, piece in enumerate(aligned.hidden):
            found = measured.get(aligned.start + k)
            record, record_raw = _piece_record(piece, found, row.scope, keep_top)
            tokens.append(record)
            rows.append(record_raw)
        own = aligned.pieces[-1]
        tokens.append(replace(row, bytes=own.data, token=_own_token(row, own), char_start=None))
        rows.append(raw_row)
    if end is not None and plan.end_row is None:
        record, record_raw = _piece_record(end.piece, end, "other", keep_top)
        tokens.append(record)
        rows.append(record_raw)
    _renumber(tokens)
    return replace(answer, tokens=tokens, raw=rows, notices=list(answer.notices))


def _piece_record(
    piece: Piece, found: Measured | None, scope: Scope, keep_top: int
) -> tuple[TokenRecord, dict[str, Any]]:
    top = found.top[:keep_top] if found is not None and keep_top else []
    logprob = found.logprob if found is not None else None
    token = _spelling(piece, found.top if found is not None else [])
    mass, entropy = top_summary(top, probabilities=False)
    record = TokenRecord(
        index=0,
        scope=scope,
        token=token,
        text="",
        bytes=piece.data,
        logprob=logprob,
        id=piece.id,
        note="" if logprob is not None else NOTE_NOT_FOUND,
        top_mass=mass,
        top_entropy=entropy,
        top_count=len(top),
        raw_top=top or None,
        recovered=True,
    )
    raw_row = {
        "id": piece.id,
        "token": token,
        "bytes": list(piece.data),
        "logprob": logprob,
        "top_logprobs": top,
        "recovered": True,
    }
    return record, raw_row


def _spelling(piece: Piece, top: Sequence[dict[str, Any]]) -> str:
    """The piece's token string as the server spells it (from its alternatives), else its
    bytes as text (a partial character is ``""``, as llama.cpp writes it)."""
    for entry in top:
        if entry.get("id") == piece.id and isinstance(entry.get("token"), str):
            return entry["token"]
    return _valid_prefix(piece.data)


def _own_token(row: TokenRecord, own: Piece) -> str:
    """The row's token string once it holds only its own piece: the server's spelling of
    that id in the row's alternatives, else the piece's bytes as text."""
    for alt in row.raw_top or ():
        if isinstance(alt, dict) and alt.get("id") == own.id and isinstance(alt.get("token"), str):
            return alt["token"]
    return _valid_prefix(own.data)


def _valid_prefix(data: bytes) -> str:
    for cut in range(len(data), -1, -1):
        try:
            return data[:cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return ""  # pragma: no cover - the empty prefix always decodes


def _renumber(tokens: list[TokenRecord]) -> None:
    """Indices 0…n−1 in order; text and ``char_start`` rebuilt per scope (framing text and
    text without trustworthy bytes kept as it was)."""
    rebuilders: dict[Scope, TextRebuilder] = {}
    for n, token in enumerate(tokens):
        token.index = n
        if token.scope == "other" or token.bytes is None:
            continue
        rebuilders.setdefault(token.scope, TextRebuilder()).place(token)
