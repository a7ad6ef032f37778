"""The spelling check (a score of another text is an error, never numbers), tokenisation
comparison, the table rows and their difference to the first prompt."""

from __future__ import annotations

import math

import pytest

from tui.core.answer import Answer
from tui.core.compare.plan import PromptSpec
from tui.core.score.llamacpp import line_up
from tui.core.score.result import Score, ScoreError, check_spelling, compare_tokenizations
from tui.core.score.run import ScoreEntry
from tui.core.score.table import COLUMNS, fmt_difference, score_rows, table_cells
from tui.core.wire.records import TokenRecord


def record(i: int, data: bytes, logprob: float | None, token_id: int | None = None) -> TokenRecord:
    text = data.decode("utf-8", "ignore")
    return TokenRecord(i, "answer", text, text, data, logprob, id=token_id)


def answer_of(*rows: tuple[bytes, float], stop: float | None = None) -> Answer:
    tokens = [record(i, d, lp, 100 + i) for i, (d, lp) in enumerate(rows)]
    if stop is not None:
        tokens.append(TokenRecord(len(tokens), "other", "", "", b"", stop, id=2))
    text = b"".join(d for d, _ in rows).decode()
    return Answer(text=text, tokens=tokens, status="complete")


def test_spelling_must_be_exact() -> None:
    answer = answer_of((b"Tok", -1.0), (b"yo", -0.5), stop=-0.1)
    check_spelling(answer, "Tokyo")
    with pytest.raises(ScoreError, match="part at byte 6 of 6"):
        check_spelling(answer, "Tokyo.")
    with pytest.raises(ScoreError, match="part at byte 3"):
        check_spelling(answer, "Tolyo")


def test_tokenizations_compared() -> None:
    assert compare_tokenizations([1, 2, 3], [1, 2, 3]).same
    differ = compare_tokenizations([1, 9, 8, 3], [1, 2, 3])
    assert differ.first_difference == 2 and "from token #2" in (differ.words or "")
    assert compare_tokenizations([1, 2], [1, 2, 3]).first_difference == 3


def test_rows_lined_up_with_the_generated_ids() -> None:
    # Rows: "東" (its last piece 126 after hidden 177, 247), "は" (124), end (2).
    answer = Answer(
        tokens=[
            record(0, "東".encode(), -0.1, 126),
            record(1, "は".encode(), -0.2, 124),
            TokenRecord(2, "other", "", "", b"", -0.3, id=2),
        ]
    )
    assert line_up(answer, [177, 247, 126, 124, 2]) == [(0, 3, 0), (3, 1, 1)]
    assert line_up(answer, [177, 247, 126, 124, 0]) is None  # another end token
    assert line_up(answer, [177, 124, 2]) is None  # 126 never generated


def entry(index: int, label: str, *rows: tuple[bytes, float], stop: float = -0.5) -> ScoreEntry:
    e = ScoreEntry(index, PromptSpec(label, f"system {label}"))
    e.score = Score(answer_of(*rows, stop=stop), "llama.cpp grammar")
    e.status = "ok"
    return e


def test_table_rows_and_difference_to_the_first() -> None:
    a = entry(0, "terse", (b"Tok", -1.0), (b"yo", -0.5))
    b = entry(1, "pirate", (b"Tok", -3.0), (b"yo", -0.25), stop=-2.0)
    failed = ScoreEntry(2, PromptSpec("long", "x"), status="error", error="context full")
    rows = score_rows([a, b, failed])
    assert rows[0].sum_logprob == -1.5 and rows[1].sum_logprob == -3.25
    assert rows[1].difference == pytest.approx(-1.75)
    assert rows[1].lowest_number == 1 and rows[1].lowest_text == "Tok"
    assert rows[1].stop_prob == pytest.approx(math.exp(-2.0))
    assert rows[2].difference is None
    cells = table_cells(rows)
    assert len(cells[0]) == len(COLUMNS)
    delta = [c.heading for c in COLUMNS].index("Δ nats vs first")
    assert [r[delta] for r in cells] == ["base", "−1.750", "–"]
    assert fmt_difference(0.6931, 1) == "+0.693"
