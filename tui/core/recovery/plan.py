"""Which tokens llama.cpp hid, worked out from the rows it sent and its own tokenisation.

llama.cpp sends one row per *character*: when a character's bytes span several tokens, the
row has the whole character's bytes but the id and logprob of its last piece, and the rows of
the earlier pieces are dropped. The tokens it sampled are its own tokenisation of the text
(``/tokenize``: checked on Japanese answers; a piece cut by ``max_tokens`` at the very end
never reaches the text). So the rows and the pieces line up byte for byte:

* a row whose bytes are exactly the bytes of pieces ``p₁ … pₖ``, and whose id is ``pₖ``'s, is
  those k tokens: ``p₁ … pₖ₋₁`` are hidden and get measured, ``pₖ`` is the row itself;
* a row that does not line up with the whole text's tokenisation (the model sampled another
  one there) is tried alone: a row whose own alternatives show its id with exactly its bytes
  is one token; else its text is tokenised alone (:mod:`.run` does that);
* the first row that still does not line up ends the plan: the prompt of every later probe
  would no longer be what the model saw, so the rows from there on keep what the server
  sent, and coverage says so.

A final zero-width row (llama.cpp's end-of-sequence row in whole replies) is not text: it is
left out of the alignment and kept at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.core.wire.llamacpp import Piece
from tui.core.wire.normalise import is_zero_width
from tui.core.wire.records import TokenRecord


@dataclass(frozen=True, slots=True)
class RowPieces:
    """One row lined up with its pieces: ``pieces[-1]`` is the row's own token."""

    row: int  # position of the row in the answer's token list
    pieces: tuple[Piece, ...]
    start: int  # position of pieces[0] among the generated tokens

    @property
    def hidden(self) -> tuple[Piece, ...]:
        return self.pieces[:-1]


@dataclass(slots=True)
class Plan:
    """What recovery will do for one answer.

    ``ids``: the generated token ids up to the last aligned row (the prompt of the probe at
    generation position i is ``prompt + ids[:i]``). ``aligned``: the rows that line up.
    ``unaligned_from``: position of the first row that does not, or ``None``. ``end_row``:
    position of a final zero-width row, if the rows end with one.
    """

    ids: list[int] = field(default_factory=list)
    aligned: list[RowPieces] = field(default_factory=list)
    unaligned_from: int | None = None
    end_row: int | None = None

    @property
    def hidden_positions(self) -> list[int]:
        """Generation positions of the hidden pieces, in order."""
        return [a.start + k for a in self.aligned for k in range(len(a.pieces) - 1)]

    @property
    def hidden_count(self) -> int:
        return sum(len(a.pieces) - 1 for a in self.aligned)


def text_rows(tokens: Sequence[TokenRecord]) -> tuple[list[int], int | None]:
    """Positions of the rows that are generated text (all scopes), and of a final
    zero-width end row (``None`` when there is none)."""
    end = len(tokens) - 1 if tokens and is_zero_width(tokens[-1]) else None
    rows = [i for i in range(len(tokens)) if i != end]
    return rows, end


def generated_bytes(tokens: Sequence[TokenRecord]) -> bytes | None:
    """The bytes of everything generated (all text rows, in order), or ``None`` when a row has
    no bytes (the server is not llama.cpp, or dropped them)."""
    rows, _ = text_rows(tokens)
    parts = []
    for i in rows:
        data = tokens[i].bytes
        if data is None:
            return None
        parts.append(data)
    return b"".join(parts)


def align(tokens: Sequence[TokenRecord], pieces: Sequence[Piece]) -> dict[int, tuple[Piece, ...]]:
    """Each text row lined up with the pieces of ``/tokenize`` of :func:`generated_bytes`
    that span exactly its bytes and end with its own id; rows that do not line up are left
    out (a different tokenisation was sampled there: see :func:`own_piece` and
    :func:`plan_from`)."""
    starts: dict[int, int] = {}
    offset = 0
    for k, piece in enumerate(pieces):
        starts[offset] = k
        offset += len(piece.data)
    starts[offset] = len(pieces)
    rows, _ = text_rows(tokens)
    found: dict[int, tuple[Piece, ...]] = {}
    offset = 0
    for i in rows:
        data = tokens[i].bytes or b""
        first, last = starts.get(offset), starts.get(offset + len(data))
        offset += len(data)
        if first is None or last is None or last <= first:
            continue
        taken = tuple(pieces[first:last])
        if _fits(tokens[i], taken):
            found[i] = taken
    return found


def own_piece(row: TokenRecord) -> tuple[Piece, ...] | None:
    """The row as a single token, when its own alternatives say so: the entry with its id
    has exactly its bytes (then nothing was merged into it)."""
    if row.id is None or not row.bytes:
        return None
    for alt in row.raw_top or ():
        if isinstance(alt, dict) and alt.get("id") == row.id:
            data = alt.get("bytes")
            if isinstance(data, list) and bytes(data) == row.bytes:
                return (Piece(row.id, row.bytes),)
            return None
    return None


def fits(row: TokenRecord, pieces: Sequence[Piece]) -> bool:
    """Whether ``pieces`` can be the tokens of ``row``: its bytes, ending with its id."""
    return _fits(row, tuple(pieces))


def _fits(row: TokenRecord, pieces: tuple[Piece, ...]) -> bool:
    if not pieces or b"".join(p.data for p in pieces) != row.bytes:
        return False
    return row.id is None or pieces[-1].id == row.id


def plan_from(tokens: Sequence[TokenRecord], found: dict[int, tuple[Piece, ...]]) -> Plan:
    """The plan for rows lined up in ``found``: every row up to the first one that is not
    (whose tokens, and so the prompt of every later probe, are not known)."""
    rows, end = text_rows(tokens)
    plan = Plan(end_row=end)
    for i in rows:
        pieces = found.get(i)
        if pieces is None:
            plan.unaligned_from = i
            break
        plan.aligned.append(RowPieces(i, pieces, len(plan.ids)))
        plan.ids.extend(piece.id for piece in pieces)
    return plan
