"""TextTrack keeps text, spans and blocks in step and says what to repaint."""

from tui.app.text.track import TextTrack
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
