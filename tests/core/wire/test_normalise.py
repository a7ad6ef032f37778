"""Row-level normalisation: values, sentinels, bytes → text, alternatives, alignment."""

from __future__ import annotations

import math

import pytest

from tui.core.wire.normalise import TextRebuilder, is_marker, is_zero_width, normalise_row
from tui.core.wire.records import TokenRecord
from tui.core.wire.values import (
    NOTE_FROM_PROBABILITY,
    NOTE_NON_FINITE,
    NOTE_OUT_OF_RANGE,
    NOTE_SENTINEL,
    NOTE_SPECULATIVE,
    clean_logprob,
    clean_probability,
    token_bytes,
    top_summary,
)

FFFD = [239, 191, 189]  # the UTF-8 of U+FFFD: what vLLM sends for a split character


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("value", "expected", "note"),
    [
        (-0.5, -0.5, ""),
        (0.0, 0.0, ""),
        (-0.0, 0.0, ""),
        (-3, -3.0, ""),  # an int on the wire
        (-9999.0, None, NOTE_SENTINEL),  # OpenAI / vLLM "probability 0"
        (-3.4028234663852886e38, None, NOTE_SENTINEL),  # llama.cpp float lowest
        (-10000.5, None, NOTE_SENTINEL),
        (math.nan, None, NOTE_NON_FINITE),
        (-math.inf, None, NOTE_NON_FINITE),
        (math.inf, None, NOTE_NON_FINITE),
        (None, None, NOTE_NON_FINITE),
        ("-0.5", None, NOTE_NON_FINITE),  # a string is not a number
        (True, None, NOTE_NON_FINITE),  # nor is a JSON boolean
        (7.5, None, NOTE_OUT_OF_RANGE),
    ],
)
def test_clean_logprob(value, expected, note):
    assert clean_logprob(value) == (expected, note)


def test_a_probability_in_the_logprob_field_becomes_its_log():
    # Ollama falls back to the probability when the logprob is 0: 0.8 means p = 0.8.
    value, note = clean_logprob(0.8)
    assert value == pytest.approx(math.log(0.8))
    assert note == NOTE_FROM_PROBABILITY


@pytest.mark.parametrize(
    ("value", "expected", "note"),
    [
        (0.25, math.log(0.25), ""),
        (1.0, 0.0, ""),
        (0.0, None, NOTE_SENTINEL),
        (1.5, None, NOTE_OUT_OF_RANGE),
        (-0.1, None, NOTE_OUT_OF_RANGE),
        (None, None, NOTE_NON_FINITE),
        (math.nan, None, NOTE_NON_FINITE),
    ],
)
def test_clean_probability(value, expected, note):
    assert clean_probability(value) == (expected, note)


def test_top_summary_mass_and_entropy_by_hand():
    top = [{"logprob": -0.5}, {"logprob": -1.5}, {"logprob": -9999.0}, {"logprob": None}]
    mass, entropy = top_summary(top, probabilities=False)
    p1, p2 = math.exp(-0.5), math.exp(-1.5)  # 0.6065..., 0.2231...; unknowns are skipped
    assert mass == pytest.approx(p1 + p2)
    assert entropy == pytest.approx(-(p1 * -0.5) - (p2 * -1.5))


def test_top_summary_of_probabilities_and_cap_at_one():
    mass, entropy = top_summary([{"prob": 0.5}, {"prob": 0.25}], probabilities=True)
    assert mass == pytest.approx(0.75)
    assert entropy == pytest.approx(-(0.5 * math.log(0.5)) - (0.25 * math.log(0.25)))
    # Rounding on the server can push the sum a hair over 1: mass is capped.
    assert top_summary([{"logprob": 0.0}, {"logprob": -5.0}], probabilities=False)[0] == 1.0
    assert top_summary([], probabilities=False) == (0.0, None)
    assert top_summary(None, probabilities=False) == (0.0, None)


# ------------------------------------------------------------------ rows


def test_normalise_row_openai_shape():
    entry = {
        "token": " Blue",
        "logprob": -0.023958502,
        "bytes": [32, 66, 108, 117, 101],
        "top_logprobs": [{"token": " Blue", "logprob": -0.023958502, "bytes": [32, 66]}],
    }
    row = normalise_row(entry, 2, "answer", 5)
    assert (row.index, row.token, row.bytes, row.logprob, row.note) == (
        2,
        " Blue",
        b" Blue",
        -0.023958502,
        "",
    )
    assert row.top_count == 1
    assert row.top_mass == pytest.approx(math.exp(-0.023958502))
    assert row.residual_mass == pytest.approx(1 - math.exp(-0.023958502))


