"""``logprob-chat ask --prefill``, in a subprocess: the model continues a given start; the
JSON marks it and scores only the new tokens, which on the real engine are the greedy
answer's own tokens after that start; a server that cannot continue gets one line and no
request; the history keeps the start."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_ask import run, stats
from tests.support.scripted_server import Reply, Request, ScriptedServer, default_reply
from tui.core.engine import EngineInfo
from tui.core.store import Store, history_path
from tui.core.wire.prefill import OTHER_NO_PREFILL

QUESTION = "What is the capital of Japan?"


def llamacpp_like(request: Request) -> Reply:
    """The scripted server, saying it is llama.cpp (which continues a trailing assistant
    message and streams only the new text)."""
    if request.path.rstrip("/").endswith("/models"):
        return Reply.json({"data": [{"id": "scripted-model", "owned_by": "llamacpp"}]})
    return default_reply(request)


@pytest.mark.engine
def test_the_continuation_is_the_greedy_answers_own_and_only_it_is_scored(engine: EngineInfo):
    env = {"OPENAI_BASE_URL": engine.base_url, "OPENAI_API_KEY": engine.api_key}
    greedy = ["--json", "--temperature", "0", "--max-tokens", "24", "--no-stream"]
    fresh = json.loads(run("ask", *greedy, QUESTION, env=env).stdout)
    answer_tokens = [t for t in fresh["tokens"] if t["scope"] == "answer"]
    start = "".join(t["text"] for t in answer_tokens[:4])  # "The capital of Japan"
    # Whole replies: llama.cpp repeats the start in them (taken off), and ends with the end
    # token's row in both.
    result = run("ask", *greedy, "--prefill", start, QUESTION, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["prefill"] == start and start + out["answer"] == fresh["answer"]
    # Only the new tokens, numbered from 0, each the fresh generation's at its position.
    assert [t["index"] for t in out["tokens"]] == list(range(len(out["tokens"])))
    assert "".join(t["text"] for t in out["tokens"] if t["scope"] == "answer") == out["answer"]
    later = fresh["tokens"][4:]
    assert [t["id"] for t in out["tokens"]] == [t["id"] for t in later]
    for mine, theirs in zip(out["tokens"], later, strict=True):
        assert mine["logprob"] == pytest.approx(theirs["logprob"], abs=1e-4)
    assert out["metrics"]["tokens"] == fresh["metrics"]["tokens"] - 4
    assert out["request"]["messages"] == [{"role": "user", "content": QUESTION}]
    # The history keeps the start with the answer: the whole text, its tokens the new ones.
    with Store.open(history_path()) as store:
        kept = store.load_conversation(store.last_conversation_id() or 0).answers[0]
    assert kept.answer.text == fresh["answer"] and kept.answer.new_text == out["answer"]
    assert (kept.answer.prefill, kept.answer.prefill_tokens) == (start, 0)
    assert len(kept.answer.tokens) == len(out["tokens"]) and kept.lineage.origin == "ask"


def test_the_start_is_printed_and_the_stats_say_it_is_not_scored():
    with ScriptedServer(llamacpp_like) as server:
        result = run("ask", "--base-url", server.url, "--prefill", "Say:", "Hi")
        (sent,) = server.chat_requests()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Say:Hello world!\n\n")
    table = stats(result.stdout)
    assert table["Given start"] == "“Say:” (4 characters, not scored)"
    assert table["Tokens"] == "3"
    assert sent.json["messages"][-1] == {"role": "assistant", "content": "Say:"}


def test_a_server_that_cannot_continue_gets_one_line_and_no_request(scripted):
    result = run("ask", "--base-url", scripted.url, "--prefill", "Say:", "Hi")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"logprob-chat: error: {OTHER_NO_PREFILL}"
    assert "Traceback" not in result.stderr
    assert scripted.chat_requests() == []


def test_an_empty_start_is_refused():
    result = run("ask", "--prefill", "", "Hi")
    assert result.returncode == 2
    assert (
        result.stderr
        == "logprob-chat: error: --prefill is empty: give the start of the answer to continue\n"
    )
