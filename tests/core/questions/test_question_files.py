"""Question files: JSONL, CSV and plain text, UTF-8 with or without a BOM, Japanese
throughout; every problem is one line naming the file and the line, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.questions import Question, QuestionFileError, read_questions, require_answers
from tui.core.questions.files import parse_questions

BOM = b"\xef\xbb\xbf"


def test_jsonl_with_a_bom_japanese_and_optional_fields(tmp_path: Path) -> None:
    path = tmp_path / "qs.jsonl"
    path.write_bytes(
        BOM
        + '{"question": "日本の首都は？", "answer": "東京です。", "id": "首都"}\n'.encode()
        + b"\n"
        + b'{"question": "2 + 2?", "category": "math"}\n'
        + b'{"question": " spaced ", "answer": "4", "id": 7}\n'
    )
    assert read_questions(path) == [
        Question("首都", "日本の首都は？", "東京です。", 1),
        Question("2", "2 + 2?", None, 3),  # numbered by question, not by line
        Question("7", " spaced ", "4", 4),  # kept exactly: spaces can matter to a model
    ]


def test_csv_with_a_header_in_any_order_and_cells_over_lines(tmp_path: Path) -> None:
    path = tmp_path / "qs.csv"
    path.write_bytes(
        BOM + 'notes,answer,question\nx,東京,"日本の\n首都は？"\n\ny,,空の答え\n'.encode()
    )
    assert read_questions(path) == [
        Question("1", "日本の\n首都は？", "東京", 2),
        Question("2", "空の答え", None, 5),
    ]


def test_plain_text_is_one_question_per_line(tmp_path: Path) -> None:
    path = tmp_path / "qs.txt"
    path.write_text("  日本の首都は？  \n\nWhat is 2 + 2?\r\n", encoding="utf-8")
    assert read_questions(path) == [
        Question("1", "日本の首都は？", None, 1),
        Question("2", "What is 2 + 2?", None, 3),
    ]


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (
            "jsonl",
            '{"question": "a"}\n{"question": "b",}\n',
            "qs line 2: not JSON (Expecting property name enclosed in double quotes at column 18)",
        ),
        ("jsonl", '["a"]\n', 'qs line 1: not a JSON object like {"question": "…"}'),
        ("jsonl", '{"q": "a"}\n', 'qs line 1: "question" is missing'),
        ("jsonl", '{"question": ""}\n', 'qs line 1: "question" is empty'),
        ("jsonl", '{"question": 3}\n', 'qs line 1: "question" is not text'),
        ("jsonl", '{"question": "a", "answer": 4}\n', 'qs line 1: "answer" must be text'),
        (
            "jsonl",
            '{"question": "a", "id": [1]}\n',
            'qs line 1: "id" must be text or a whole number',
        ),
        (
            "jsonl",
            '{"question": "a", "id": "x"}\n\n{"question": "b", "id": "x"}\n',
            'qs line 3: id "x" is used before, on line 1',
        ),
        (
            "csv",
            "prompt,answer\na,b\n",
            'qs line 1: the header row needs a "question" column (it has: prompt, answer)',
        ),
        ("csv", "question,answer\na,b,c\n", "qs line 2: 3 cells where the header has 2"),
        ("csv", 'question\n"open\n', "qs line 2: unreadable CSV (unexpected end of data)"),
        ("text", "\n \n", "qs: no questions in the file"),
        ("jsonl", "", "qs: no questions in the file"),
    ],
)
def test_each_problem_is_one_line_naming_the_line(kind: str, data: str, message: str) -> None:
    with pytest.raises(QuestionFileError) as caught:
        parse_questions(data, name="qs", kind=kind)
    assert str(caught.value) == message


def test_several_problems_name_the_first_and_count_the_rest() -> None:
    data = '{"question": "ok"}\nnope\n{"x": 1}\n{"question": "fine"}\n[]\n'
    with pytest.raises(QuestionFileError) as caught:
        parse_questions(data, name="qs.jsonl", kind="jsonl")
    assert str(caught.value) == (
        "qs.jsonl line 2: not JSON (Expecting value at column 1) (and 2 more problems: line 3, 5)"
    )


def test_not_utf8_names_the_line_and_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "qs.txt"
    path.write_bytes("日本\n".encode() + "東京".encode("shift_jis") + b"\n")
    with pytest.raises(QuestionFileError, match=r"^qs.txt line 2: not UTF-8 text \(byte 8\)"):
        read_questions(path)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match=r"^cannot read none\.jsonl: No such file"):
        read_questions(tmp_path / "none.jsonl")


def test_scoring_needs_every_reference_answer() -> None:
    questions = parse_questions(
        '{"question": "a", "answer": "A"}\n{"question": "b"}\n{"question": "c", "answer": ""}\n',
        kind="jsonl",
    )
    with pytest.raises(QuestionFileError) as caught:
        require_answers(questions, "qs.jsonl")
    assert str(caught.value) == (
        "qs.jsonl line 2: no reference answer to score (and 1 more problem: line 3)"
    )
