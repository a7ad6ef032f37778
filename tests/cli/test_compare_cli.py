"""``logprob-chat compare`` against the scripted server: the table, JSON, CSV, errors, Ctrl-C."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.compare_replies import (
    CAREFUL,
    LOGPROBS,
    SEED,
    T2,
    TERSE,
    endless_reply,
    scripted_reply,
)
from tests.support.scripted_server import Reply, Request, default_reply, stream_of
from tui.cli.compare import Progress
from tui.cli.main import main
from tui.core.cells import cell_width
from tui.core.compare import Sample
from tui.core.presets import BUILTIN_PRESETS, PresetStore

ROOT = Path(__file__).resolve().parents[2]


def compare(server, *args: str) -> list[str]:
    return [
        "compare",
        "--base-url",
        server.base_url,
        "--api-key",
        "secret-key-123",
        "--model",
        "scripted-model",
        *args,
    ]


def two_prompts(*extra: str) -> list[str]:
    return ["--system", CAREFUL, "--system", TERSE, "--samples", "3", "--seed", str(SEED), *extra]


def test_text_output_has_the_table_the_samples_and_the_verdicts(scripted, capsys):
    scripted.default = scripted_reply(LOGPROBS)
    code = main(compare(scripted, *two_prompts(), "日本の首都は？"))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "2 prompts × 3 samples · scripted-model · temperature 0.7" in out
    assert "seeds 100…102" in out
    assert "Question: 日本の首都は？" in out
    header = next(line for line in out.splitlines() if line.startswith("prompt "))
    for heading in ("ok", "mean logprob ± 95% CI", "mean prob", "perplexity", "min prob"):
        assert heading in header
    half = T2 * 0.2 / math.sqrt(3)  # careful: mean −0.4, sd 0.2, n 3
    careful_row = next(line for line in out.splitlines() if line.startswith(CAREFUL))
    assert f"-0.400 ± {half:.3f}*" in careful_row  # * = most confident
    assert "3/3" in careful_row
    assert (
        f"{math.exp(-0.2) / 3 * 100 + math.exp(-0.4) / 3 * 100 + math.exp(-0.6) / 3 * 100:.1f}%"
        in (careful_row)
    )
    terse_row = next(line for line in out.splitlines() if line.startswith(TERSE))
    assert "-1.200 ± " in terse_row
    assert f"  {CAREFUL}  -0.200 -0.400 -0.600" in out
    assert f"Difference from {CAREFUL} (the first prompt)" in out
    diff_line = next(line for line in out.splitlines() if "mean logprob  -0.800" in line)
    assert diff_line.rstrip().endswith("larger than run-to-run noise")
    assert "same seed" in out
    assert "Note: Sample i of every prompt used seed 100 + i" in out
    assert err == ""


def test_json_has_every_sample_with_raw_logprobs_and_the_aggregates(scripted, capsys):
    scripted.default = scripted_reply(LOGPROBS)
    assert main(compare(scripted, *two_prompts("--json"), "q")) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert "secret-key-123" not in out
    assert data["base_url"] == scripted.base_url
    assert data["samples_per_prompt"] == 3 and data["sampling"]["seed"] == SEED
    assert [p["label"] for p in data["prompts"]] == [CAREFUL, TERSE]
    stats = data["prompts"][0]["stats"]["mean_logprob"]
    assert stats["n"] == 3
    assert stats["mean"] == pytest.approx(-0.4)
    assert stats["sd"] == pytest.approx(0.2)
    assert stats["half_width"] == pytest.approx(T2 * 0.2 / math.sqrt(3))
    assert len(data["samples"]) == 6
    by_key = {(s["label"], s["sample"]): s for s in data["samples"]}
    terse3 = by_key[(TERSE, 3)]
    assert terse3["seed"] == SEED + 2 and terse3["status"] == "ok" and terse3["error"] is None
    assert terse3["answer"] == "t0t1t2"
    assert [row["logprob"] for row in terse3["raw"]["content"]] == LOGPROBS[TERSE][2]
    assert terse3["values"]["mean_logprob"] == pytest.approx(-1.4)
    assert terse3["metrics"]["low_prob_count"] == 1
    (lp, prob) = data["pairwise"]
    assert (lp["metric"], lp["label"], lp["baseline"], lp["method"]) == (
        "mean_logprob",
        TERSE,
        CAREFUL,
        "welch",
    )
    assert lp["diff"] == pytest.approx(-0.8) and lp["df"] == pytest.approx(4.0)
    assert lp["excludes_zero"] is True and lp["verdict"] == "larger_than_noise"
    assert lp["paired"]["diff"] == pytest.approx(-0.8)
    assert prob["metric"] == "mean_prob"
    assert data["complete"] is True


def test_csv_has_one_row_per_sample(scripted, capsys):
    scripted.default = scripted_reply(LOGPROBS)
    assert main(compare(scripted, *two_prompts("--csv"), "q")) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 6
    assert {(r["label"], r["sample"]) for r in rows} == {
        (label, str(i)) for label in (CAREFUL, TERSE) for i in (1, 2, 3)
    }
    first = next(r for r in rows if r["label"] == CAREFUL and r["sample"] == "1")
    assert float(first["mean_logprob"]) == pytest.approx(-0.2)
    assert float(first["min_prob"]) == pytest.approx(math.exp(-0.3))
    assert first["seed"] == str(SEED) and first["status"] == "ok" and first["error"] == ""
    assert float(first["length"]) == 2.0 and first["answer"] == "t0t1"


def test_csv_summary_has_one_row_per_prompt(scripted, capsys):
    scripted.default = scripted_reply(LOGPROBS)
    assert main(compare(scripted, *two_prompts("--csv-summary"), "q")) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["label"] for r in rows] == [CAREFUL, TERSE]
    assert float(rows[1]["mean_logprob_mean"]) == pytest.approx(-1.2)
    assert float(rows[1]["mean_logprob_ci_low"]) == pytest.approx(-1.2 - T2 * 0.2 / math.sqrt(3))
    assert float(rows[1]["diff_mean_logprob"]) == pytest.approx(-0.8)
    assert rows[1]["diff_mean_logprob_verdict"] == "larger_than_noise"
    assert rows[0]["diff_mean_logprob"] == ""  # the baseline is not compared with itself


def test_model_text_is_made_safe_in_csv(scripted, capsys):
    def reply(request: Request) -> Reply:
        if not request.path.endswith("/chat/completions"):
            return default_reply(request)
        return Reply.sse(stream_of([("\x1b]0;pwned\x07", -0.5), ("ok", -0.1)]))

    scripted.default = reply
    assert main(compare(scripted, "--system", "a\x1b[2Jb", "--samples", "1", "--csv", "q")) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["answer"] == "␛]0;pwned␇ok"
    assert row["label"] == "a␛[2Jb"


def test_prompt_text_is_made_safe_in_the_table(scripted, capsys):
    assert main(compare(scripted, "--system", "x\x1b]52;c;AAAA\x07", "--samples", "1", "q")) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "x␛]52;c;AAAA␇" in out


def test_a_failed_sample_is_a_warning_and_the_run_succeeds(scripted, capsys):
    scripted.default = scripted_reply(LOGPROBS, fail=lambda system, i: system == TERSE and i == 1)
    assert main(compare(scripted, *two_prompts(), "q")) == 0
    out, err = capsys.readouterr()
    assert err.startswith(f"warning: {TERSE} #2 failed: HTTP 500 Internal Server Error: boom")
    assert len(err.splitlines()) == 1
    terse_row = next(line for line in out.splitlines() if line.startswith(TERSE))
    assert "2/3" in terse_row
    assert f"  {TERSE}          -1.000 ✗ -1.400" in out  # labels padded to the longest
    assert "Note: 1 of 6 samples failed" in out


def test_a_prompt_with_no_successful_sample_fails_the_command(scripted, capsys):
    scripted.default = scripted_reply(LOGPROBS, fail=lambda system, i: system == TERSE)
    assert main(compare(scripted, *two_prompts("--json"), "q")) == 1
    out, err = capsys.readouterr()
    data = json.loads(out)  # what worked is still written
    assert [p["ok"] for p in data["prompts"]] == [3, 0]
    assert err.splitlines()[-1] == (
        f"logprob-chat: error: no successful samples for {TERSE}: "
        "HTTP 500 Internal Server Error: boom"
    )


def test_an_unreachable_server_is_one_line(capsys):
    code = main(["compare", "--base-url", "http://127.0.0.1:9", "--system", "a", "q"])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith("logprob-chat: error: cannot connect to http://127.0.0.1:9/v1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["q"], "give at least one system prompt to compare (--system or --preset)"),
        (["--system", "a", "--samples", "0", "q"], "argument --samples: must be from 1 to 1000"),
        (["--system", "a", "--concurrency", "x", "q"], "argument --concurrency: must be a whole"),
        (["--system", "a", "--json", "--csv", "q"], "not allowed with argument"),
        (["--preset", "nope", "q"], "unknown preset 'nope' (known: polite, terse, 丁寧, 簡潔)"),
        (["--system", "a", " "], "the message is empty"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args, message, capsys):
    try:
        code = main(["compare", "--base-url", "http://127.0.0.1:9", *args])
    except SystemExit as exc:  # argparse's own checks exit; ours return the code
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_presets_and_texts_keep_their_order(scripted, capsys):
    store = PresetStore()
    store.save("polite", "あなたは親切なAIです。")
    store.save("terse", "簡潔に。")
    args = ["--preset", "terse", "--system", "", "--preset", "polite", "--samples", "1", "--json"]
    assert main(compare(scripted, *args, "q")) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(p["label"], p["preset"], p["system"]) for p in data["prompts"]] == [
        ("terse", "terse", "簡潔に。"),
        ("(none)", None, ""),
        ("polite", "polite", "あなたは親切なAIです。"),
    ]
    systems = sorted(
        next((m["content"] for m in r.json["messages"] if m["role"] == "system"), "")
        for r in scripted.chat_requests()
    )
    assert systems == sorted(["簡潔に。", "", "あなたは親切なAIです。"])


def test_the_message_can_come_from_stdin(scripted, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("標準入力の質問\n"))
    assert main(compare(scripted, "--system", "a", "--samples", "1", "--json", "-")) == 0
    assert json.loads(capsys.readouterr().out)["message"] == "標準入力の質問\n"
    assert scripted.chat_requests()[0].json["messages"][-1]["content"] == "標準入力の質問\n"


def test_deterministic_single_sample_says_so_and_shows_no_interval(scripted, capsys):
    scripted.default = scripted_reply(LOGPROBS)
    args = ["--system", CAREFUL, "--system", TERSE, "--samples", "1", "--temperature", "0"]
    assert main(compare(scripted, *args, "--seed", str(SEED), "q")) == 0
    out = capsys.readouterr().out
    assert "±" not in out.split("How to read")[0]  # no interval anywhere in the numbers
    assert "-0.200 (n=1)" in out
    assert "Note: Deterministic run (temperature 0, seed 100)" in out
    diff_line = next(line for line in out.splitlines() if "mean logprob  -0.800" in line)
    assert diff_line.rstrip().endswith("exact (deterministic decoding, no noise)")
    assert "same seed" not in out  # one pair is just the difference again
    assert all(r.json["temperature"] == 0 for r in scripted.chat_requests())


def test_temperature_zero_with_several_samples_says_they_are_identical(scripted, capsys):
    scripted.default = scripted_reply({CAREFUL: [[-0.1, -0.3]] * 3, TERSE: [[-0.5]] * 3})
    args = ["--system", CAREFUL, "--system", TERSE, "--samples", "3", "--temperature", "0"]
    assert main(compare(scripted, *args, "--seed", str(SEED), "q")) == 0
    out = capsys.readouterr().out
    assert "-0.200 (all equal)" in out
    assert "identical by construction" in out
    assert "±" not in out.split("How to read")[0]


def test_progress_line_rewrites_itself_and_clears():
    stream = io.StringIO()
    progress = Progress(stream, 4)
    progress.update(Sample(0, "日本語のラベル", 0, None, status="ok"))
    progress.update(Sample(1, "b", 2, None, status="error", error="x"))
    progress.clear()
    text = stream.getvalue()
    assert text.startswith("\r1/4 samples · 日本語のラベル #1 ok")
    assert "\r2/4 samples (1 failed) · b #3 error" in text
    assert text.endswith("\r")
    assert "\n" not in text


def test_ctrl_c_prints_what_finished_and_exits_130(scripted):
    def reply(request: Request) -> Reply:
        if request.path.endswith("/chat/completions") and request.json["seed"] == SEED:
            return scripted_reply(LOGPROBS)(request)
        return endless_reply(request)

    scripted.default = reply
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", *compare(scripted, *two_prompts(), "q")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while len(scripted.chat_requests()) < 4 or scripted.active < 2:
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "logprob-chat: error: interrupted"
    assert "Note: Stopped early: 4 samples were cancelled." in out
    assert f"  {CAREFUL}  -0.200 – –" in out  # sample 1 done, the rest cancelled
    deadline = time.monotonic() + 10
    while scripted.active:
        assert time.monotonic() < deadline, "the server still streams to a dead client"
        time.sleep(0.05)


@pytest.mark.engine
@pytest.mark.slow
def test_compare_runs_on_the_embedded_model_without_a_server():
    """The command as a user runs it: no --base-url, the built-in model, a Japanese question."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "compare",
            "--system",
            "あなたは親切なAIです。",
            "--system",
            "簡潔に答えて。",
            "--samples",
            "2",
            "--max-tokens",
            "8",
            "--seed",
            "5",
            "--json",
            "東京について一言で。",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["backend"] == "SmolLM2-135M-Instruct (built-in)"
    assert data["model"] == "smollm2-135m-instruct"
    assert [s["status"] for s in data["samples"]] == ["ok"] * 4
    assert all(s["raw"]["content"] for s in data["samples"])
    assert [s["seed"] for s in data["samples"]] == [5, 6, 5, 6]
    assert [p["ok"] for p in data["prompts"]] == [2, 2]


