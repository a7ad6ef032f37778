"""The lazy raw-JSON document: line counts without formatting, valid JSON when joined."""

import json

from tests.support.scripted_server import token_row
from tui.app.text.json_lines import (
    MAX_LINE_CHARS,
    RawJsonLines,
    cut_line,
    format_row,
    row_line_count,
)


def rows(n: int, top: int = 3) -> list[dict]:
    return [
        token_row(
            f"t{i}", -0.1 * i, [(f"t{i}", -0.1 * i)] + [(f"a{j}", -3.0) for j in range(top - 1)]
        )
        for i in range(n)
    ]


def test_line_count_is_known_without_formatting():
    data = rows(5, top=4)
    doc = RawJsonLines(data)
    assert row_line_count(data[0]) == 2 + 4
    assert doc.line_count == 2 + 5 * 6
    assert row_line_count("odd") == 1
    assert row_line_count({"token": "x", "logprob": -1.0}) == 1


def test_joined_lines_are_the_rows_as_valid_json():
    data = rows(4)
    data.append({"token": "x", "logprob": -1.0, "top_logprobs": []})
    data.append({"token": "odd row without alternatives"})
    doc = RawJsonLines(data)
    assert json.loads(doc.text()) == {"content": data}
    assert doc.line(0) == '{"content": ['
    assert doc.line(doc.line_count - 1) == "]}"


def test_a_growing_row_list_is_indexed_incrementally_and_commas_follow():
    data = rows(2)
    doc = RawJsonLines(data)
    before = doc.line(doc.line_count - 2)
    assert before.endswith("]}") and not before.endswith(",")
    data.extend(rows(3)[2:])
    assert doc.sync() == 1
    assert json.loads(doc.text()) == {"content": data}


def test_row_of_line_maps_back():
    data = rows(3, top=2)
    doc = RawJsonLines(data)
    assert doc.row_of_line(0) is None
    assert doc.row_of_line(1) == 0
    assert doc.row_of_line(doc.line_of_row(2)) == 2
    assert doc.row_of_line(doc.line_count - 1) is None


def test_empty_document_and_out_of_range_lines():
    doc = RawJsonLines([])
    assert doc.line_count == 1 and doc.line(0) == "null" and doc.line(5) == ""


def test_control_characters_never_reach_a_line():
    data = [token_row("\x1b]0;pwned\x07", -0.5, [("\x1b[31m", -1.0)])]
    text = "\n".join(format_row(data[0]))
    assert "\x1b" not in text and "\x07" not in text
    assert "\\u001b" in text


def test_a_huge_line_is_cut_for_display_with_the_count_left_out():
    assert cut_line("abcdef", 4) == "abcd … (2 more characters)"
    assert cut_line("abcd", 4) == "abcd"
    big = token_row("x" * 1_000_000, -0.5, [("y" * 5000, -1.0)])
    lines = format_row(big)
    assert len(lines) == 3 and all(len(line) < MAX_LINE_CHARS + 40 for line in lines)
    assert lines[0].endswith("more characters)") and lines[1].endswith("more characters)")
    assert row_line_count(big) == len(lines)


def test_token_and_logprob_come_first_so_a_narrow_pane_shows_them():
    row = {
        "id": 7,
        "bytes": [104, 105],
        "logprob": -0.25,
        "token": "hi",
        "top_logprobs": [{"bytes": [104, 105], "id": 7, "logprob": -0.25, "token": "hi"}],
    }
    head, alternative, close = format_row(row)
    assert head.startswith('  {"token": "hi", "logprob": -0.25, "id": 7, "bytes": [104, 105]')
    assert alternative == '    {"token": "hi", "logprob": -0.25, "bytes": [104, 105], "id": 7}'
    assert close == "  ]}"
    assert format_row({"bytes": [1], "token": "x"})[0].startswith('  {"token": "x", "bytes"')
    assert json.loads(RawJsonLines([row]).text()) == {"content": [row]}  # same values


def test_showing_the_same_growing_list_again_counts_only_the_new_rows(monkeypatch):
    """A streamed answer ends: the pane shows the finished answer, whose rows are the list
    already shown (re-counting 20k rows stalled the screen)."""
    import tui.app.text.json_lines as module

    data = rows(50)
    doc = RawJsonLines(data)
    doc.line(3)  # formatted and cached
    counted = []
    real = module.row_line_count
    monkeypatch.setattr(module, "row_line_count", lambda row: counted.append(row) or real(row))
    data.extend(rows(53)[50:])
    data[0]["token"] = "***"  # rewritten in place (a scrubbed key): not shown from the cache
    doc.attach(data)
    assert len(counted) == 3
    assert json.loads(doc.text()) == {"content": data}
    assert "***" in doc.line(1)
    doc.attach(rows(2))  # another list: indexed from scratch
    assert doc.row_count == 2 and len(counted) == 5
