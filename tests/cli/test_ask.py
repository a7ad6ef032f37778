"""``logprob-chat ask`` end to end, in a subprocess, against the scripted server and the real
engine: output, JSON, stdin, environment, bad values, secrets, unsafe model text."""

from __future__ import annotations

import json
import math
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import fixtures
from tests.support.scripted_server import (
    Reply,
    ScriptedServer,
    Stall,
    chat_chunk,
    stream_of,
)
from tui.core.engine import EngineInfo, builtin_model_path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 120):
    """``python -m tui ARGS`` with the test's environment (isolated home, no OPENAI_*)."""
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def stats(stdout: str) -> dict[str, str]:
    """The stats block: 'Label   value' lines after the blank line that ends the answer."""
    block = stdout.rsplit("\n\n", 1)[1]
    table = {}
    for line in block.splitlines():
        label, _, value = line.partition("  ")
        table[label.strip()] = value.strip()
    return table


# The scripted server's default answer: "Hello" -0.1, " world" -0.7, "!" -1.6.
SUM = -0.1 + -0.7 + -1.6


def test_text_output_has_the_answer_and_the_stats(scripted):
    result = run("ask", "--base-url", scripted.url, "Hi")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("Hello world!\n\n")
    table = stats(result.stdout)
    assert table["Tokens"] == "3"
    assert table["Σ logprob"] == f"{SUM:.3f}"  # -2.400
    assert table["Mean logprob"] == f"{SUM / 3:.3f} nats/token"
    assert table["Mean prob exp(mean) = 1/PPL"] == f"{math.exp(SUM / 3) * 100:.1f}%"  # 44.9%
    assert table["Perplexity exp(−mean)"] == f"{math.exp(-SUM / 3):.3f}"
    joint = f"{math.exp(SUM) * 100:.2f}%  (log10 {SUM / math.log(10):.2f})"
    assert table["Joint prob exp(Σ)"] == joint  # 9.07%  (log10 -1.04)
    assert table["Lowest prob"] == f"{math.exp(-1.6) * 100:.1f}% at token #3"  # 1-based
    assert table["Coverage rows/completion tokens"] == "3/3 = 100%"
    assert table["Model"] == "scripted-model"
    assert table["Finish"] == "stop"


def test_json_output(scripted):
    result = run("ask", "--json", "--base-url", scripted.url + "/v1", "--top-logprobs", "2", "Hi")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["model"] == "scripted-model"
    assert (out["answer"], out["reasoning"], out["finish_reason"]) == ("Hello world!", "", "stop")
    assert out["usage"]["completion_tokens"] == 3
    m = out["metrics"]
    assert m["tokens"] == 3 and m["unknown"] == 0
    assert m["sum_logprob"] == pytest.approx(SUM)
    assert m["mean_logprob"] == pytest.approx(SUM / 3)
    assert m["mean_prob"] == pytest.approx(math.exp(SUM / 3))
    assert m["joint_prob"] == pytest.approx(math.exp(SUM))
    assert m["joint_log10"] == pytest.approx(SUM / math.log(10))
    assert m["perplexity"] == pytest.approx(math.exp(-SUM / 3))
    assert m["arithmetic_mean_prob"] == pytest.approx(
        (math.exp(-0.1) + math.exp(-0.7) + math.exp(-1.6)) / 3
    )
    assert m["min_prob"] == pytest.approx(math.exp(-1.6)) and m["min_prob_index"] == 2
    assert m["low_prob_count"] == 0  # e^-1.6 = 0.20 is not below 0.1
    assert m["coverage"] == 1.0
    assert {"mean_entropy", "mean_residual_mass", "low_prob_threshold"} <= set(m)
    assert [t["text"] for t in out["tokens"]] == ["Hello", " world", "!"]
    last = out["tokens"][2]
    assert (last["index"], last["scope"], last["token"], last["bytes"]) == (2, "answer", "!", [33])
    assert last["logprob"] == pytest.approx(-1.6) and last["top_count"] == 1
    assert last["top_logprobs"] == [{"token": "!", "logprob": -1.6, "bytes": [33]}]  # as sent
    assert last["top_mass"] == pytest.approx(math.exp(-1.6))
    assert "raw" not in out  # one copy of each row unless --raw asks for the server's too
    assert out["request"]["top_logprobs"] == 2 and out["status"] == "complete"
    assert scripted.chat_requests()[0].json["top_logprobs"] == 2


