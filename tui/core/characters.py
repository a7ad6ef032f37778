"""A character made of several tokens, for the inspector: its pieces and its probability.

Byte-level tokenisers split many characters (most Japanese ones, emoji) into pieces of
one or two bytes. Each piece is a model token with its own probability; the character is
shown once (on its last piece, see ``TokenRecord.char_start``), and its probability is the
product of its pieces' probabilities: p(character) = Π pᵢ = exp(Σ lᵢ), the chain rule over
the pieces, each conditioned on the ones before it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.wire.records import TokenRecord


@dataclass(frozen=True, slots=True)
class CharacterPieces:
    """The entries that form one character, in order, and what they make together.

    ``logprob`` = Σ of the pieces' logprobs (nats), ``None`` when a piece's is unknown (then
    the product cannot be told); ``text`` is what they show as (the last piece's text).
    """

    pieces: tuple[TokenRecord, ...]

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    @property
    def logprob(self) -> float | None:
        values = [piece.logprob for piece in self.pieces]
        if any(v is None for v in values):
            return None
        return math.fsum(v for v in values if v is not None)

    @property
    def prob(self) -> float | None:
        """Π pᵢ: the probability of the whole character."""
        logprob = self.logprob
        return None if logprob is None else math.exp(logprob)

    def piece_probs(self) -> list[tuple[TokenRecord, float | None]]:
        """Each piece with its own probability pᵢ (``None`` when unknown)."""
        return [(piece, piece.prob) for piece in self.pieces]


def character_of(tokens: Sequence[TokenRecord], position: int) -> CharacterPieces | None:
    """The character the entry at ``position`` (in ``tokens``) is a piece of, or ``None``
    when the entry stands alone (its ``char_start`` is ``None``)."""
    if not 0 <= position < len(tokens):
        return None
    start = tokens[position].char_start
    if start is None:
        return None
    first = position
    while first > 0 and tokens[first - 1].char_start == start:
        first -= 1
    last = position
    while last + 1 < len(tokens) and tokens[last + 1].char_start == start:
        last += 1
    return CharacterPieces(tuple(tokens[first : last + 1]))
