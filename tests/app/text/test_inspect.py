"""Inspector facts and alternative bars for one token."""

import math

from tests.support.scripted_server import token_row
from tui.app.text.inspect import alternative_rows, bar, hex_bytes, token_facts, visible
from tui.core.wire.normalise import normalise_row


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
    assert facts["Token"] == "#4  ␣cat"  # index 3 is the 4th token: people count from 1
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