def test_json_raw_adds_the_server_rows_as_received(scripted):
    result = run("ask", "--json", "--raw", "--base-url", scripted.url, "--no-save", "Hi")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    rows = out["raw"]["content"]
    assert [row["token"] for row in rows] == ["Hello", " world", "!"]
    assert [row["top_logprobs"] for row in rows] == [t["top_logprobs"] for t in out["tokens"]]
    alone = run("ask", "--raw", "--base-url", scripted.url, "Hi")
    assert alone.returncode == 2 and alone.stdout == ""
    assert alone.stderr.startswith("logprob-chat: error: --raw goes with --json")


def test_json_into_a_reader_that_leaves_early_ends_quietly(scripted):
    """``ask --json | head -c 64``: the pipe closes mid-object; no traceback, no error."""
    rows = [(f" w{k}", -0.5, [(f" w{k}", -0.5), (f" v{k}", -1.5)]) for k in range(3000)]
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), Reply.sse(stream_of(rows)))
    reader = subprocess.Popen(["head", "-c", "64"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    argv = ["ask", "--json", "--max-tokens", "3000", "--base-url", scripted.url, "Hi"]
    asked = subprocess.run(
        [sys.executable, "-m", "tui", *argv],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        timeout=120,
    )
    reader.stdin.close()
    head = reader.stdout.read()
    reader.wait(30)
    assert head.startswith(b'{"model":"scripted-model","answer":" w0 w1') and len(head) == 64
    assert (asked.returncode, asked.stderr.decode()) == (0, "")


def test_no_stream_stdin_system_and_sampling(scripted):
    result = run(
        "ask",
        "--base-url",
        scripted.url,
        "--no-stream",
        "--system",
        "Be brief.",
        "--temperature",
        "0",
        "--max-tokens",
        "9",
        "--seed",
        "7",
        "--model",
        "chosen",
        "-",
        stdin="question from stdin\n",
    )
    assert result.returncode == 0, result.stderr
    (sent,) = scripted.requests  # --model given: no /models request
    body = sent.json
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "question from stdin\n"},
    ]
    assert (body["model"], body["temperature"], body["max_tokens"], body["seed"]) == (
        "chosen",
        0.0,
        9,
        7,
    )
    assert "stream" not in body and "stream_options" not in body
    assert result.stdout.startswith("Hello world!")


def test_environment_base_url_and_key(scripted):
    env = {"OPENAI_BASE_URL": scripted.url + "/v1", "OPENAI_API_KEY": "sk-env-key-123456"}
    result = run("ask", "--json", "Hi", env=env)
    assert result.returncode == 0, result.stderr
    assert [r.headers["authorization"] for r in scripted.requests] == [
        "Bearer sk-env-key-123456"
    ] * 2
    assert "sk-env-key" not in result.stdout  # the key is not part of the output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top-logprobs", "-1"], "argument --top-logprobs: must be from 0 to 20, not -1"),
        (["--top-logprobs", "21"], "argument --top-logprobs: must be from 0 to 20, not 21"),
        (["--temperature", "5"], "argument --temperature: must be from 0 to 2, not 5"),
        (["--temperature", "warm"], "argument --temperature: must be a number, not 'warm'"),
        (["--max-tokens", "0"], "argument --max-tokens: must be from 1 to 1000000, not 0"),
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--model-file", "/nonexistent/model.gguf"], "model file not found"),
        (["--base-url", "ftp://host"], "the base URL must start with http:// or https://"),
        (["--base-url", "http://h:1", "--model-file", "x.gguf"], "give either --base-url or"),
        (["--system", "a", "--preset", "b"], "give either --system or --preset, not both"),
    ],
)
def test_bad_values_give_one_line_and_no_traceback(args, message):
    result = run("ask", *args, "Hi")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("logprob-chat: error: ")
    assert message in lines[0]
    if "argument" in message:
        assert lines[0].endswith("(see logprob-chat ask --help)")
    assert "Traceback" not in result.stderr


