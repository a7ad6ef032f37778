"""Vocabulary pieces read back as bytes: the byte-level alphabet checked against its
definition (every byte one character, printable Latin-1 kept, the rest from U+0100 in byte
order) and known pieces of real byte-level vocabularies; SentencePiece's ▁ and <0xHH>."""

from __future__ import annotations

from tui.core.score.pieces import BYTE_OF, byte_level, decode_pieces, sentencepiece, suffix_start


def test_the_byte_alphabet_is_a_bijection_of_256() -> None:
    assert len(BYTE_OF) == 256 and sorted(BYTE_OF.values()) == list(range(256))
    assert BYTE_OF["!"] == 0x21 and BYTE_OF["ÿ"] == 0xFF
    assert BYTE_OF["Ā"] == 0x00 and BYTE_OF["Ġ"] == 0x20 and BYTE_OF["Ċ"] == 0x0A


def test_known_byte_level_pieces() -> None:
    # Qwen / GPT-2 style pieces as vocabularies write them.
    assert byte_level("Ġcapital") == b" capital"
    assert byte_level("æĿ±") == "東".encode()
    assert byte_level("äº¬") == "京".encode()
    assert byte_level("▁the") is None  # not of the alphabet: SentencePiece


def test_sentencepiece_pieces() -> None:
    assert sentencepiece("▁the") == b" the"
    assert sentencepiece("<0xE6><0x9D>") == b"\xe6\x9d"
    assert sentencepiece("京") == "京".encode()


def test_decode_keeps_the_reading_that_spells_the_text() -> None:
    assert decode_pieces(["Hello", "Ġworld"], b"Hello world") == [b"Hello", b" world"]
    assert decode_pieces(["▁Hello", "▁world"], b" Hello world") == [b" Hello", b" world"]
    assert decode_pieces(["Hello", "Ġworld"], b"Hello there") is None


def test_suffix_start_finds_the_answer_at_the_end() -> None:
    pieces = ["<|im_start|>", "assistant", "Ċ", "Tok", "yo", "Ġ(", "æĿ±", "äº", "¬", ")."]
    assert suffix_start(pieces, "Tokyo (東京).".encode()) == 3
    assert suffix_start(pieces, "yo (東京).".encode()) == 4
    assert suffix_start(pieces, "okyo (東京).".encode()) is None  # inside a token
