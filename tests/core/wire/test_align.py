"""Aligning rows with the server's text: lost characters, the reasoning/answer split, and
which rows a streamed delta accounts for."""

from __future__ import annotations

from tui.core.wire.align import (
    align_rows,
    answer_switch,
    fill_untrusted_text,
    row_atoms,
    rows_spelling,
    split_by_content,
)
from tui.core.wire.records import TokenRecord

FFFD = [239, 191, 189]  # the UTF-8 of U+FFFD: what vLLM sends for a split character


def test_answer_switch_finds_the_last_final_channel_or_think_end():
    def rows(*tokens):
        return [TokenRecord(i, "answer", t, t, t.encode(), -0.1) for i, t in enumerate(tokens)]

    harmony = rows("<|channel|>", "analysis", "<|message|>", "x", "<|end|>", "<|start|>")
    harmony += rows("assistant", "<|channel|>", "final", "<|message|>", "A")
    assert answer_switch(harmony) == 10
    assert answer_switch(rows("<think>", "x", "</think>", "A")) == 3
    assert answer_switch(rows("<|channel|>", "analysis", "<|message|>", "x")) is None


# ------------------------------------------------------------------ alignment


def _row(i, token, raw_bytes, text=None):
    if text is None:
        text = raw_bytes.decode("utf-8", "replace") if raw_bytes is not None else token
    return TokenRecord(i, "answer", token, text, raw_bytes, -0.1)


def test_row_atoms():
    assert row_atoms(_row(0, " is", b" is")) == [" ", "i", "s"]
    assert row_atoms(_row(0, "\ufffd", bytes(FFFD))) == [None]
    assert row_atoms(_row(0, "", None)) == [None]  # llama-cpp-python partial
    assert row_atoms(_row(0, "\ufffdこ", None)) == [None, "こ"]
    assert row_atoms(_row(0, "Ġhi", None)) == [" ", "h", "i"]


def test_align_rows_gives_each_row_its_span():
    rows = [_row(0, "東京", "東京".encode()), _row(1, "\ufffd", bytes(FFFD))]
    rows += [_row(2, "\ufffd", bytes(FFFD)), _row(3, "。", "。".encode())]
    spans = align_rows([row_atoms(r) for r in rows], "東京です。")
    # "東京" 0..2, the two unknown rows 2..4 ("です": the second takes the extra char), "。" 4..5
    assert spans is not None
    assert spans[0] == (0, 2)
    assert spans[1][0] == 2 and spans[2][1] == 4
    assert spans[3] == (4, 5)
    assert align_rows([row_atoms(r) for r in rows], "東京でした。") is None


def test_align_rows_allows_whitespace_trimmed_by_the_server():
    rows = [_row(0, "\n\n", b"\n\n"), _row(1, "Hi", b"Hi"), _row(2, " ", b" ")]
    assert align_rows([row_atoms(r) for r in rows], "Hi") == [(0, 0), (0, 2), (2, 2)]


def test_fill_untrusted_text_puts_a_lost_character_on_the_last_piece():
    rows = [_row(0, "東京", "東京".encode()), _row(1, "\ufffd", bytes(FFFD))]
    rows += [_row(2, "\ufffd", bytes(FFFD)), _row(3, "。", "。".encode())]
    assert fill_untrusted_text(rows, "東京です。")
    assert [r.text for r in rows] == ["東京", "", "です", "。"]


def test_fill_untrusted_text_chooses_the_alignment_that_spells_everything():
    # "すす": the first す is lost in two pieces, the second arrives whole. Searching for
    # the next trusted row's text would match the first す and leave the second unplaced.
    rows = [_row(0, "", None), _row(1, "", None), _row(2, "す", "す".encode())]
    assert fill_untrusted_text(rows, "すす")
    assert [r.text for r in rows] == ["", "す", "す"]


def test_fill_untrusted_text_keeps_rows_that_have_their_own_text():
    rows = [_row(0, "Bonjour", None), _row(1, ",", None), _row(2, " monde", None)]
    assert fill_untrusted_text(rows, "Bonjour, monde")
    assert [r.text for r in rows] == ["Bonjour", ",", " monde"]


def test_fill_untrusted_text_changes_nothing_when_rows_do_not_spell_the_text():
    rows = [_row(0, "A", b"A"), _row(1, "\ufffd", bytes(FFFD))]
    assert not fill_untrusted_text(rows, "BC")
    assert [r.text for r in rows] == ["A", "\ufffd"]


def test_rows_spelling_takes_the_longest_prefix():
    dot, tokyo = _row(0, ".", b"."), _row(1, "Tokyo", b"Tokyo")
    assert rows_spelling([row_atoms(dot), row_atoms(tokyo)], ".") == 1
    lost = [row_atoms(_row(0, "", None)), row_atoms(_row(1, "", None))]
    assert rows_spelling(lost, "で") == 2  # both pieces of で, not just the first
    assert rows_spelling([row_atoms(tokyo)], ".") is None
    assert rows_spelling([[], ["a"]], "a") == 2


def test_alignment_with_many_unknown_rows_completes():
    # The regex matcher this replaced backtracked exponentially (25 unknowns: 0.75 s, 40
    # would take hours), and a set of positions made it quadratic; intervals keep it linear.
    # 20,000 unknown rows (an emoji-only answer from vLLM) must simply complete.
    rows = [_row(0, "\ufffd", bytes(FFFD)) for _ in range(20_000)]
    patterns = [row_atoms(r) for r in rows]
    assert align_rows(patterns, "で" * 20_001) is None  # more characters than rows
    assert fill_untrusted_text(rows, "で" * 10_000)
    assert rows[-1].text == "で" * 10_000 and rows[0].text == ""


# ------------------------------------------------------------------ reasoning / answer split


def _rows(*pieces):
    return [_row(i, tok, b) for i, (tok, b) in enumerate(pieces)]


def test_split_without_reasoning_counts_all_but_framing_as_answer():
    rows = _rows(("Hi", b"Hi"), ("", b""))
    assert split_by_content(rows, "Hi", "") == (["answer", "other"], True)


def test_split_on_content_and_reasoning_without_markers():
    rows = _rows(("Sky", b"Sky"), (" blue", b" blue"), ("\n\n", b"\n\n"), ("Blue", b"Blue"))
    scopes, ok = split_by_content(rows, "\n\nBlue", "Sky blue")
    assert ok
    assert scopes == ["reasoning", "reasoning", "answer", "answer"]


def test_split_uses_reasoning_text_when_unknown_rows_make_the_tail_ambiguous():
    # Reasoning "ab", answer "で" lost in two pieces. The shortest tail that spells the
    # content is the last piece alone; only the cut after "b" spells the reasoning too.
    rows = _rows(("a", b"a"), ("b", b"b"), ("\ufffd", bytes(FFFD)), ("\ufffd", bytes(FFFD)))
    assert split_by_content(rows, "で", "ab") == (
        ["reasoning", "reasoning", "answer", "answer"],
        True,
    )


def test_split_fails_honestly_when_no_tail_spells_the_content():
    rows = _rows(("東京", "東京".encode()), ("", None))
    assert split_by_content(rows, "東京です。", "User asks") == (["answer", "answer"], False)
