"""Inspector facts and alternative bars for one token."""

import math

from tests.support.scripted_server import token_row
from tui.app.text.inspect import (
    alternative_rows,
    bar,
    hex_bytes,
    strip_lines,
    token_facts,
    token_title,
    visible,
)
from tui.core.characters import character_of
from tui.core.wire.normalise import normalise_row
from tui.core.wire.records import TokenRecord


def test_visible_shows_whitespace_and_neutralises_controls():
    assert visible(" the\n") == "␣the⏎"
    assert visible("\x1b[31m") == "␛[31m"


def test_bar_is_proportional_in_eighths():
    assert bar(0.0, 4) == "    "
    assert bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██  "
    assert bar(1 / 16, 2) == "▏ "


def test_facts_and_alternatives_of_a_token():
    row = token_row(" cat", math.log(0.6), [(" cat", math.log(0.6)), (" dog", math.log(0.3))])
    token = normalise_row(row, 3, "answer", 2)
    token.text = " cat"
    facts = dict(token_facts(token))
    # One number for one token: index 3 is #4 (people count from 1), in the title only.
    assert token_title(token, 9) == "Token #4 of 9"
    assert facts["Text"] == "␣cat" and not any("#" in value for value in facts.values())
    assert facts["Bytes"] == "20 63 61 74"
    assert facts["Probability"] == "60.0%"
    assert facts["Residual mass"] == "10.0%"
    alts = alternative_rows(token, width=40)
    assert [a.chosen for a in alts] == [True, False]
    assert alts[0].prob.strip() == "60.0%"
    assert alts[0].bar.count("█") > alts[1].bar.count("█")


def test_unknown_logprob_says_why():
    token = normalise_row({"token": "x", "logprob": -9999.0, "top_logprobs": []}, 0, "answer", 0)
    facts = dict(token_facts(token))
    assert facts["Probability"] == "–"
    assert "sentinel" in facts["Note"]


def test_a_huge_token_is_cut_with_how_much_was_left_out():
    assert visible("ab cd", limit=3) == "ab␣… (+2 characters)"
    assert visible("x" * 1_000_000) == "x" * 200 + "… (+999,800 characters)"
    assert hex_bytes(b"\x00" * 1000, limit=2) == "00 00 … (1,000 bytes)"
    assert hex_bytes(b"hi") == "68 69" and hex_bytes(b"") == "(none)" and hex_bytes(None) == "–"


def _pieces() -> list[TokenRecord]:
    """ど (e3 81 a9) as three tokens after a whole one: two hidden pieces (recovered, no
    text of their own) and the last one showing the character."""
    whole = TokenRecord(0, "answer", "A", "A", b"A", math.log(0.5))
    first = TokenRecord(1, "answer", "", "", b"\xe3", math.log(0.9), char_start=1, recovered=True)
    second = TokenRecord(2, "answer", "", "", b"\x81", math.log(0.8), char_start=1, recovered=True)
    last = TokenRecord(3, "answer", "ど", "ど", b"\xa9", math.log(0.5), char_start=1)
    return [whole, first, second, last]


def test_a_piece_of_a_character_lists_the_pieces_and_their_product():
    tokens = _pieces()
    character = character_of(tokens, 1)
    assert character is not None
    facts = token_facts(tokens[1], character)
    table = dict(facts)
    assert table["Text"].startswith("(none of its own")
    assert table["Measured"].startswith("after the answer")
    assert table["Character"] == "ど  3 tokens"
    # p(ど) = 0.9 × 0.8 × 0.5 = 0.36, each piece with its own number and probability.
    assert table["Character p"] == "36.0% = 90.0% × 80.0% × 50.0%"
    pieces = [(label, value) for label, value in facts if label.strip().startswith("#")]
    assert [label.strip() for label, _ in pieces] == ["#2", "#3", "#4"]
    assert pieces[0][1] == "e3  p 90.0%  ◀" and pieces[2][1] == "a9  p 50.0%"
    head, second = strip_lines(tokens[1], 4, character)
    assert head.startswith("token #2 of 4  (piece)  p 90.0%")
    assert second.startswith("character ど: p 36.0% = 90.0% × 80.0% × 50.0%")


def test_a_whole_token_has_no_character_rows():
    tokens = _pieces()
    assert character_of(tokens, 0) is None
    labels = [label for label, _ in token_facts(tokens[0])]
    assert "Character" not in labels and "Measured" not in labels
    head, second = strip_lines(tokens[0], 4)
    assert head.startswith("token #1 of 4  A  p 50.0%") and second == "no alternatives sent"
