"""``logprob-chat compare --questions``: the report, JSON and CSV, bad files before any
request, kept in the history, carried on after Ctrl+C and after kill -9."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.scripted_server import ScriptedServer
from tests.support.set_replies import CAREFUL, TERSE, set_reply, write_questions
from tui.cli.compare_set import Progress
from tui.cli.main import main
from tui.core.cells import cell_width
from tui.core.sets.progress import progress
from tui.core.store import Store, history_path

ROOT = Path(__file__).resolve().parents[2]


def compare(server: ScriptedServer, *args: str) -> list[str]:
    return [
        "compare",
        "--base-url",
        server.base_url,
        "--api-key",
        "secret-key-123",
        "--model",
        "scripted-model",
        "--system",
        CAREFUL,
        "--system",
        TERSE,
        *args,
    ]


def resume(server: ScriptedServer, *args: str) -> list[str]:
    """``compare --resume 1`` against ``server``, the prompts and settings from the history."""
    connection = ["--base-url", server.base_url, "--api-key", "k", "--model", "scripted-model"]
    return ["compare", *connection, "--resume", "1", *args]


def stored(comparison_id: int | None = None):
    with Store.open(history_path()) as store:
        if comparison_id is None:
            comparison_id = store.list_comparisons()[0].id
        return store.load_comparison(comparison_id), store.comparison_done(comparison_id)


def test_the_report_fits_the_terminal_and_is_kept(scripted, tmp_path, capsys, monkeypatch):
    scripted.default = set_reply()
    monkeypatch.setenv("COLUMNS", "50")
    qs = write_questions(tmp_path / "qs.jsonl", 4, japanese=True)
    assert main(compare(scripted, "--questions", str(qs), "--samples", "2", "--seed", "3")) == 0
    out, err = capsys.readouterr()
    assert "note: kept as comparison 1" in err
    assert all(cell_width(line) <= 50 for line in out.splitlines()), out
    assert "富士山の高さは 1" in out  # Japanese kept whole where it fits
    # terse is 0.1 nats/token lower on every question: it loses all four, no interval
    words = " ".join(out.split())
    assert "Be terse. vs Be careful.: wins 0, ties 0, loses 4 of 4 questions" in words
    assert "the same difference on every question" in words
    comparison, done = stored()
    assert comparison.status == "complete" and comparison.kind == "sample"
    assert len(done) == 16 and [q.external_id for q in comparison.questions] == ["1", "2", "3", "4"]
    assert len(scripted.chat_requests()) == 16


def test_json_and_csv_carry_every_sample_with_its_question_id(scripted, tmp_path, capsys):
    scripted.default = set_reply()
    qs = write_questions(tmp_path / "qs.jsonl", 3)
    assert main(compare(scripted, "--questions", str(qs), "--samples", "2", "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kind"], data["mode"], data["done"], data["total"]) == (
        "question_set",
        "sample",
        12,
        12,
    )
    first = data["results"][0]
    assert (first["prompt"], first["question_id"], first["sample"]) == (CAREFUL, "1", 0)
    assert first["mean_logprob"] == pytest.approx(-0.1)
    terse = data["summary"][1]
    assert terse["mean_logprob_diff"] == pytest.approx(-0.1)
    assert (terse["mean_logprob_losses"], terse["mean_logprob_verdict"]) == (3, "no_spread")

    out_file = tmp_path / "samples.csv"
    assert (
        main(
            compare(
                scripted, "--questions", str(qs), "--samples", "1", "--csv", "-o", str(out_file)
            )
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert "Question set qs.jsonl" in out and f"wrote {out_file}" in err
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert len(rows) == 6 and rows[1]["prompt"] == TERSE and rows[1]["question_id"] == "1"
    assert float(rows[1]["mean_logprob"]) == pytest.approx(-0.2)


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ('{"question": "question 0"}\n{"question": }\n', (), "qs.jsonl line 2: not JSON"),
        (
            '{"question": "question 0", "answer": "a"}\n{"question": "question 1"}\n',
            ("--score",),
            "qs.jsonl line 2: no reference answer to score",
        ),
    ],
)
def test_a_bad_file_is_one_line_and_nothing_runs(
    scripted, tmp_path, capsys, content, extra, message
):
    qs = tmp_path / "qs.jsonl"
    qs.write_text(content, encoding="utf-8")
    assert main(compare(scripted, "--questions", str(qs), *extra)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert scripted.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--questions", "q.jsonl", "--score", "--samples", "2"],
            "--score scores the reference answers once",
        ),
        (["--questions", "q.jsonl", "question"], "either the question or --questions FILE"),
        (["--resume", "1", "--questions", "q.jsonl"], "leave out --questions"),
        (["--questions", "q.jsonl", "-o", "x"], "--output FILE needs a format"),
        (["--score", "question"], "--score goes with --questions FILE"),
    ],
)
def test_option_conflicts_are_one_line(scripted, capsys, args, message):
    assert main(compare(scripted, *args)) == 2
    assert message in capsys.readouterr().err


def test_progress_on_a_terminal_and_in_a_log():
    stream = io.StringIO()
    shown = Progress(stream, "samples", terminal=True)
    shown.update(progress(1, 10, 0, 0, 1.0), now=100.0)
    shown.update(progress(2, 10, 0, 0, 1.0), now=100.05)  # too soon: not redrawn
    shown.update(progress(3, 10, 1, 0, 1.5), now=100.2)
    shown.clear()
    text = stream.getvalue()
    assert text.startswith("\r1/10 samples · 1.0/s · 0:09 left")
    assert "\r3/10 samples · 1 failed · 2.0/s · 0:04 left" in text and "2/10" not in text
    assert text.endswith("\r") and "\n" not in text
    log = io.StringIO()
    plain = Progress(log, "scores", terminal=False)
    for done in range(1, 11):
        plain.update(progress(done, 10, 0, 0, done), now=float(done))
    assert log.getvalue().splitlines() == [
        "progress: 1/10 scores · 1.0/s · 0:09 left",
        "progress: 10/10 scores · 1.0/s · 0:00 left",
    ]


def _start(server: ScriptedServer, qs: Path, *extra: str) -> subprocess.Popen[str]:
    args = compare(server, "--questions", str(qs), "--samples", "1", "--concurrency", "2", *extra)
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for_results(proc: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 30
    path = history_path()
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run did not get far enough"
        if path.exists():
            with Store.open(path) as store:
                summaries = store.list_comparisons()
                if summaries and len(store.comparison_done(summaries[0].id)) >= count:
                    return
        time.sleep(0.05)


def test_ctrl_c_keeps_what_finished_and_resume_carries_on(scripted, tmp_path, capsys):
    scripted.default = set_reply(pause=0.2)
    qs = write_questions(tmp_path / "qs.jsonl", 6)
    proc = _start(scripted, qs)
    try:
        _wait_for_results(proc, 3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "logprob-chat: error: interrupted"
    assert "(resume: logprob-chat compare --resume 1)" in out
    comparison, done = stored(1)
    assert comparison.status == "stopped" and 3 <= len(done) < 12
    assert scripted.wait_until(lambda: scripted.active == 0)

    asked_before = len(scripted.chat_requests())
    scripted.default = set_reply()
    assert main(resume(scripted, "--csv")) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 12
    assert len(scripted.chat_requests()) - asked_before == 12 - len(done)
    assert stored(1)[0].status == "complete"


def test_kill_9_then_resume_redoes_no_finished_request(scripted, tmp_path, capsys):
    scripted.default = set_reply(pause=0.2)
    qs = write_questions(tmp_path / "qs.jsonl", 6)
    proc = _start(scripted, qs, "--seed", "7")
    try:
        _wait_for_results(proc, 4)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    _, done = stored(1)
    with Store.open(history_path()) as store:
        (summary,) = store.list_comparisons()
    assert summary.status == "incomplete"  # its process is gone
    scripted.wait_until(lambda: scripted.active == 0)
    asked_before = len(scripted.chat_requests())
    scripted.default = set_reply()
    code = main(resume(scripted, "--json"))
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] and len(data["results"]) == 12
    again = scripted.chat_requests()[asked_before:]
    systems = {CAREFUL: 0, TERSE: 1}
    resent = {
        (
            systems[r.json["messages"][0]["content"]],
            int(r.json["messages"][-1]["content"].split()[-1]),
        )
        for r in again
    }
    assert not resent & {(k, j) for k, j, _ in done}  # nothing finished was asked again
    assert len(again) == 12 - len(done)
    assert all(r.json["seed"] == 7 for r in again)  # the stored settings, not the defaults


def test_resume_refuses_another_model(scripted, tmp_path, capsys):
    scripted.default = set_reply()
    qs = write_questions(tmp_path / "qs.jsonl", 1)
    assert main(compare(scripted, "--questions", str(qs), "--samples", "1")) == 0
    with Store.open(history_path()) as store:
        store.reopen_comparison(1)
        store.finish_comparison(1, "stopped")
        store._conn.execute("DELETE FROM comparison_results WHERE prompt_position = 1")
        store._conn.commit()
    capsys.readouterr()
    code = main(["compare", "--base-url", scripted.base_url, "--model", "other", "--resume", "1"])
    assert code == 1
    assert "comparison 1 ran on scripted-model; this server serves other" in capsys.readouterr().err


def test_a_one_question_comparison_is_kept_as_a_set_of_one(scripted, capsys):
    scripted.default = set_reply()
    assert main(compare(scripted, "--samples", "2", "--seed", "4", "question 3")) == 0
    comparison, done = stored()
    assert comparison.kind == "sample" and comparison.status == "complete"
    assert [q.question for q in comparison.questions] == ["question 3"]
    assert done == {(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 0, 1)}
    assert {r.seed for r in comparison.results} == {4, 5}
    capsys.readouterr()
    assert main(compare(scripted, "--samples", "1", "--no-save", "question 3")) == 0
    with Store.open(history_path()) as store:
        assert len(store.list_comparisons()) == 1


def test_a_server_that_cannot_score_is_one_line_and_nothing_is_kept(scripted, tmp_path, capsys):
    from tui.core.score.detect import OTHER_REASON

    qs = write_questions(tmp_path / "qs.jsonl", 2)
    assert main(compare(scripted, "--questions", str(qs), "--score")) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"logprob-chat: error: {OTHER_REASON}\n"
    assert not scripted.chat_requests()  # never sampled instead
    if history_path().exists():
        with Store.open(history_path()) as store:
            assert not store.list_comparisons()