def test_coverage_and_cut_answers_are_said_in_the_table(scripted, capsys):
    # The first prompt's answers carry rows for 3 of their 5 tokens (a server that drops
    # rows, as llama.cpp does without recovery) and stop at max_tokens; the second's are
    # complete and whole.
    from tests.support.scripted_server import usage_chunk

    def reply(request: Request) -> Reply:
        system = request.json["messages"][0]["content"]
        tokens = [("a", -0.1), ("b", -0.2), ("c", -0.3)]
        if system == CAREFUL:
            chunks = [*stream_of(tokens, finish="length", usage=False), usage_chunk(5)]
            return Reply.sse(chunks)
        return Reply.sse(stream_of(tokens))

    scripted.default = reply
    args = ["--system", CAREFUL, "--system", TERSE, "--samples", "2", "--max-tokens", "5"]
    code = main(compare(scripted, *args, "q"))
    out, err = capsys.readouterr()
    assert code == 0, err
    header, first, second = out.split("\n\n")[2].splitlines()[:3]
    assert header.split()[-1] == "coverage"
    assert first.endswith("covers 6 of 10 tokens") and second.endswith("all tokens")
    samples = out.split("Mean logprob of each sample")[1].splitlines()
    assert "✂ cut: max_tokens or context full" in samples[0]
    assert samples[1].split()[-2:] == ["-0.200✂", "-0.200✂"]
    assert "✂" not in samples[2]
    assert "2 answers cut: max_tokens (5)" in out


