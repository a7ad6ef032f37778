"""``fit_table``: every CLI table within the terminal's width, wide characters counted as two
cells, numbers never broken (issue 15 item 2)."""

from __future__ import annotations

import re

import pytest

from tui.core.cells import cell_width
from tui.core.table import Column, fit_table, wrap_cells

COLUMNS = [
    Column("prompt", wrap=True, min_cells=8),
    Column("ok", right=True),
    Column("mean logprob ± 95% CI", right=True),
    Column("mean prob", right=True),
    Column("perplexity", right=True, short="ppl", drop=3),
    Column("min prob", right=True, drop=1),
    Column("tokens", right=True, drop=2),
    Column("coverage", wrap=True),
]
ROWS = [
    ["丁寧に答えて。", "5/5", "-0.551 ± 3.401*", "59.7%", "1.80", "4.21%*", "29.0",
     "covers 58 of 60 tokens"],
    ["あなたは親切なAIです。一言で…", "5/5", "-0.432 ± 1.363", "65.3%*", "1.55*", "3.20%",
     "29.5", "covers 59 of 60 tokens"],
    ["polite", "4/5", "-1.020 ± 0.100", "36.1%", "2.77", "1.00%", "112.0", "all tokens"],
]  # fmt: skip
NUMBERS = re.compile(r"[-+]?\d+(?:\.\d+)?%?\*?")


def every_value(rows: list[list[str]]) -> set[str]:
    return {m for row in rows for cell in row[1:7] for m in NUMBERS.findall(cell)}


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_table_fits_the_width_with_japanese_labels(width: int) -> None:
    table = fit_table(COLUMNS, ROWS, width)
    assert table.lines
    for line in table.lines:
        assert cell_width(line) <= width, (width, line)
    shown = {m for line in table.lines for m in NUMBERS.findall(line)}
    dropped = {h for h in table.dropped}
    kept_values = {
        m
        for row in ROWS
        for column, cell in zip(COLUMNS, row, strict=True)
        if column.heading not in dropped and not column.wrap
        for m in NUMBERS.findall(cell)
    }
    assert kept_values <= shown, "a number was broken across lines"
    # The labels are whole, in order, when the first column's lines are put back together.
    first_column = "".join(line.partition("  ")[0] for line in table.lines[header_lines(table) :])
    assert first_column == "".join(row[0] for row in ROWS)


def header_lines(table) -> int:
    return next(i for i, line in enumerate(table.lines) if line.startswith("prompt")) + 1


def test_at_120_columns_only_a_heading_wraps() -> None:
    table = fit_table(COLUMNS, ROWS, 120)
    assert table.dropped == ()
    assert len(table.lines) == header_lines(table) + len(ROWS)  # one line per row


def test_at_80_columns_headings_wrap_and_labels_stay_whole() -> None:
    table = fit_table(COLUMNS, ROWS, 80)
    assert "perplexity" not in table.dropped or table.dropped == ("perplexity",)
    assert any("丁寧に答えて。" in line for line in table.lines)


def test_at_60_columns_the_least_needed_columns_are_left_out_and_named() -> None:
    table = fit_table(COLUMNS, ROWS, 60)
    assert table.dropped and set(table.dropped) <= {"perplexity", "min prob", "tokens"}
    assert "perplexity" in table.dropped  # drop=3: the first to go
    assert "mean prob" not in table.dropped and "coverage" not in table.dropped


def test_no_width_is_the_natural_table() -> None:
    table = fit_table(COLUMNS, ROWS, None)
    assert table.dropped == ()
    headings = "prompt ok mean logprob ± 95% CI mean prob perplexity min prob tokens coverage"
    assert table.lines[0].split() == headings.split(" ")
    assert max(cell_width(line) for line in table.lines) > 120


def test_wide_characters_count_two_cells() -> None:
    table = fit_table(
        [Column("a", wrap=True, min_cells=4), Column("b")], [["日本語日本語", "x"]], 9
    )
    assert table.lines[1:] == ["日本語  x", "日本語"]
    assert all(cell_width(line) <= 9 for line in table.lines)


def test_narrower_than_everything_still_fits() -> None:
    table = fit_table([Column("value"), Column("other")], [["-0.551 ± 3.401", "1234567890"]], 12)
    assert all(cell_width(line) <= 12 for line in table.lines)


def test_wrap_cells_breaks_at_spaces_and_between_wide_characters() -> None:
    assert wrap_cells("covers 58 of 60 tokens", 10) == ["covers 58", "of 60", "tokens"]
    assert wrap_cells("丁寧に答えて。", 6) == ["丁寧に", "答え", "て。"]  # 。never starts a line
    assert wrap_cells("abc 日本", 5) == ["abc", "日本"]
    assert wrap_cells("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap_cells("", 4) == [""]


def test_without_a_header() -> None:
    table = fit_table([Column(), Column(wrap=True)], [["a", "b c"]], None, header=False)
    assert table.lines == ["a  b c"]