def test_unreadable_model_file_and_empty_message(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_text("not a model")
    result = run("ask", "--model-file", str(bad), "Hi")
    assert result.returncode != 0
    assert result.stderr == f"logprob-chat: error: not a GGUF model file (bad header): {bad}\n"
    result = run("ask", "--base-url", "http://127.0.0.1:9", "-", stdin="  \n")
    assert result.stderr == "logprob-chat: error: the message is empty\n"


def test_the_api_key_never_appears_in_errors(scripted):
    key = "sk-very-secret-key-987654"
    echo = {"error": {"message": f"Invalid API key: {key}", "type": "auth", "code": 401}}
    scripted.queue(Reply.json({"object": "list", "data": [{"id": "m"}]}), Reply.json(echo, 401))
    result = run("ask", "--base-url", scripted.url, "--api-key", key, "Hi")
    assert result.returncode == 1
    assert key not in result.stderr + result.stdout
    assert result.stderr == ("logprob-chat: error: HTTP 401 Unauthorized: Invalid API key: ***\n")


def test_credentials_in_the_url_are_not_shown():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    result = run("ask", "--base-url", f"http://alice:hunter2pw@127.0.0.1:{port}", "Hi")
    assert result.returncode == 1
    assert "hunter2pw" not in result.stderr and "alice" not in result.stderr
    assert result.stderr == (
        f"logprob-chat: error: cannot connect to http://127.0.0.1:{port}/v1: "
        "connection refused (is the server running?)\n"
    )


def test_escape_sequences_in_model_text_are_printed_harmlessly(scripted):
    evil = "Hi\x1b]0;pwned\x07\x1b[2J\x9b31m there"
    chunks = stream_of([(evil, -0.2)], model="m\x1b[31m")  # the model name is server text too
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), Reply.sse(chunks))
    result = run("ask", "--base-url", scripted.url, "Hi")
    assert result.returncode == 0, result.stderr
    assert (
        "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\x07" not in result.stdout
    )
    assert result.stdout.startswith("Hi␛]0;pwned␇␛[2J\ufffd31m there\n\n")
    assert stats(result.stdout)["Model"] == "m␛[31m"
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), Reply.sse(stream_of([(evil, -0.2)])))
    as_json = run("ask", "--json", "--base-url", scripted.url, "Hi")
    assert "\x1b" not in as_json.stdout and "\x9b" not in as_json.stdout
    assert json.loads(as_json.stdout)["answer"] == evil  # the data itself is intact


def test_a_failed_stream_prints_the_partial_answer_then_the_error(scripted):
    partial = [chat_chunk(content="Half an ans", role=True)]
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), Reply.sse(partial, done=False))
    result = run("ask", "--base-url", scripted.url, "Hi")
    assert result.returncode == 1
    assert result.stdout == "Half an ans\n"
    assert result.stderr == (
        "logprob-chat: error: the stream ended before the answer was complete\n"
    )
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), Reply.sse([*partial, Stall()], done=False))
    result = run("ask", "--json", "--read-timeout", "0.5", "--base-url", scripted.url, "Hi")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert (out["answer"], out["status"]) == ("Half an ans", "error")
    assert out["error"] == f"{scripted.url}/v1 sent nothing for 0.5 s; gave up waiting"


