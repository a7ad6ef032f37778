"""Shell-like recall: ↑ in an empty field, ↓ back, editing ends it (issue 15 item 10)."""

from __future__ import annotations

from tui.core.recall import Recall


def test_up_from_empty_walks_back_and_down_returns_to_empty():
    recall = Recall(["one", "two", "three"])
    assert recall.older("") == "three"
    assert recall.older("three") == "two"
    assert recall.older("two") == "one"
    assert recall.older("one") is None  # nothing earlier: ↑ moves the cursor
    assert recall.newer("one") == "two"
    assert recall.newer("two") == "three"
    assert recall.newer("three") == ""  # past the latest: empty again
    assert recall.newer("") is None


def test_a_field_with_text_of_its_own_is_left_alone():
    recall = Recall(["one"])
    assert recall.older("draft") is None
    assert recall.newer("draft") is None


def test_editing_a_recalled_entry_ends_the_browsing():
    recall = Recall(["one", "two"])
    assert recall.older("") == "two"
    assert recall.older("two!") is None  # edited: the person's text now
    assert recall.newer("two!") is None


def test_repeats_blanks_and_the_limit():
    recall = Recall(limit=3)
    for text in ["a", "a", "  ", "b", "c", "d"]:
        recall.add(text)
    assert recall.entries == ["b", "c", "d"]


def test_earlier_sessions_come_before_and_each_text_once():
    recall = Recall(["new"])
    recall.add_older(["x", "new", "y", "x"])  # oldest first; "x" last used after "y"
    assert recall.entries == ["y", "x", "new"]
    assert recall.older("") == "new"