def test_normalise_row_post_sampling_probs():
    entry = {
        "id": 6072,
        "token": "Red",
        "bytes": [82, 101, 100],
        "prob": 0.5,
        "top_probs": [
            {"id": 6072, "token": "Red", "bytes": [82, 101, 100], "prob": 0.5},
            {"id": 11, "token": "Blue", "bytes": [66, 108, 117, 101], "prob": 0.25},
        ],
    }
    row = normalise_row(entry, 0, "answer", 5)
    assert row.logprob == pytest.approx(math.log(0.5))
    assert row.id == 6072
    assert row.top_mass == pytest.approx(0.75)
    assert [(a.token, a.logprob) for a in row.alternatives()] == [
        ("Red", pytest.approx(math.log(0.5))),
        ("Blue", pytest.approx(math.log(0.25))),
    ]


def test_speculative_zero_with_empty_top_is_unknown_only_when_top_k_was_asked():
    entry = {"token": ",", "bytes": [44], "logprob": 0.0, "top_logprobs": []}
    assert normalise_row(entry, 0, "answer", 5).note == NOTE_SPECULATIVE
    assert normalise_row(entry, 0, "answer", 5).logprob is None
    # top_logprobs 0 asked: an empty list is expected, and 0.0 means certainty.
    assert normalise_row(entry, 0, "answer", 0).logprob == 0.0
    # A 0.0 row with its own top entry (OpenAI's second byte of the blue heart) is certain.
    sure = {"token": "\\x99", "bytes": [153], "logprob": 0.0, "top_logprobs": [entry]}
    assert normalise_row(sure, 0, "answer", 5).logprob == 0.0


@pytest.mark.parametrize("entry", [None, "text", 3, ["token"]])
def test_a_row_that_is_not_an_object_is_an_unknown_row(entry):
    row = normalise_row(entry, 4, "answer", 5)
    assert (row.index, row.logprob, row.note, row.token) == (4, None, NOTE_NON_FINITE, "")


def test_row_without_any_value_is_unknown():
    row = normalise_row({"token": "x", "bytes": [120]}, 0, "answer", 5)
    assert (row.logprob, row.note) == (None, NOTE_NON_FINITE)


def test_token_bytes_from_escape_only_tokens_when_bytes_is_null():
    assert token_bytes("\\xf0\\x9f\\x92", None) == bytes([240, 159, 146])
    assert token_bytes("\\x99", None) == bytes([153])
    # Real bytes win; escapes mixed with text are text (a model writing Python).
    assert token_bytes("\\x99", [1, 2]) == bytes([1, 2])
    assert token_bytes("a\\x99", None) is None
    assert token_bytes("", None) is None
    assert token_bytes("x", [300]) is None  # not bytes at all


# ------------------------------------------------------------------ text from bytes


def test_rebuilder_shows_a_split_character_once_on_the_row_that_completes_it():
    rebuilder = TextRebuilder()
    # 💙 = F0 9F 92 99 split 3 + 1 (OpenAI's blue heart).
    assert rebuilder.text_for(bytes([240, 159, 146]), "\\xf0\\x9f\\x92") == ""
    assert rebuilder.text_for(bytes([153]), "\\x99") == "💙"
    # で = E3 81 A7 split 2 + 1 (llama.cpp sends [227, 129] then [167]).
    assert rebuilder.text_for(bytes([227, 129]), "") == ""
    assert rebuilder.text_for(bytes([167]), "\ufffd") == "で"


def test_rebuilder_untrusted_rows_show_their_token_and_flush_half_characters():
    rebuilder = TextRebuilder()
    assert rebuilder.text_for(bytes([227, 129]), "") == ""
    # vLLM's lost bytes: the half character pending is flushed as U+FFFD, then the token.
    assert rebuilder.text_for(bytes(FFFD), "\ufffd") == "\ufffd\ufffd"
    assert rebuilder.text_for(None, "Ġworld") == " world"  # raw BPE surface form
    assert rebuilder.text_for(None, "▁hi") == " hi"


def test_rebuilder_preview_does_not_consume():
    rebuilder = TextRebuilder()
    rebuilder.text_for(bytes([227]), "")
    rows = [TokenRecord(0, "answer", "", "", bytes([129, 167]), -0.1)]
    assert rebuilder.preview(rows) == ["で"]
    assert rebuilder.preview(rows) == ["で"]  # same again: state restored
    assert rebuilder.text_for(bytes([129, 167]), "") == "で"


# ------------------------------------------------------------------ alternatives


def _llamacpp_row(row_bytes, row_id, top):
    entry = {
        "id": row_id,
        "token": bytes(row_bytes).decode("utf-8", "ignore"),
        "bytes": row_bytes,
        "logprob": top[0][2],
        "top_logprobs": [
            {"id": i, "token": "\ufffd", "bytes": b, "logprob": lp} for i, b, lp in top
        ],
    }
    return normalise_row(entry, 0, "answer", 5)


