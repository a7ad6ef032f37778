"""What the token inspector says about one token: plain strings, no widgets.

Token text is shown with its whitespace visible (a space is ``␣``, a newline ``⏎``, a tab
``→``) and control characters neutralised (:func:`tui.core.safety.safe_line`), because the
difference between ``" the"`` and ``"the"`` is often the whole story.

A token can be any size (a hostile server sent one of 1 MB): what is shown of it is cut to
:data:`MAX_SHOWN_CHARS` characters and :data:`MAX_SHOWN_BYTES` bytes, with how much was left
out, so the inspector never lays out megabytes (copy or save the JSON to see all of it).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

from tui.app.text.status import shorten_middle
from tui.core.characters import CharacterPieces
from tui.core.report import fmt_num, fmt_prob, token_number
from tui.core.safety import hidden_characters, safe_line
from tui.core.wire.records import TokenRecord
from tui.core.wire.values import (
    NOTE_FROM_PROBABILITY,
    NOTE_NON_FINITE,
    NOTE_OUT_OF_RANGE,
    NOTE_SENTINEL,
    NOTE_SPECULATIVE,
)

NOTES = {
    NOTE_SENTINEL: "the server sent a sentinel (-9999 / -3.4e38): probability ~0, not averaged",
    NOTE_NON_FINITE: "the server sent no usable number (NaN, infinity or null)",
    NOTE_SPECULATIVE: "a speculative (draft) token: the server gave no real logprob",
    NOTE_FROM_PROBABILITY: "the server sent a probability in the logprob field; converted",
    NOTE_OUT_OF_RANGE: "the server sent a value above 1: neither a logprob nor a probability",
}

_EIGHTHS = " ▏▎▍▌▋▊▉"

MAX_SHOWN_CHARS = 200
"""Characters of one token's text shown (real tokens are a few characters long)."""

MAX_SHOWN_BYTES = 48
"""Bytes of one token shown in hex (three cells each)."""


