"""What the branch dialog and the side-by-side view say, as plain functions: the rows of
alternatives (one that cannot be sent says why, the dialog starts on the likeliest other
one), the numbers in columns that fit, and the texts cut where two answers part (a Japanese
answer's split characters included)."""

from __future__ import annotations

from rich.cells import cell_len

from tests.core.test_branch import JAPANESE, reply_answer
from tui.app.text.branching import choice_rows, first_pick
from tui.app.text.side_by_side import parted_texts, stats_table
from tui.core.branch import branch_answer, branch_choices
from tui.core.wire.events import Finished, TextDelta, TokensReceived
from tui.core.wire.records import TokenRecord


def test_rows_number_the_alternatives_and_say_which_cannot_be_taken() -> None:
    parent = reply_answer(JAPANESE)
    token = parent.tokens[3]
    choices = branch_choices(parent, 3)
    rows = choice_rows(choices, token.token)
    assert len(rows) == len(choices)
    assert rows[0].words.startswith("1  ")
    partial = next(k for k, c in enumerate(choices) if c.problem is not None)
    assert not rows[partial].usable and "✗ that is part of a character" in rows[partial].words
    sampled = [k for k, row in enumerate(rows) if row.sampled]
    assert sampled and "(the answer's own)" in rows[sampled[0]].words
    pick = first_pick(rows)
    assert pick is not None and rows[pick].usable and not rows[pick].sampled
    assert first_pick([]) is None


def test_the_numbers_fit_the_width_and_point_to_the_more_confident() -> None:
    parent = reply_answer(JAPANESE)
    branch = _branch(parent)
    for width in (60, 76, 96):
        lines = stats_table(parent, branch, ("#1 ‹1/2›", "#1 ‹2/2›"), width)
        assert all(cell_len(line) <= width for line in lines)
        assert lines[0].split()[-3:] == ["right", "−", "left"]
        assert [line.split()[0] for line in lines[1:3]] == ["Tokens", "Σ"]


def test_the_texts_part_after_the_shared_start_even_inside_split_characters() -> None:
    parent = reply_answer(JAPANESE)
    branch = _branch(parent)
    texts = parted_texts(parent, branch, None)
    assert texts.shared == 3
    assert texts.start.plain + texts.left.plain == parent.text
    assert texts.start.plain + texts.right.plain == branch.text
    assert texts.right.plain.startswith(branch.tokens[3].text)


def _branch(parent):
    rows = [TokenRecord(0, "answer", "!", "!", b"!", -0.5, id=0)]
    events = [TextDelta("!"), TokensReceived(rows, []), Finished("stop")]
    choice = next(c for c in branch_choices(parent, 3) if c.problem is None and c.text != "す")
    return branch_answer(parent, 3, choice.alternative, events)
