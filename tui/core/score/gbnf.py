"""A text as a GBNF string literal: the grammar that admits exactly that text.

llama.cpp's grammar parser (``src/llama-grammar.cpp``, ``parse_sequence`` and ``parse_char``
at commit 04332939dd7a) reads a literal ``"…"`` character by character: ``\\x`` + 2 hex
digits, ``\\u`` + 4, ``\\U`` + 8 are a code point; ``\\t \\r \\n`` the control characters;
``\\\\ \\" \\[ \\] \\-`` the character itself; any other byte starts a UTF-8 character taken
as it is. So a quote or a backslash must be escaped, and everything else may be; here
everything outside printable ASCII is written as a code point escape, so the grammar is
plain ASCII whatever the answer holds (no layer between here and the parser can change it).

One code point cannot be matched: U+0000. The grammar engine ends the code points of every
candidate token with a 0 (``decode_utf8``), so a NUL in the answer would never match:
:func:`answer_grammar` refuses it.
"""

from __future__ import annotations

PRINTABLE = range(0x20, 0x7F)
"""Printable ASCII: written as it is (but ``"`` and ``\\``)."""

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


class GrammarError(ValueError):
    """The text cannot be written as a grammar llama.cpp can match (one readable line)."""


def escape_char(char: str) -> str:
    """One character as it is written inside a GBNF string literal."""
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code in PRINTABLE:
        return char
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def string_literal(text: str) -> str:
    """``text`` as a GBNF string literal, quotes included (``"a\\"b"``)."""
    return '"' + "".join(map(escape_char, text)) + '"'


def answer_grammar(text: str) -> str:
    """``root ::= "<text>"``: a grammar that admits exactly ``text`` (then the end token).

    Raises :class:`GrammarError` for text the grammar engine cannot match: a NUL character,
    or a lone surrogate (not Unicode text: it has no UTF-8 bytes for a model to produce)."""
    if "\x00" in text:
        raise GrammarError(
            "the answer contains a NUL character (U+0000), which llama.cpp's grammar cannot match"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise GrammarError(
            f"the answer is not valid Unicode text (a lone surrogate at character {exc.start + 1})"
        ) from None
    return "root ::= " + string_literal(text)
