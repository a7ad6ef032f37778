"""Branches and prefill on the real built-in engine, checked against fresh generations.

* Greedy: a branch that puts back the token the model had chosen continues exactly as the
  answer did: the same ids and text, and logprobs equal to the fresh generation's at the
  same positions (1e-4), streamed and whole;
* the second alternative starts a different continuation, its chosen token's logprob the
  parent's top-k value there, the new tokens' logprobs the model's own;
* Japanese, whole reply: the start llama.cpp repeats in ``content`` is taken off exactly
  (compared with the server's own reply, read independently), and the tokens llama.cpp hid in
  the continuation are recovered: the branch of a recovered answer at the first piece of a
  split character gives back the answer's own ids and logprobs, piece by piece.
"""

from __future__ import annotations

import httpx
import pytest

from tui.core.answer import Answer
from tui.core.branch import branch_choices, plan_branch
from tui.core.conversation import Conversation, Turn
from tui.core.engine import EngineInfo
from tui.core.recovery import recover
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient

pytestmark = pytest.mark.engine

GREEDY = Sampling(temperature=0.0, top_logprobs=5, max_tokens=48)


def connection(info: EngineInfo) -> Connection:
    return Connection(info.base_url, api_key=info.api_key, model=info.model)


async def generated(
    client: ChatClient, conversation: Conversation, turn: Turn, *, stream: bool
) -> Answer:
    """``turn``'s answer as the chat makes it: streamed or whole, then recovered."""
    builder = turn.new_builder()
    async for event in client.chat(conversation.request_for(turn, stream=stream)):
        builder.apply(event)
    answer = builder.finish("complete")
    messages = conversation.messages_for_request(turn.system_prompt, upto=turn)
    result = await recover(answer, messages, client.connection)
    turn.answer = result.answer
    return result.answer


def assert_same_from(branch: Answer, answer: Answer, start: int) -> None:
    """Ids, bytes and logprobs (1e-4) equal from ``start`` on, and as many tokens."""
    assert len(branch.tokens) == len(answer.tokens)
    for mine, theirs in zip(branch.tokens[start:], answer.tokens[start:], strict=True):
        assert (mine.id, mine.bytes) == (theirs.id, theirs.bytes)
        assert mine.logprob is not None and theirs.logprob is not None
        assert abs(mine.logprob - theirs.logprob) < 1e-4


@pytest.mark.parametrize("stream", [True, False])
async def test_the_token_put_back_continues_as_the_answer_did(
    engine: EngineInfo, stream: bool
) -> None:
    conversation = Conversation()
    turn = conversation.ask("What is the capital of Japan?", sampling=GREEDY, model=engine.model)
    async with ChatClient(connection(engine)) as client:
        answer = await generated(client, conversation, turn, stream=stream)
        assert answer.finish_reason == "stop" and len(answer.tokens) >= 6
        own = branch_choices(answer, 3)[0]  # greedy: the most likely is the one taken
        assert own.alternative.id == answer.tokens[3].id
        sibling = conversation.branch(turn, plan_branch(answer, 3, own.alternative))
        branch = await generated(client, conversation, sibling, stream=stream)
        assert branch.text == answer.text and branch.prefill_tokens == 4
        assert branch.tokens[:4] == answer.tokens[:4]
        assert_same_from(branch, answer, 4)
        assert branch.metrics.sum_logprob == pytest.approx(answer.metrics.sum_logprob, abs=1e-3)

        second = branch_choices(answer, 3)[1]
        other = conversation.branch(turn, plan_branch(answer, 3, second.alternative))
        different = await generated(client, conversation, other, stream=stream)
    assert different.text.startswith(other.prefill.text) and different.text != answer.text
    assert different.tokens[3].logprob == second.alternative.logprob
    assert all(t.logprob is not None for t in different.tokens[4:])
    assert different.new_metrics.tokens + 4 == different.metrics.tokens
    assert conversation.sibling_position(other) == (3, 3)


async def test_a_japanese_branch_strips_the_repeated_start_and_recovers_hidden_tokens(
    engine: EngineInfo,
) -> None:
    conversation = Conversation()
    short = GREEDY.with_changes(max_tokens=16)  # a few split characters: few probes
    turn = conversation.ask("日本の首都はどこですか？", sampling=short, model=engine.model)
    async with ChatClient(connection(engine)) as client:
        answer = await generated(client, conversation, turn, stream=False)
        # The last piece of a character split over several tokens, not the first
        # character: the prefix ends with the character's first bytes, the choice completes
        # it.
        ends = [
            t.index
            for t in answer.tokens
            if t.char_start is not None and 2 <= t.char_start < t.index and t.text
        ]
        assert ends, "the answer should hold a character split over several tokens"
        at = ends[0]
        own = branch_choices(answer, at)[0]
        assert own.alternative.id == answer.tokens[at].id and own.problem is None
        # As many new tokens as the answer had after that point (it was cut by max_tokens).
        rest = short.with_changes(max_tokens=(answer.completion_tokens or 0) - (at + 1))
        plan = plan_branch(answer, at, own.alternative)
        sibling = conversation.branch(turn, plan, sampling=rest)
        request = conversation.request_for(sibling, stream=False)
        branch = await generated(client, conversation, sibling, stream=False)
    # The server's own reply, read without the client: its content repeats the start.
    sent = {**request.payload(), "model": engine.model}
    headers = {"Authorization": f"Bearer {engine.api_key}"}
    async with httpx.AsyncClient(timeout=60) as http:
        raw = (
            await http.post(f"{engine.base_url}/chat/completions", json=sent, headers=headers)
        ).json()
    content = raw["choices"][0]["message"]["content"]
    assert content.startswith(request.prefill) and content == branch.text
    assert branch.new_text == content[len(request.prefill) :]
    # Recovered: every token of the continuation has its own entry, as the answer had.
    assert any(t.recovered for t in branch.tokens[at + 1 :])
    assert branch.text == answer.text
    assert_same_from(branch, answer, at + 1)
