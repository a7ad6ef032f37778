"""``logprob-chat score``: the table, ``--json`` in the issue's shape (tokens as ``ask
--json`` writes them), CSV, the history, and one line for a server that cannot score."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from tests.support.scripted_server import ScriptedServer
from tui.cli.main import main
from tui.cli.score_text import fit_table
from tui.core.compare.cells import cell_width
from tui.core.engine import EngineInfo
from tui.core.json_stream import TOKEN_KEYS
from tui.core.score.detect import OTHER_REASON
from tui.core.score.table import COLUMNS, ScoreRow, table_cells
from tui.core.store import Store, history_path

QUESTION = "What is the capital of Japan?"
ANSWER = "The capital of Japan is Tokyo."
TERSE = "Answer in one short sentence."
PIRATE = "You are a pirate. Talk like one."


def score_args(engine: EngineInfo, *extra: str) -> list[str]:
    return [
        "score",
        "--base-url",
        engine.base_url,
        "--api-key",
        engine.api_key,
        "--model",
        engine.model,
        "--system",
        TERSE,
        "--system",
        PIRATE,
        *extra,
    ]


@pytest.mark.engine
def test_the_table_and_the_history(engine: EngineInfo, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(score_args(engine, "--answer", ANSWER, QUESTION))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "method: llama.cpp grammar" in out
    lines = out.splitlines()
    heading = next(line for line in lines if line.startswith("prompt"))
    assert "Σ logprob" in heading and "stop prob" in heading and "Δ nats vs first" in heading
    first = next(line for line in lines if line.startswith(TERSE[:19]))
    second = next(line for line in lines if line.startswith(PIRATE[:19]))
    assert first.endswith("base") and ("−" in second.split()[-1] or "+" in second.split()[-1])
    with Store.open(history_path()) as store:
        (summary,) = store.list_comparisons(kind="score")
        stored = store.load_comparison(summary.id)
    assert summary.results == 2 and stored.status == "complete"
    assert stored.questions[0].answer == ANSWER
    assert [p.system_prompt for p in stored.prompts] == [TERSE, PIRATE]
    assert all(r.answer is not None and r.answer.text == ANSWER for r in stored.results)


@pytest.mark.engine
def test_json_has_the_issues_shape(engine: EngineInfo, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(score_args(engine, "--answer", ANSWER, "--json", "--no-save", QUESTION))
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["question"] == QUESTION and data["answer"] == ANSWER
    assert data["method"] == "llama.cpp grammar"
    first, second = data["results"]
    assert (first["system"], second["system"]) == (TERSE, PIRATE)
    assert first["preset"] is None and first["difference_nats"] == 0.0
    for result in data["results"]:
        tokens = result["tokens"]
        assert all(tuple(t) == TOKEN_KEYS for t in tokens)  # ask --json's token objects
        text = [t for t in tokens if t["scope"] == "answer"]
        assert "".join(t["text"] for t in text) == ANSWER
        assert math.isclose(sum(t["logprob"] for t in text), result["metrics"]["sum_logprob"])
        assert tokens[-1]["bytes"] == [] and tokens[-1]["logprob"] == result["stop_logprob"]
    assert math.isclose(
        second["difference_nats"],
        second["metrics"]["sum_logprob"] - first["metrics"]["sum_logprob"],
    )
    assert not history_path().exists()  # --no-save touches no store


@pytest.mark.engine
def test_csv_and_the_answer_from_a_file(
    engine: EngineInfo, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("東京です。\n", encoding="utf-8")
    code = main(score_args(engine, "--answer-file", str(answer), "--csv", "--no-save", "首都は？"))
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["system"] for r in rows] == [TERSE, PIRATE]
    assert all(float(r["coverage"]) == 1.0 for r in rows)  # split characters scored too
    assert rows[0]["difference_nats"] == "0.0"


def test_a_server_that_cannot_score_gets_one_line(
    scripted: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            *("score", "--base-url", scripted.base_url, "--model", "m", "--system", "x"),
            *("--answer", ANSWER, QUESTION),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == f"logprob-chat: error: {OTHER_REASON}\n"
    assert not scripted.chat_requests()  # never sampled instead


def test_bad_input_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--system", "x", "--answer", "-", "-"]) == 2
    assert "cannot both come from standard input" in capsys.readouterr().err
    assert main(["score", "--system", "x", "--answer-file", "/nonexistent/a.txt", "q"]) == 2
    assert "cannot read /nonexistent/a.txt" in capsys.readouterr().err
    assert main(["score", "--answer", "a", "q"]) == 2
    assert "at least one system prompt" in capsys.readouterr().err


def test_the_table_fits_the_width_by_dropping_the_least_wanted_columns() -> None:
    rows = [
        ScoreRow(
            0,
            "とても長いプロンプトの名前です",
            "ok",
            None,
            7,
            -1.07,
            -0.15,
            0.86,
            1.16,
            0.5,
            1,
            "The",
            0.9,
            0.0,
        ),
        ScoreRow(1, "pirate", "ok", None, 7, -3.08, -0.44, 0.64, 1.55, 0.2, 3, "of", 0.5, -2.0),
    ]
    wide = fit_table(COLUMNS, table_cells(rows), 200)
    assert wide[0].split("  ")[0].strip() == "prompt" and "lowest token" in wide[0]
    for width in (100, 80, 60):
        lines = fit_table(COLUMNS, table_cells(rows), width)
        assert all(cell_width(line) <= width for line in lines), (width, lines)
        assert "Σ logprob" in lines[0] and "Δ nats vs first" in lines[0]
    assert "lowest token" not in fit_table(COLUMNS, table_cells(rows), 80)[0]
    narrow = fit_table(COLUMNS, table_cells(rows), 40)
    assert narrow[0].startswith("prompt") and "Σ logprob" in narrow[0]  # what stays last
