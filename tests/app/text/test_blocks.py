"""Block cutting: exact text coverage, newline cuts, forced cuts, block lookup."""

import pytest

from tui.app.text.blocks import BlockSplitter


def texts(splitter: BlockSplitter, text: str) -> list[str]:
    return [text[slice(*splitter.block_range(i, len(text)))] for i in range(splitter.count())]


def test_short_text_is_one_open_block():
    s = BlockSplitter(10, 40)
    assert s.feed("short\ntext") == 0
    assert texts(s, "short\ntext") == ["short\ntext"]


def test_blocks_end_at_a_newline_after_the_minimum_and_show_the_text_exactly():
    text = "first line is long\nsecond\n\nthird paragraph here\nend"
    s = BlockSplitter(10, 40)
    s.feed(text)
    parts = texts(s, text)
    assert parts == ["first line is long", "second\n\nthird paragraph here", "end"]
    # One block under the other is one newline: joining with "\n" gives the text back.
    assert "\n".join(parts) == text


def test_feeding_piece_by_piece_gives_the_same_blocks_as_feeding_at_once():
    text = ("word " * 7 + "\n") * 30 + "tail"
    whole = BlockSplitter(50, 200)
    whole.feed(text)
    pieces = BlockSplitter(50, 200)
    for end in range(0, len(text) + 1, 7):
        pieces.feed(text[:end])
    pieces.feed(text)
    assert (pieces.starts, pieces.ends, pieces.open_start) == (
        whole.starts,
        whole.ends,
        whole.open_start,
    )


def test_text_without_newlines_is_cut_after_a_space_within_the_maximum():
    text = "abcd " * 100
    s = BlockSplitter(20, 50)
    s.feed(text)
    assert s.frozen >= 9
    for i in range(s.frozen):
        start, end = s.block_range(i, len(text))
        assert 20 <= end - start <= 50
        assert text[end - 1] == " "  # cut after a space
    assert "".join(texts(s, text)) == text  # forced cuts drop nothing


def test_text_without_spaces_is_cut_at_the_maximum():
    text = "猫" * 120
    s = BlockSplitter(10, 50)
    s.feed(text)
    assert [s.block_range(i, len(text)) for i in range(s.count())] == [
        (0, 50),
        (50, 100),
        (100, 120),
    ]


def test_block_at_and_blocks_touching():
    text = "a" * 12 + "\n" + "b" * 12 + "\n" + "c"
    s = BlockSplitter(10, 40)
    s.feed(text)
    assert s.count() == 3
    assert s.block_at(0) == 0
    assert s.block_at(12) == 0  # the cut newline counts for the block before it
    assert s.block_at(13) == 1
    assert s.block_at(26) == 2
    assert s.blocks_touching(10, 15) == range(0, 2)
    assert s.blocks_touching(5, 5) == range(0)


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        BlockSplitter(50, 50)
