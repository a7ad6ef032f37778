"""The GBNF literal escaper, read back by an independent parser of llama.cpp's rules.

:func:`parse_literal` follows ``parse_char`` and the literal loop of ``parse_sequence`` in
llama.cpp's ``src/llama-grammar.cpp`` (commit 04332939dd7a): it is how the engine reads
what we write. The property: for every string of Unicode text without NUL (any plane, any
control character, quotes, backslashes, newlines), parsing our literal gives the string
back, and the literal is plain ASCII. The real engine's side is in ``test_engine_score.py``
(answers with quotes, backslashes, newlines and Japanese come back byte for byte).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.score.gbnf import GrammarError, answer_grammar, escape_char, string_literal

HEX = {"x": 2, "u": 4, "U": 8}
SIMPLE = {"t": "\t", "r": "\r", "n": "\n", "\\": "\\", '"': '"', "[": "[", "]": "]", "-": "-"}


def parse_literal(source: str) -> str:
    """The code points llama.cpp reads from one ``"…"`` literal that is the whole source."""
    assert source.startswith('"') and source.endswith('"'), source
    data = source.encode("utf-8")
    pos, out = 1, []
    while data[pos : pos + 1] != b'"':
        if pos >= len(data):
            raise AssertionError("unexpected end of input")
        if data[pos : pos + 1] == b"\\":
            kind = chr(data[pos + 1])
            if kind in HEX:
                digits = data[pos + 2 : pos + 2 + HEX[kind]].decode("ascii")
                assert len(digits) == HEX[kind] and all(
                    c in "0123456789abcdefABCDEF" for c in digits
                ), digits
                out.append(chr(int(digits, 16)))
                pos += 2 + HEX[kind]
            elif kind in SIMPLE:
                out.append(SIMPLE[kind])
                pos += 2
            else:
                raise AssertionError(f"unknown escape \\{kind}")
        else:  # a UTF-8 character taken as it is
            lead = data[pos]
            size = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            out.append(data[pos : pos + size].decode("utf-8"))
            pos += size
    assert pos == len(data) - 1, "text after the closing quote"
    return "".join(out)


TEXT = st.text(alphabet=st.characters(exclude_characters="\x00", codec="utf-8"), max_size=60)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_every_text_reads_back_exactly(text: str) -> None:
    literal = string_literal(text)
    assert literal.isascii()
    assert parse_literal(literal) == text


@given(st.characters(exclude_characters="\x00", codec="utf-8"))
def test_each_character_alone(char: str) -> None:
    assert parse_literal('"' + escape_char(char) + '"') == char


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ('say "hi"', r'"say \"hi\""'),
        ("a\\b", r'"a\\b"'),
        ("line\nnext\r\tx", r'"line\nnext\r\tx"'),
        ("東京", r'"\u6771\u4EAC"'),
        ("😀", r'"\U0001F600"'),
        ("\x7f\x1b\u00e9", r'"\x7F\x1B\xE9"'),
        ("[a-b] #", '"[a-b] #"'),
    ],
)
def test_known_forms(text: str, literal: str) -> None:
    assert string_literal(text) == literal


def test_grammar_is_one_rule() -> None:
    assert answer_grammar("ok") == 'root ::= "ok"'


def test_nul_and_lone_surrogates_are_refused_in_words() -> None:
    with pytest.raises(GrammarError, match="NUL"):
        answer_grammar("a\x00b")
    with pytest.raises(GrammarError, match="surrogate at character 2"):
        answer_grammar("a\ud800")