def test_notices_are_printed_even_when_the_request_fails(scripted):
    refusal = fixtures.reply("llamacpp/constructed_error_tools_stream.json")
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), refusal, Reply.text("down", 503))
    result = run("ask", "--base-url", scripted.url, "Hi")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "note: the server refused logprobs (logprobs is not supported with tools + stream); "
        "asked again without them",
        "logprob-chat: error: HTTP 503 Service Unavailable: down",
    ]


def test_reasoning_is_shown_apart_from_the_answer(scripted):
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), fixtures.reply("vllm/gptoss_stream.sse"))
    result = run("ask", "--base-url", scripted.url, "Hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("── reasoning ──\nUser\n── answer ──\n東京です。\n\n")
    table = stats(result.stdout)
    assert table["Tokens"] == "3"  # answer rows only
    assert table["Reasoning tokens"].startswith("1 (mean prob 70.5%")  # e^-0.35


def test_live_output_on_a_terminal(scripted):
    """On a terminal the answer is printed as it streams (checked through a real pty)."""
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), fixtures.reply("vllm/gptoss_stream.sse"))
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", "--base-url", scripted.url, "Hi"],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    os.close(slave)
    output = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        output += data
    os.close(master)
    assert proc.wait(60) == 0, proc.stderr.read()
    text = output.decode().replace("\r\n", "\n")
    assert text.startswith("── reasoning ──\nUser\n── answer ──\n東京です。\n\n")
    assert "Mean prob exp(mean) = 1/PPL" in text


def _read_until(fd: int, wanted: bytes, limit: float = 60.0) -> bytes:
    """Read a pty until ``wanted`` shows up (or the child closes it / time runs out)."""
    output = b""
    deadline = time.monotonic() + limit
    while wanted not in output and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            output += data
    return output


def test_ctrl_c_keeps_what_arrived(scripted):
    partial = [chat_chunk(content="Half an ans", role=True)]
    scripted.queue(Reply.json({"data": [{"id": "m"}]}), Reply.sse([*partial, Stall()], done=False))
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", "--base-url", scripted.url, "Hi"],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    os.close(slave)
    try:
        shown = _read_until(master, b"Half an ans")
        assert b"Half an ans" in shown
        assert scripted.wait_until(lambda: scripted.stalls == 1)  # all sent; it waits
        proc.send_signal(signal.SIGINT)
        rest = _read_until(master, b"\n")
    finally:
        os.close(master)
    assert proc.wait(60) == 130
    assert proc.stderr.read() == b"logprob-chat: error: interrupted\n"
    assert (shown + rest).decode().replace("\r\n", "\n") == "Half an ans\n"
    # The stalled stream was closed, not left open.
    assert scripted.wait_until(lambda: scripted.connections_closed_by_client == 1)


def test_version_and_help():
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("logprob-chat ")
    helped = run("ask", "--help")
    assert helped.returncode == 0
    for option in ("--base-url", "--api-key", "--model-file", "--top-logprobs", "--no-stream"):
        assert option in helped.stdout


# ------------------------------------------------------------------ the real engine


@pytest.mark.engine
def test_ask_the_built_in_model_with_zero_setup():
    """The README's promise: no server, no key, an answer with its stats."""
    result = run("ask", "--temperature", "0", "--max-tokens", "8", "Name three colors.")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    answer = result.stdout.partition("\n\n")[0]
    assert answer.strip()
    table = stats(result.stdout)
    assert table["Model"] == "smollm2-135m-instruct"
    tokens = int(table["Tokens"].split()[0])
    assert 1 <= tokens <= 8
    assert table["Coverage rows/completion tokens"].endswith("%")
    assert float(table["Σ logprob"]) < 0


