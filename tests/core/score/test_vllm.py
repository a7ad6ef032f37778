"""Scoring on vLLM against constructed replies (``tests/fixtures/vllm/score_*.json``, built
from vLLM's source: see the fixtures' README), over real HTTP: what is sent (the open turn
tokenised at the root, the closed turn scored with ``prompt_logprobs``, both template
switches explicit, ``max_tokens: 1``, not streamed), and what is read (the answer's tokens
found at the end of the open turn, each logprob looked up by its own id, the end-of-turn
token after them as the stop probability, a split character's bytes joined)."""

from __future__ import annotations

import math

import pytest

from tests.support.fixtures import body, load
from tests.support.scripted_server import Reply, Request, ScriptedServer
from tui.core.score import METHOD_VLLM, ScoreError, Scorer
from tui.core.score.vllm import prompt_rows
from tui.core.settings import Connection

MESSAGES = [
    {"role": "system", "content": "Be terse."},
    {"role": "user", "content": "What is the capital of Japan?"},
]
ANSWER = "Tokyo (東京)."


def vllm(request: Request) -> Reply:
    if request.path == "/v1/models":
        return Reply.json(body("vllm/score_models.json"))
    if request.path == "/tokenize":
        return Reply.json(body("vllm/score_tokenize_open.json"))
    if request.path == "/v1/chat/completions":
        return Reply.json(body("vllm/score_chat_prompt_logprobs.json"))
    return Reply.json({"error": {"message": "not found", "code": 404}}, status=404)


@pytest.fixture
def server():
    with ScriptedServer(vllm) as scripted:
        yield scripted


async def score(server: ScriptedServer, top: int = 2, answer: str = ANSWER):
    connection = Connection(server.base_url, model="Qwen/Qwen2.5-7B-Instruct")
    async with Scorer(connection) as scorer:
        return await scorer.score(MESSAGES, answer, top)


async def test_requests_are_the_documented_ones(server: ScriptedServer) -> None:
    await score(server)
    paths = [r.path for r in server.requests]
    assert paths == ["/v1/models", "/tokenize", "/v1/chat/completions"]
    tokenize, chat = server.requests[1].json, server.requests[2].json
    final = {"role": "assistant", "content": ANSWER}
    assert tokenize["messages"] == [*MESSAGES, final]
    assert tokenize["continue_final_message"] is True
    assert tokenize["add_generation_prompt"] is False
    assert tokenize["return_token_strs"] is True
    assert chat["messages"] == [*MESSAGES, final]
    assert (chat["continue_final_message"], chat["add_generation_prompt"]) == (False, False)
    assert chat["prompt_logprobs"] == 2
    assert chat["max_tokens"] == 1 and chat["stream"] is False


async def test_answer_tokens_logprobs_and_stop(server: ScriptedServer) -> None:
    result = await score(server)
    assert result.method == METHOD_VLLM
    answer = result.answer
    assert answer.text == ANSWER
    # The last 7 tokens of the open turn; their logprobs looked up by id in the entries.
    texts = [t.text for t in answer.tokens if t.scope == "answer"]
    assert texts == ["Tok", "yo", " (", "東", "", "京", ")."]
    logprobs = [t.logprob for t in answer.tokens if t.scope == "answer"]
    assert logprobs == [-2.5, -0.01, -1.2, -0.3, -0.05, -0.0001, -0.9]
    assert result.metrics.sum_logprob == pytest.approx(sum(logprobs))
    assert result.metrics.tokens == 7
    # The end-of-turn token right after the answer: the stop probability, not a token.
    assert result.stop_logprob == -0.2
    assert result.stop_prob == pytest.approx(math.exp(-0.2))
    assert result.metrics.coverage == 1.0
    # Alternatives in rank order, the prompt token among them when in the top k.
    first = answer.tokens[0]
    assert [alt.token for alt in first.alternatives()] == ["The", "Tok"]
    # A character split over two tokens: the first holds its first bytes, the text shows once.
    assert answer.tokens[4].bytes == b"\xe4\xba" and answer.tokens[5].text == "京"
    assert answer.tokens[5].char_start == 4


async def test_prompt_logprobs_refused_above_the_servers_limit(server: ScriptedServer) -> None:
    fixture = load("vllm/score_error_max_prompt_logprobs.json")
    first = True

    def limited(request: Request) -> Reply:
        nonlocal first
        if request.path == "/v1/chat/completions" and first:
            first = False
            return Reply.json(fixture["response"], status=fixture["status"])
        return vllm(request)

    server.default = limited
    result = await score(server, top=5)
    chats = [r.json["prompt_logprobs"] for r in server.requests if r.path.endswith("completions")]
    assert chats == [5, 2]
    assert any("at most 2 alternatives" in n for n in result.answer.notices)


async def test_an_answer_the_template_changed_is_refused(server: ScriptedServer) -> None:
    with pytest.raises(ScoreError, match="does not end the open turn with the answer"):
        await score(server, answer="Tokyo (京都).")


def test_each_entrys_first_key_is_the_prompt_token() -> None:
    reply = body("vllm/score_chat_prompt_logprobs.json")
    ids, entries = prompt_rows(reply)
    assert ids == reply["prompt_token_ids"]
    assert entries[0] is None
    damaged = {**reply, "prompt_token_ids": [0, *reply["prompt_token_ids"][1:-1], 7]}
    with pytest.raises(ScoreError, match="disagree"):
        prompt_rows(damaged)


def test_no_prompt_logprobs_is_one_line() -> None:
    with pytest.raises(ScoreError, match="sent no prompt_logprobs"):
        prompt_rows({"choices": []})