def test_llamacpp_merged_prefix_alternatives_show_whole_characters():
    # From the real capture: row ど = [227,129,169] (the dropped row's [227,129] merged in),
    # its alternatives carry only their last byte.
    row = _llamacpp_row(
        [227, 129, 169],
        119,
        [(119, [169], -1.0031017065048218), (220, [130], -1.9958250522613525)],
    )
    alts = row.alternatives()
    assert [a.text for a in alts] == [
        bytes([227, 129, 169]).decode(),  # ど
        bytes([227, 129, 130]).decode(),  # あ
    ]
    assert [a.bytes for a in alts] == [bytes([169]), bytes([130])]  # own bytes kept


def test_merged_prefix_alternative_that_is_still_partial_shows_its_prefix():
    # Seen on the real engine: 都 = [233, 131, 189] with the sampled alternative [131, 189],
    # so the merged prefix is [233]; the alternative [140] still needs a byte: \xe9\x8c.
    row = _llamacpp_row([233, 131, 189], 7, [(7, [131, 189], -0.2), (8, [140], -3.1)])
    assert [a.text for a in row.alternatives()] == ["都", "\\xe9\\x8c"]


def test_merged_prefix_is_guessed_when_the_sampled_token_is_not_in_the_list():
    # Sampled id 999 is absent: each continuation-byte alternative is completed with the
    # longest start of the row's bytes that ends inside a character.
    row = _llamacpp_row([227, 129, 169], 999, [(220, [130], -1.9), (117, [129, 167], -2.5)])
    texts = {a.bytes: a.text for a in row.alternatives()}
    assert texts[bytes([130])] == bytes([227, 129, 130]).decode()  # あ: prefix [227, 129]
    assert texts[bytes([129, 167])] == bytes([227, 129, 167]).decode()  # で: prefix [227]


def test_alternatives_sorted_most_likely_first_unknowns_last():
    entry = {
        "token": "Paris",
        "logprob": -3.2,
        "bytes": list(b"Paris"),
        "top_logprobs": [
            {"token": " The", "logprob": -1.6, "bytes": list(b" The")},
            {"token": "Nope", "logprob": None, "bytes": list(b"Nope")},
            {"token": "It", "logprob": -0.9, "bytes": list(b"It")},
            {"token": "Lyon", "logprob": -2.3, "bytes": list(b"Lyon")},
        ],
    }
    alts = normalise_row(entry, 0, "answer", 5).alternatives()
    assert [a.token for a in alts] == ["It", " The", "Lyon", "Nope"]
    assert alts[-1].prob is None
    assert alts[0].prob == pytest.approx(math.exp(-0.9))


def test_partial_byte_alternatives_show_as_escapes():
    entry = {
        "token": "\\xf0\\x9f\\x92",
        "logprob": -0.09,
        "bytes": [240, 159, 146],
        "top_logprobs": [{"token": "\\xf0\\x9f\\x92", "logprob": -0.09, "bytes": [240, 159, 146]}],
    }
    assert normalise_row(entry, 0, "answer", 5).alternatives()[0].text == "\\xf0\\x9f\\x92"


# ------------------------------------------------------------------ framing


@pytest.mark.parametrize(
    ("token", "previous", "expected"),
    [
        ("<|channel|>", None, True),
        ("<|im_end|>", "x", True),
        ("<think>", None, True),
        ("</think>", None, True),
        ("analysis", "<|channel|>", True),
        ("final", "<|channel|>", True),
        ("assistant", "<|start|>", True),
        ("User", "<|channel|>", False),  # reasoning text right after the marker
        ("analysis", "The", False),
        ("<b>", None, False),
    ],
)
def test_is_marker(token, previous, expected):
    assert is_marker(token, previous) is expected


def test_zero_width_rows_are_control_tokens():
    assert is_zero_width(TokenRecord(0, "answer", "", "", b"", -0.19))
    assert not is_zero_width(TokenRecord(0, "answer", "", "", None, -0.11))  # Ollama partial
    assert not is_zero_width(TokenRecord(0, "answer", "", "", bytes([227, 129]), -0.1))


def test_rows_that_make_one_character_together_are_marked():
    # 💙 split over two tokens (OpenAI's blue heart): both marked with the first's index,
    # the character shown once, on the second; whole tokens stay unmarked.
    rebuilder = TextRebuilder()
    rows = [
        TokenRecord(0, "answer", "\\xf0\\x9f\\x92", "", bytes([240, 159, 146]), -0.09),
        TokenRecord(1, "answer", "\\x99", "", bytes([153]), 0.0),
        TokenRecord(2, "answer", " Blue", "", b" Blue", -0.02),
    ]
    for row in rows:
        rebuilder.place(row)
    assert [r.text for r in rows] == ["", "💙", " Blue"]
    assert [r.char_start for r in rows] == [0, 0, None]