@pytest.mark.engine
def test_ask_the_session_engine_as_a_remote_server_in_json(engine: EngineInfo):
    env = {"OPENAI_BASE_URL": engine.base_url, "OPENAI_API_KEY": engine.api_key}
    result = run("ask", "--json", "--raw", "--temperature", "0", "--max-tokens", "12",
                 "--no-stream", "日本の首都はどこですか？", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert engine.api_key not in result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert out["model"] == "smollm2-135m-instruct"
    rows = [t for t in out["tokens"] if t["scope"] == "answer"]
    assert "".join(t["text"] for t in rows) == out["answer"]
    assert out["metrics"]["tokens"] == len(rows)
    assert out["metrics"]["sum_logprob"] == pytest.approx(sum(t["logprob"] for t in rows))
    assert out["metrics"]["coverage"] == pytest.approx(
        len(out["raw"]["content"]) / out["usage"]["completion_tokens"]
    )


@pytest.mark.engine
def test_ask_with_a_model_file(tmp_path):
    copy = tmp_path / "Tiny.gguf"
    shutil.copyfile(builtin_model_path(), copy)
    result = run("ask", "--json", "--model-file", str(copy), "--max-tokens", "3", "Hi")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["model"] == "tiny" and out["tokens"]


def test_scripted_server_fixture_is_isolated(scripted: ScriptedServer):
    # Guards the other tests: each gets a fresh server with no queued replies.
    assert scripted.requests == []


@pytest.mark.engine
def test_ask_recovers_what_llamacpp_hides_and_the_history_keeps_it(engine: EngineInfo):
    # The session engine as a remote llama.cpp server (one slot: no slot copying there).
    env = {"OPENAI_BASE_URL": engine.base_url, "OPENAI_API_KEY": engine.api_key}
    question = ["--system", "あなたは親切なAIです。", "東京について一文で教えて。"]
    result = run("ask", "--json", "--temperature", "0", "--max-tokens", "96", *question, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    tokens = out["tokens"]
    hidden = [t for t in tokens if t["recovered"]]
    assert out["recovery"] == {"status": "recovered", "recovered": len(hidden), "reason": None}
    assert len(hidden) > 20 and len(tokens) == out["usage"]["completion_tokens"] == 96
    assert out["covers"] is None and out["metrics"]["coverage"] == 1.0
    assert [t["index"] for t in tokens] == list(range(96))  # exports keep 0-based index
    assert "".join(t["text"] for t in tokens) == out["answer"]
    # Each piece has its own id, bytes and logprob; pieces of a character point at its first.
    assert all(t["id"] is not None and t["bytes"] and t["logprob"] is not None for t in tokens)
    for t in hidden:
        assert t["char_start"] is not None and t["text"] == ""
    assert out["metrics"]["tokens"] == 96 and out["finish"] == "cut: max_tokens"
    assert "note: recovered" in result.stderr
    # The history has the same entries (what `export` writes).
    exported = run("export", "--last", "--format", "json", "--raw")
    assert exported.returncode == 0, exported.stderr
    stored = json.loads(exported.stdout)["messages"][-1]["answer"]
    assert stored["tokens"] == tokens and stored["metrics"] == out["metrics"]
    assert len(stored["raw"]["content"]) == 96  # a recovered row for each hidden piece


def test_a_refusal_is_shown_as_the_answer_and_said_to_be_one(scripted):
    # A recorded OpenAI refusal (tests/fixtures/openai/README.md).
    scripted.queue(fixtures.reply("openai/recorded_refusal_stream.sse"))
    scripted.queue(fixtures.reply("openai/recorded_refusal_stream.sse"))
    text = "I'm very sorry, but I can't assist with that."
    result = run("ask", "--base-url", scripted.url, "--model", "gpt-4o", "--json", "Hi")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["answer"], out["refusal"], out["finish"]) == (text, True, "refusal")
    assert out["metrics"]["tokens"] == 11 and out["covers"] == "covers 11 of 12 tokens"
    result = run("ask", "--base-url", scripted.url, "--model", "gpt-4o", "Hi")
    assert result.stdout.startswith(text + "\n\n")
    table = stats(result.stdout)
    assert table["Finish"] == "refusal (stop)" and table["Covers"] == "covers 11 of 12 tokens"
    assert "note: the model refused" in result.stderr
