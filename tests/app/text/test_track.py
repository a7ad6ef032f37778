"""TextTrack keeps text, spans and blocks in step and says what to repaint."""

from tui.app.text.track import TextTrack, retracked
from tui.core.wire.records import TokenRecord


def tok(i: int, text: str, lp: float = -0.1) -> TokenRecord:
    return TokenRecord(i, "answer", text, text, text.encode(), lp)


def test_first_text_creates_the_open_block_and_marks_it_dirty():
    track = TextTrack(10, 40)
    update = track.extend("Hello", [tok(0, "Hello")])
    assert update.new_blocks == range(1, 1)  # block 0 always exists
    assert update.dirty == {0}
    assert track.spans_in(0, 5) == [(0, 5, 0)]


def test_only_the_last_block_is_dirty_while_text_streams():
    track = TextTrack(10, 40)
    words = [f"word{i} " for i in range(3)] + ["end\n"] + [f"w{i} " for i in range(20)]
    tokens = [tok(i, w) for i, w in enumerate(words)]
    dirty_sets = []
    for i, w in enumerate(words):
        dirty_sets.append(track.extend(w, [tokens[i]]).dirty)
    assert track.block_count() > 2
    # After the first cut, each update touches at most the block that was open and a new one.
    for d in dirty_sets:
        assert len(d) <= 2
    last = track.block_count() - 1
    assert dirty_sets[-1] == {last}


def test_spans_are_clipped_to_blocks_and_a_token_over_a_cut_touches_both():
    track = TextTrack(5, 40)
    track.extend("abcdefg\nhij", [tok(0, "abcdefg"), tok(1, "\nh"), tok(2, "ij")], final=True)
    assert track.block_count() == 2
    (s0, e0), (s1, e1) = track.block_range(0), track.block_range(1)
    assert (s0, e0, s1, e1) == (0, 7, 8, 11)
    assert track.spans_in(s0, e0) == [(0, 7, 0)]
    assert track.spans_in(s1, e1) == [(8, 9, 1), (9, 11, 2)]
    assert track.blocks_of_token(1) == range(0, 2)


def test_tokens_that_arrive_after_their_text_repaint_the_block_that_holds_it():
    track = TextTrack(5, 40)
    track.extend("first line\nsecond")
    update = track.extend("", [tok(0, "first"), tok(1, " line")])
    assert update.dirty == {0}
    assert track.span_of(1) == (5, 10)
    assert track.span_of(5) is None


def _split_character() -> list[TokenRecord]:
    """ "Aど": A whole, then ど as three pieces (the last one shows the character)."""
    return [
        TokenRecord(0, "answer", "A", "A", b"A", -0.1),
        TokenRecord(1, "answer", "", "", b"\xe3", -0.1, char_start=1, recovered=True),
        TokenRecord(2, "answer", "", "", b"\x81", -0.2, char_start=1, recovered=True),
        TokenRecord(3, "answer", "ど", "ど", b"\xa9", -0.3, char_start=1),
    ]


def test_a_character_of_several_tokens_shows_once_with_its_own_probability():
    track = TextTrack(10, 40)
    track.extend("Aど", _split_character(), final=True)
    # Drawn once, on its last piece, coloured by the character's p = exp(Σ pieces' logprobs).
    assert track.spans_in(0, 2) == [(0, 1, 0), (1, 2, 3)]
    assert abs(track.heat_logprob(3) - (-0.6)) < 1e-12
    assert track.heat_logprob(0) == -0.1
    # The cursor on a hidden piece shows the character.
    assert track.span_of(1) is None and track.display_span(1) == (1, 2)
    assert track.display_span(0) == (0, 1)
    assert track.token_at(1) == 3 and track.token_at(0) == 0 and track.token_at(5) is None


def test_a_recovered_answer_keeps_the_text_and_the_blocks():
    text = "line one\n" * 6 + "last"
    before = TextTrack(10, 40)
    before.extend(text, [tok(0, text)], final=True)
    after = retracked(before, [tok(0, text[:9]), tok(1, text[9:])], "answer")
    assert after.text == text and after.block_count() == before.block_count()
    assert [after.block_range(i) for i in range(after.block_count())] == [
        before.block_range(i) for i in range(before.block_count())
    ]
    assert after.span_of(1) == (9, len(text))
