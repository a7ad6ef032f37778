"""Vocabulary pieces (``/tokenize``'s ``token_strs``) back to the bytes each token writes.

vLLM's ``return_token_strs`` gives ``tokenizer.convert_ids_to_tokens``: the vocabulary's own
spelling, not text. Two spellings cover the common tokenizers:

* **byte-level BPE** (GPT-2, Llama 3, Qwen, gpt-oss): each byte 0–255 is one printable
  character: the printable Latin-1 bytes stand for themselves, the 68 others (controls,
  space, DEL, NBSP, soft hyphen…) are U+0100 onwards in byte order (so space is ``Ġ``,
  U+0120, and newline ``Ċ``, U+010A);
* **SentencePiece** (Llama 2, Mistral, Gemma): ``▁`` (U+2581) is a space, ``<0xE6>`` a byte
  (byte fallback), anything else its UTF-8.

Which one a tokenizer uses is not asked: the caller tries both and keeps the one whose bytes
spell the answer (:func:`decode_pieces`), so a wrong guess can never score another text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_KEPT = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
"""Bytes a byte-level vocabulary writes as the Latin-1 character of the same number."""


def _byte_alphabet() -> dict[str, int]:
    moved = [b for b in range(256) if b not in _KEPT]
    table = {chr(b): b for b in _KEPT}
    table.update({chr(0x100 + n): b for n, b in enumerate(moved)})
    return table


BYTE_OF = _byte_alphabet()
"""Character of a byte-level BPE piece → the byte it stands for."""

_SP_BYTE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def byte_level(piece: str) -> bytes | None:
    """A byte-level BPE piece's bytes, ``None`` when a character is not of that alphabet."""
    try:
        return bytes(BYTE_OF[c] for c in piece)
    except KeyError:
        return None


def sentencepiece(piece: str) -> bytes:
    """A SentencePiece piece's bytes (``▁`` a space, ``<0xHH>`` one byte)."""
    out = bytearray()
    at = 0
    for match in _SP_BYTE.finditer(piece):
        out += piece[at : match.start()].replace("\u2581", " ").encode("utf-8")
        out.append(int(match.group(1), 16))
        at = match.end()
    out += piece[at:].replace("\u2581", " ").encode("utf-8")
    return bytes(out)


def decode_pieces(pieces: Sequence[str], wanted: bytes) -> list[bytes] | None:
    """Each piece's bytes, read as byte-level BPE or else as SentencePiece: the first reading
    whose bytes, joined, are exactly ``wanted``; ``None`` when neither is."""
    levels = [byte_level(p) for p in pieces]
    if all(b is not None for b in levels) and b"".join(levels) == wanted:  # type: ignore[arg-type]
        return levels  # type: ignore[return-value]
    sp = [sentencepiece(p) for p in pieces]
    if b"".join(sp) == wanted:
        return sp
    return None


def suffix_start(pieces: Sequence[str], wanted: bytes) -> int | None:
    """Where the pieces that spell ``wanted`` begin, when ``wanted`` is what the last pieces
    spell (the answer at the end of an open assistant turn); ``None`` otherwise."""
    for reader in (byte_level, sentencepiece):
        size = 0
        for start in range(len(pieces) - 1, -1, -1):
            data = reader(pieces[start])
            if data is None:
                break
            size += len(data)
            if size >= len(wanted):
                if size == len(wanted) and decode_pieces(pieces[start:], wanted) is not None:
                    return start
                break
    return None
