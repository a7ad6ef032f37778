"""Token ↔ text alignment: exact matches, split characters, resync, waiting for text."""

from tui.app.text.alignment import LOOKAHEAD, UNALIGNED, TokenAligner


def spans(aligner: TokenAligner) -> list[tuple[int, int]]:
    return list(zip(aligner.starts, aligner.ends, strict=True))


def test_tokens_that_spell_the_text_get_consecutive_spans():
    a = TokenAligner()
    done = a.advance("Hello world!", ["Hello", " world", "!"])
    assert done == range(0, 3)
    assert spans(a) == [(0, 5), (5, 11), (11, 12)]


def test_a_token_waits_until_its_text_has_arrived():
    a = TokenAligner()
    assert a.advance("Hel", ["Hello", " world"]) == range(0, 0)
    assert a.advance("Hello wo", ["Hello", " world"]) == range(0, 1)
    assert a.advance("Hello world", ["Hello", " world"]) == range(1, 2)
    assert spans(a) == [(0, 5), (5, 11)]


def test_a_split_character_colours_once_on_the_token_that_completes_it():
    # llama.cpp: the first bytes of "の" decode to "", the last token carries the character.
    a = TokenAligner()
    a.advance("猫の", ["猫", "", "の"])
    assert spans(a) == [(0, 1), (UNALIGNED, UNALIGNED), (1, 2)]


def test_a_mismatch_resyncs_a_little_further_and_leaves_the_gap_uncoloured():
    # The server trimmed nothing but its token text differs for one token ("<0x0A>").
    a = TokenAligner()
    a.advance("A\nB", ["A", "<0x0A>", "B"], final=True)
    assert spans(a) == [(0, 1), (UNALIGNED, UNALIGNED), (2, 3)]


def test_leading_whitespace_the_content_lacks_is_found_by_lookahead():
    a = TokenAligner()
    a.advance("Hi there", ["Hi", "  there"], final=True)
    # "  there" is not in the text at all: no span, position unchanged.
    assert spans(a) == [(0, 2), (UNALIGNED, UNALIGNED)]
    b = TokenAligner()
    b.advance("Hi -- there", ["Hi", "there"], final=True)
    assert spans(b) == [(0, 2), (6, 11)]


def test_text_beyond_the_lookahead_is_not_matched():
    text = "x" + "y" * (LOOKAHEAD + 5) + "z"
    a = TokenAligner()
    a.advance(text, ["x", "z"], final=True)
    assert spans(a)[1] == (UNALIGNED, UNALIGNED)


def test_an_undecidable_mismatch_waits_until_final():
    a = TokenAligner()
    assert a.advance("Hi", ["Hi", "zz"]) == range(0, 1)
    assert a.resolved == 1  # "zz" could still appear within the lookahead
    assert a.advance("Hi", ["Hi", "zz"], final=True) == range(1, 2)
    assert a.starts[1] == UNALIGNED