POLITE_JA = "丁寧に答えて。"
TERSE_JA = "あなたは簡潔なアシスタントです。一言で答えてください。"


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_report_fits_the_terminal_with_japanese_prompts(scripted, capsys, monkeypatch, width):
    # Issue 15 item 2: at 80 columns the table wrapped mid-word (`tok`/`ens`, `52`/`.3`).
    table = {POLITE_JA: LOGPROBS[CAREFUL], TERSE_JA: LOGPROBS[TERSE]}
    scripted.default = scripted_reply(table)
    monkeypatch.setenv("COLUMNS", str(width))
    args = ["--system", POLITE_JA, "--system", TERSE_JA, "--samples", "3", "--seed", str(SEED)]
    code = main(compare(scripted, *args, "日本の首都はどこですか？"))
    out, err = capsys.readouterr()
    assert code == 0, err
    for line in out.splitlines():
        assert cell_width(line) <= width, line
    # Every number of the table is shown whole: the careful prompt's mean and the samples.
    assert "-0.400 ± " in out and "-0.200 -0.400 -0.600" in out
    if width == 120:
        assert "left out" not in out


def test_a_written_prompt_is_listed_once(scripted, capsys):
    # `1  丁寧に答えて。  丁寧に答えて。`: its label is its own text.
    scripted.default = scripted_reply({POLITE_JA: LOGPROBS[CAREFUL], TERSE: LOGPROBS[TERSE]})
    args = ["--system", POLITE_JA, "--system", TERSE, "--samples", "3", "--seed", str(SEED)]
    assert main(compare(scripted, *args, "質問")) == 0
    out = capsys.readouterr().out
    prompts = out.split("Prompts\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split() for line in prompts] == [["1", POLITE_JA], ["2", "Be", "terse."]]


def test_the_readme_example_works_on_a_fresh_install(scripted, capsys):
    # Issue 15 item 5: `compare --preset polite --preset terse` said "unknown preset 'polite'".
    args = ["--preset", "polite", "--preset", "terse", "--samples", "2"]
    assert main(compare(scripted, *args, "質問")) == 0
    out = capsys.readouterr().out
    systems = {r.json["messages"][0]["content"] for r in scripted.chat_requests()}
    assert systems == {p.prompt for p in BUILTIN_PRESETS if p.name in ("polite", "terse")}
    assert "polite" in out and "terse" in out
    assert not PresetStore().path.exists()  # nothing written to the user's files