def visible(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """Token text for one line: whitespace visible, controls neutralised, cut to ``limit``
    characters with the number left out."""
    rest = len(text) - limit
    if rest > 0:
        text = text[:limit]
    shown = safe_line(text).replace(" ", "␣")
    return f"{shown}… (+{rest:,} characters)" if rest > 0 else shown


def hex_bytes(raw: bytes | None, limit: int = MAX_SHOWN_BYTES) -> str:
    """The bytes in hex, the first ``limit`` of them and the total when there are more."""
    if raw is None:
        return "–"
    if len(raw) > limit:
        return f"{raw[:limit].hex(' ')} … ({len(raw):,} bytes)"
    return raw.hex(" ") or "(none)"


def bar(fraction: float, width: int) -> str:
    """A horizontal bar of ``fraction`` (0..1) of ``width`` cells, in eighths of a cell."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text.ljust(width)


def token_title(token: TokenRecord, total: int) -> str:
    """ "Token #78 of 346": the one token number people read (1-based over everything the
    model generated for the answer, reasoning included), of how many it generated."""
    return f"Token #{token_number(token.index)} of {total}"


def token_facts(
    token: TokenRecord, character: CharacterPieces | None = None
) -> list[tuple[str, str]]:
    """Labelled facts about one token; ``character``: the character it is a piece of
    (:func:`tui.core.characters.character_of`), listed piece by piece."""
    if token.text:
        text = visible(token.text)
    elif character is not None:
        text = "(none of its own: a piece of the character below)"
    else:
        text = "(none)"
    facts = [("Text", text)]
    if token.token != token.text:
        facts.append(("Server token", visible(token.token)))
    hidden = hidden_characters(token.text[:MAX_SHOWN_CHARS])
    if hidden:  # shown as marks (⧈ ⬚ ␛ ...): say what they stand for
        facts.append(("Hidden", "; ".join(hidden)))
    facts += [
        ("Bytes", hex_bytes(token.bytes)),
        ("Probability", fmt_prob(token.prob)),
        ("Logprob", fmt_num(token.logprob, 4)),
    ]
    if token.id is not None:
        facts.append(("Token id", str(token.id)))
    if token.note:
        facts.append(("Note", NOTES.get(token.note, safe_line(token.note))))
    if token.top_count:
        facts.append(("Top-k", f"{token.top_count} alternatives"))
        facts.append(("Residual mass", fmt_prob(token.residual_mass)))
        if token.top_entropy is not None:
            facts.append(("Top-k entropy", f"{fmt_num(token.top_entropy)} nats"))
    else:
        facts.append(("Top-k", "none sent"))
    if token.recovered:
        facts.append(("Measured", "after the answer (llama.cpp sent no row for it)"))
    if character is not None:
        facts += character_facts(character, token)
    return facts


def character_facts(character: CharacterPieces, current: TokenRecord) -> list[tuple[str, str]]:
    """The character a token is a piece of: its text and probability, the product of its
    pieces' (p = Π pᵢ, each piece conditioned on the ones before it), then one row per piece
    with its number, bytes and own probability; ``◀`` marks ``current``."""
    pieces = character.pieces
    product = " × ".join(fmt_prob(piece.prob) for piece in pieces)
    rows = [
        ("Character", f"{visible(character.text)}  {len(pieces)} tokens"),
        ("Character p", f"{fmt_prob(character.prob)} = {product}"),
    ]
    for piece in pieces:
        mark = "  ◀" if piece is current else ""
        rows.append(
            (
                f"  #{token_number(piece.index)}",
                f"{hex_bytes(piece.bytes)}  p {fmt_prob(piece.prob)}{mark}",
            )
        )
    return rows


def strip_lines(
    token: TokenRecord, total: int, character: CharacterPieces | None = None
) -> tuple[str, str]:
    """The inspector in two lines, for the compact pane of narrow terminals: the token (its
    number as everywhere, 1-based, of all the answer's tokens), then its alternatives, or for
    a piece of a character the character and its probability (the product of its pieces')."""
    text = visible(token.text) or "(piece)"
    head = (
        f"token #{token_number(token.index)} of {total}  {text}  p {fmt_prob(token.prob)}"
        f"  logprob {fmt_num(token.logprob, 4)}"
    )
    alts = "  ".join(f"{visible(a.text)} {fmt_prob(a.prob)}" for a in token.alternatives()[:6])
    second = alts or "no alternatives sent"
    if character is not None:
        pieces = " × ".join(fmt_prob(piece.prob) for piece in character.pieces)
        second = (
            f"character {visible(character.text)}: p {fmt_prob(character.prob)} = {pieces}"
            f"  ({len(character.pieces)} tokens)"
        )
    return head, second


@dataclass(frozen=True, slots=True)
class AltRow:
    label: str  # the alternative's text, visible whitespace, cut to fit
    bar: str
    prob: str
    chosen: bool  # the sampled token


MARK_WIDTH = 2  # "▶ " before the sampled token's row, "  " before the others
PROB_WIDTH = 7


def alternative_rows(token: TokenRecord, width: int, label_width: int = 14) -> list[AltRow]:
    """One row per alternative, most likely first, bars scaled to probability (not to the
    largest alternative, so a 30 % favourite does not look certain).

    A row is ``mark label bar prob`` with single spaces: it fits in ``width`` cells."""
    rows = []
    prob_width = PROB_WIDTH
    bar_width = max(4, width - MARK_WIDTH - label_width - prob_width - 2)
    for alt in token.alternatives():
        label = shorten_middle(visible(alt.text), label_width)
        label += " " * (label_width - cell_len(label))
        p = alt.prob
        chosen = alt.token == token.token
        rows.append(AltRow(label, bar(p or 0.0, bar_width), fmt_prob(p).rjust(prob_width), chosen))
    return rows
