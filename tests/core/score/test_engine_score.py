"""Scoring on the real built-in engine: the issue's "done when", checked against independent
sources.

* An answer generated greedily (a chat completion, as the chat sends it) and scored under
  the prompt that generated it gives back the generated logprobs, token for token, with the
  same ids, and the end token's (1e-4);
* two prompts give different scores, and two runs agree to the last digit;
* a Japanese answer, generated and recovered (issue 11), is scored on every token, each
  value the recovered one (1e-4); a Japanese text the model did not write is scored on every
  token too, its hidden tokens' values what an independent probe reads there;
* answers with quotes, backslashes, newlines and tabs come back byte for byte.
"""

from __future__ import annotations

import pytest

from tui.core.answer import Answer, AnswerBuilder
from tui.core.engine import EngineInfo
from tui.core.recovery import recover
from tui.core.score import METHOD_LLAMACPP, Score, Scorer
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest
from tui.core.wire.llamacpp import LlamaCppServer

pytestmark = pytest.mark.engine

ENGLISH = [
    {"role": "system", "content": "Answer in one short sentence."},
    {"role": "user", "content": "What is the capital of Japan?"},
]
JAPANESE = [
    {"role": "system", "content": "あなたは親切なAIです。"},
    {"role": "user", "content": "東京について一文で教えて。"},
]


def connection(info: EngineInfo) -> Connection:
    return Connection(info.base_url, api_key=info.api_key, model=info.model)


async def generate(info: EngineInfo, messages, max_tokens: int, *, stream: bool) -> Answer:
    sampling = Sampling(temperature=0.0, top_logprobs=5, max_tokens=max_tokens)
    builder = AnswerBuilder()
    async with ChatClient(connection(info)) as client:
        async for event in client.chat(ChatRequest(messages, info.model, sampling, stream)):
            builder.apply(event)
    return builder.finish("complete")


async def score_all(info: EngineInfo, cases) -> list[Score]:
    async with Scorer(connection(info), replicate_slots=True) as scorer:
        return [await scorer.score(m, text, 5) for m, text in cases]


def values(answer: Answer) -> list[tuple[int | None, bytes | None, float | None]]:
    return [(t.id, t.bytes, t.logprob) for t in answer.tokens]


def assert_same(scored: Answer, generated: Answer) -> None:
    a, b = values(scored), values(generated)
    assert [(i, d) for i, d, _ in a] == [(i, d) for i, d, _ in b]
    for (_, _, x), (_, _, y) in zip(a, b, strict=True):
        assert x is not None and y is not None and abs(x - y) < 1e-4


async def test_scoring_a_greedy_answer_under_its_own_prompt_gives_its_logprobs(
    engine: EngineInfo,
) -> None:
    generated = await generate(engine, ENGLISH, 40, stream=False)
    assert generated.finish_reason == "stop" and generated.tokens[-1].bytes == b""
    (scored,) = await score_all(engine, [(ENGLISH, generated.text)])
    assert scored.method == METHOD_LLAMACPP
    assert scored.answer.text == generated.text
    assert_same(scored.answer, generated)  # every token and the end token
    assert scored.stop_logprob == pytest.approx(generated.metrics.stop_logprob, abs=1e-4)
    assert scored.tokenization is not None and scored.tokenization.same
    assert scored.metrics.coverage == 1.0


async def test_two_prompts_differ_and_two_runs_agree_to_the_last_digit(engine: EngineInfo) -> None:
    text = "The capital of Japan is Tokyo."
    pirate = [{"role": "system", "content": "You are a pirate. Talk like one."}, ENGLISH[1]]
    cases = [(ENGLISH, text), (pirate, text)]
    first, second = await score_all(engine, cases), await score_all(engine, cases)
    assert first[0].metrics.sum_logprob != first[1].metrics.sum_logprob
    for a, b in zip(first, second, strict=True):
        assert values(a.answer) == values(b.answer)  # exactly, not approximately
        assert a.stop_logprob == b.stop_logprob


async def test_a_japanese_answer_is_scored_on_every_token(engine: EngineInfo) -> None:
    generated = await generate(engine, JAPANESE, 32, stream=True)
    recovered = (
        await recover(generated, JAPANESE, connection(engine), replicate_slots=True)
    ).answer
    hidden = sum(t.recovered for t in recovered.tokens)
    assert hidden > 5  # the answer splits characters over tokens
    (scored,) = await score_all(engine, [(JAPANESE, recovered.text)])
    text_tokens = [t for t in scored.answer.tokens if t.bytes]
    assert all(t.logprob is not None for t in scored.answer.tokens)
    assert scored.metrics.coverage == 1.0
    assert len(scored.answer.tokens) == scored.answer.completion_tokens
    # The text rows generation gave (its end token was cut by max_tokens: not compared).
    generated_rows = [(t.id, t.bytes, t.logprob) for t in recovered.tokens if t.bytes]
    assert [(t.id, t.bytes) for t in text_tokens] == [(i, d) for i, d, _ in generated_rows]
    for token, (_, _, value) in zip(text_tokens, generated_rows, strict=True):
        assert abs(token.logprob - value) < 1e-4


async def test_a_japanese_text_the_model_did_not_write(engine: EngineInfo) -> None:
    english = [{"role": "user", "content": "What is the capital of Japan?"}]
    text = "東京は日本の首都です。"
    (scored,) = await score_all(engine, [(english, text)])
    answer = scored.answer
    assert answer.text == text and scored.metrics.coverage == 1.0
    assert all(t.logprob is not None for t in answer.tokens)
    assert sum(t.recovered for t in answer.tokens) >= 5
    # Independent: the raw distribution after the same ids, read with a wide forced probe.
    async with LlamaCppServer(connection(engine)) as server:
        prompt = await server.apply_template(english)
        ids = [p.id for p in await server.tokenize(prompt, add_special=True)]
        force = (await server.tokenize("a", parse_special=False))[0].id
        path = [t.id for t in answer.tokens]
        for k in (0, 1, 2, len(path) - 2):  # hidden pieces, a row, the last row
            (probe,) = await server.probe([ids + path[:k]], n_probs=5000, force=force)
            found = [e["logprob"] for e in probe.top if e["id"] == path[k]]
            assert found and abs(found[0] - answer.tokens[k].logprob) < 1e-4


async def test_quotes_backslashes_and_newlines_come_back_exactly(engine: EngineInfo) -> None:
    text = "He said \"hi\" \\ then left.\n\tNext line: 'ok' [1-2] # done"
    (scored,) = await score_all(engine, [(ENGLISH, text)])
    assert scored.answer.text == text
    assert b"".join(t.bytes or b"" for t in scored.answer.tokens) == text.encode()


async def test_prompts_scored_at_once_give_the_same_numbers(engine: EngineInfo) -> None:
    from tui.core.compare.plan import PromptSpec
    from tui.core.score.run import ScorePlan, ScoreRun

    prompts = tuple(PromptSpec.from_text(s) for s in ("Be terse.", "You are a pirate.", "Hi."))
    results = []
    for concurrency in (1, 3):
        plan = ScorePlan(prompts, "Capital?", "Tokyo is.", top_logprobs=3, concurrency=concurrency)
        async with Scorer(connection(engine), replicate_slots=True) as scorer:
            entries = await ScoreRun(scorer, plan).run()
        assert all(e.ok for e in entries), [e.error for e in entries]
        results.append([values(e.score.answer) for e in entries if e.score])
    assert results[0] == results[1]
