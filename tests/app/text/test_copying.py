"""What the copy keys copy: the numbers with the context a note needs, full or one line per
token."""

from __future__ import annotations

import json
import math
import re

from tests.support.scripted_server import token_row
from tui.app.text.copying import (
    compact_json,
    compact_stats,
    context_rows,
    json_document,
    stats_document,
)
from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.settings import Sampling
from tui.core.wire.normalise import normalise_row


def _turn_and_answer() -> tuple[Turn, Answer]:
    rows = [
        token_row("The", math.log(0.9), [("The", math.log(0.9)), ("A", math.log(0.08))]),
        token_row(" cat", math.log(0.5), [(" cat", math.log(0.5)), (" dog", math.log(0.3))]),
    ]
    tokens = []
    for i, row in enumerate(rows):
        token = normalise_row(row, i, "answer", 2)
        token.text = row["token"]
        tokens.append(token)
    answer = Answer(
        text="The cat",
        tokens=tokens,
        raw=rows,
        usage={"completion_tokens": 2},
        finish_reason="stop",
        model="smollm2",
        status="complete",
        started_at=1_765_000_000.0,
    )
    turn = Turn(
        "Where\nis the cat?",
        system_prompt="Be brief.",
        preset="terse",
        sampling=Sampling(temperature=0.2, top_logprobs=2, max_tokens=64, seed=7),
        model="smollm2",
        answer=answer,
    )
    return turn, answer


def test_context_names_question_prompt_model_sampling_and_time():
    turn, answer = _turn_and_answer()
    rows = dict(context_rows(turn, answer))
    assert rows["Question"] == "Where⏎is the cat?"  # one line, visibly
    assert rows["System prompt"] == "preset terse: Be brief."
    assert rows["Model"] == "smollm2"
    assert rows["Sampling"] == "temperature 0.2 · top_logprobs 2 · max_tokens 64 · seed 7"
    assert re.fullmatch(r"2025-12-0\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", rows["Asked at"])


def test_stats_full_and_one_line_per_token():
    turn, answer = _turn_and_answer()
    full = stats_document(turn, answer)
    head, stats = full.split("\n\n", 1)
    assert head.startswith("Question ") and "Sampling" in head
    assert "Mean logprob" in stats and "Finish" in stats
    compact = compact_stats(turn, answer).split("\n\n", 1)[1].splitlines()
    assert compact == [
        "#1  The  p 90.0%  lp -0.1054  The 90.0% · A 8.00%",
        "#2  ␣cat  p 50.0%  lp -0.6931  ␣cat 50.0% · ␣dog 30.0%",
    ]


def test_json_full_and_one_line_per_token():
    turn, answer = _turn_and_answer()
    document = json_document(turn, answer)
    assert document is not None
    assert document["content"] == answer.raw
    assert document["context"]["question"] == "Where\nis the cat?"  # exact in JSON
    assert document["context"]["top_logprobs"] == 2 and document["context"]["preset"] == "terse"
    lines = compact_json(turn, answer).splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["context"]["model"] == "smollm2"
    second = json.loads(lines[2])
    assert second == {
        "n": 2,
        "token": " cat",
        "logprob": math.log(0.5),
        "top": [[" cat", math.log(0.5)], [" dog", math.log(0.3)]],
    }
    empty = Answer(status="complete")
    assert json_document(turn, empty) is None and compact_json(turn, empty) is None
