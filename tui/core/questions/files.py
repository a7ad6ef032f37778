"""Read a question file: JSONL, CSV with a header, or plain text, all UTF-8 (a BOM is fine).

Formats, chosen by the file name's ending (``.jsonl``/``.ndjson``, ``.csv``, anything else is
plain text):

* JSONL: one JSON object per line, ``{"question": "…", "answer": "…", "id": "…"}``; only
  ``question`` is required; other keys are ignored (a data set's own fields may stay).
* CSV: a header row naming the columns ``question`` (required), ``answer`` and ``id``
  (optional, any order, other columns ignored); quoted cells may span lines.
* Plain text: one question per line.

Blank lines are skipped in every format. A question without an ``id`` is named by its number
in the file (``"1"``, ``"2"``…, counting questions, not lines), so a table can always name it;
ids must be unique. Every problem is found before anything runs: :class:`QuestionFileError`
is one line naming the file and the line of the first problem, and how many more there are.
Text is kept exactly as written (no stripping inside a question: spaces can matter to a
model), except that leading and trailing whitespace of a plain-text line is dropped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import LogprobChatError
from tui.core.safety import safe_line

MAX_QUESTIONS = 100_000
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused: a question set of this size is a mistake (a wrong file)."""
FIELDS = ("question", "answer", "id")


class QuestionFileError(LogprobChatError):
    """A question file that cannot be used as it is (one line: the file, the line, why)."""

    kind = "config"


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a set: its ``id`` (given, or its number), its text, an optional
    reference ``answer`` (what ``--score`` scores), and the ``line`` it starts on."""

    id: str
    question: str
    answer: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class _Problem:
    line: int
    text: str


def read_questions(path: str | Path) -> list[Question]:
    """The questions of the file at ``path`` (format by its ending, see the module
    docstring); raises :class:`QuestionFileError` for any problem, before returning any."""
    path = Path(path).expanduser()
    name = safe_line(path.name)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise QuestionFileError(
                f"{name}: {size:,} bytes is larger than a question file can be ({MAX_FILE_BYTES:,})"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionFileError(f"cannot read {name}: {exc.strerror or exc}") from None
    return parse_questions(data, name=name, kind=kind_of(path))


def kind_of(path: str | Path) -> str:
    """``jsonl``, ``csv`` or ``text``, from the file name's ending."""
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    return "text"


def parse_questions(data: bytes | str, *, name: str = "questions", kind: str) -> list[Question]:
    """The questions in ``data`` (bytes are decoded as UTF-8, a BOM dropped)."""
    text = _decode(data, name) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    if kind == "jsonl":
        questions, problems = _jsonl(text)
    elif kind == "csv":
        questions, problems = _csv(text)
    elif kind == "text":
        questions, problems = _plain(text)
    else:
        raise ValueError(f"unknown question file kind {kind!r}")
    problems += _duplicates(questions)
    if problems:
        raise QuestionFileError(_message(name, problems))
    if not questions:
        raise QuestionFileError(f"{name}: no questions in the file")
    if len(questions) > MAX_QUESTIONS:
        raise QuestionFileError(
            f"{name}: {len(questions):,} questions; a set holds at most {MAX_QUESTIONS:,}"
        )
    return questions


def require_answers(questions: Sequence[Question], name: str = "questions") -> None:
    """Raise :class:`QuestionFileError` unless every question has a reference answer (what
    scoring needs), naming the lines of those without."""
    missing = [_Problem(q.line, "no reference answer to score") for q in questions if not q.answer]
    if missing:
        raise QuestionFileError(_message(name, missing))


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise QuestionFileError(
            f"{name} line {line}: not UTF-8 text (byte {exc.start + 1}); save the file as UTF-8"
        ) from None


def _message(name: str, problems: list[_Problem]) -> str:
    problems = sorted(problems, key=lambda p: p.line)
    first = problems[0]
    message = f"{name} line {first.line}: {first.text}"
    rest = problems[1:]
    if rest:
        lines = ", ".join(str(p.line) for p in rest[:5]) + (", …" if len(rest) > 5 else "")
        message += f" (and {len(rest)} more problem{'s' if len(rest) > 1 else ''}: line {lines})"
    return message


def _make(
    number: int, line: int, question: object, answer: object, given_id: object
) -> Question | _Problem:
    """A question from one record's values, or the problem with them."""
    if not isinstance(question, str) or not question.strip():
        what = "missing" if question is None else "empty" if question == "" else "not text"
        return _Problem(line, f'"question" is {what}')
    if answer is not None and not isinstance(answer, str):
        return _Problem(line, '"answer" must be text')
    if isinstance(given_id, bool) or (given_id is not None and not isinstance(given_id, str | int)):
        return _Problem(line, '"id" must be text or a whole number')
    ident = str(number) if given_id is None or given_id == "" else str(given_id)
    return Question(ident, question, answer or None, line)


def _collect(
    made: Iterable[Question | _Problem],
) -> tuple[list[Question], list[_Problem]]:
    questions: list[Question] = []
    problems: list[_Problem] = []
    for item in made:
        (questions if isinstance(item, Question) else problems).append(item)  # type: ignore[arg-type]
    return questions, problems


def _jsonl(text: str) -> tuple[list[Question], list[_Problem]]:
    def records() -> Iterable[Question | _Problem]:
        number = 0
        for line_number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            number += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield _Problem(line_number, f"not JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(record, dict):
                yield _Problem(line_number, 'not a JSON object like {"question": "…"}')
                continue
            yield _make(
                number, line_number, record.get("question"), record.get("answer"), record.get("id")
            )

    return _collect(records())


def _csv(text: str) -> tuple[list[Question], list[_Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [_Problem(reader.line_num, f"unreadable CSV ({exc})")]
    if header is None:
        return [], []
    columns = [cell.strip().lower() for cell in header]
    if "question" not in columns:
        found = ", ".join(safe_line(c) for c in columns[:6]) or "nothing"
        return [], [
            _Problem(reader.line_num, f'the header row needs a "question" column (it has: {found})')
        ]
    at = {field: columns.index(field) for field in FIELDS if field in columns}

    def records() -> Iterable[Question | _Problem]:
        number = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield _Problem(start, f"unreadable CSV ({exc})")
                return
            if not any(cell.strip() for cell in row):
                continue
            number += 1
            if len(row) != len(columns):
                yield _Problem(start, f"{len(row)} cells where the header has {len(columns)}")
                continue
            values = {field: row[index] for field, index in at.items()}
            yield _make(number, start, values["question"], values.get("answer"), values.get("id"))

    return _collect(records())


def _plain(text: str) -> tuple[list[Question], list[_Problem]]:
    questions = [
        Question(str(number), line.strip(), None, line_number)
        for number, (line_number, line) in enumerate(
            ((n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()), 1
        )
    ]
    return questions, []


def _duplicates(questions: list[Question]) -> list[_Problem]:
    first: dict[str, int] = {}
    problems: list[_Problem] = []
    for q in questions:
        if q.id in first:
            problems.append(
                _Problem(q.line, f'id "{safe_line(q.id)}" is used before, on line {first[q.id]}')
            )
        else:
            first[q.id] = q.line
    return problems
