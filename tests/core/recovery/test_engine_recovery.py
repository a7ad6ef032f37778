"""Recovery on the real engine, checked independently (issue 11, item 1):

* the method reads the engine's own distribution: probing the position of a merged row's
  *last* piece gives back the logprob the server itself sent for that row (1e-4), and every
  row of an English answer (nothing hidden there) is reproduced (7e-5);
* a recovered Japanese answer has one entry per completion token, whose ids are the server's
  own ``/tokenize`` of the text, and every recovered value is what a probe there reads;
* streamed and whole replies end the same: same rows, same coverage, same stop probability.
"""

from __future__ import annotations

import asyncio

import pytest

from tui.core.answer import Answer, AnswerBuilder
from tui.core.engine import EngineInfo
from tui.core.recovery import RecoveryProgress, recover
from tui.core.report import coverage_words
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest
from tui.core.wire.llamacpp import LlamaCppServer

pytestmark = pytest.mark.engine

JAPANESE = [
    {"role": "system", "content": "あなたは親切なAIです。"},
    {"role": "user", "content": "東京について一文で教えて。"},
]
ENGLISH = [{"role": "user", "content": "Say hello."}]


def connection(info: EngineInfo) -> Connection:
    return Connection(info.base_url, api_key=info.api_key)


async def ask(info: EngineInfo, messages, *, stream: bool, max_tokens: int) -> Answer:
    sampling = Sampling(temperature=0.0, top_logprobs=3, max_tokens=max_tokens)
    builder = AnswerBuilder()
    async with ChatClient(connection(info)) as client:
        async for event in client.chat(ChatRequest(messages, info.model, sampling, stream)):
            builder.apply(event)
    return builder.finish("complete")


FORCE: list[int] = []  # the forced token's id, asked once


async def probe_logprob(server: LlamaCppServer, prompt: list[int], token: int) -> float:
    """The engine's logprob of ``token`` after ``prompt``, read the way the issue checked it
    (a forced complete token, its row's raw top list; 100 alternatives, else 5,000)."""
    if not FORCE:
        FORCE.append((await server.tokenize("a", parse_special=False))[0].id)
    force = FORCE[0]
    for n_probs in (100, 5000):
        (probe,) = await server.probe([prompt], n_probs=n_probs, force=force)
        found = [entry["logprob"] for entry in probe.top if entry["id"] == token]
        if found:
            return found[0]
    raise AssertionError(f"token {token} is not among the 5,000 most likely")


async def prompt_ids(server: LlamaCppServer, messages, expected: int) -> list[int]:
    text = await server.apply_template(messages)
    ids = [p.id for p in await server.tokenize(text, add_special=True)]
    assert len(ids) == expected
    return ids


@pytest.fixture(scope="module")
def japanese(engine: EngineInfo) -> tuple[Answer, Answer]:
    """A streamed 96-token Japanese answer (56 rows) and the same recovered."""

    async def run() -> tuple[Answer, Answer]:
        answer = await ask(engine, JAPANESE, stream=True, max_tokens=96)
        result = await recover(answer, JAPANESE, connection(engine), replicate_slots=True)
        assert result.status == "recovered"
        return answer, result.answer

    return asyncio.run(run())


def test_a_japanese_answer_has_one_entry_per_completion_token(japanese, engine):
    sent, recovered = japanese
    assert len(sent.tokens) < sent.completion_tokens == 96  # llama.cpp hid the rest
    assert coverage_words(sent.metrics) == f"covers {len(sent.tokens)} of 96 tokens"
    assert len(recovered.tokens) == recovered.completion_tokens == 96
    assert coverage_words(recovered.metrics) is None
    assert sum(t.recovered for t in recovered.tokens) == 96 - len(sent.tokens)
    # Same text, shown once per character; ids are the server's own tokenisation of it.
    assert "".join(t.text for t in recovered.tokens) == sent.text == recovered.text

    async def tokenized() -> list[int]:
        async with LlamaCppServer(connection(engine)) as server:
            return [p.id for p in await server.tokenize(sent.text, parse_special=False)]

    assert [t.id for t in recovered.tokens] == asyncio.run(tokenized())
    # The rows the server sent keep their values; their bytes are now their own piece's.
    kept = [t for t in recovered.tokens if not t.recovered]
    assert [t.logprob for t in kept] == [t.logprob for t in sent.tokens]
    assert b"".join(t.bytes for t in recovered.tokens) == sent.text.encode()


def test_the_method_gives_back_what_the_server_sent_for_merged_rows(japanese, engine):
    sent, recovered = japanese
    merged = [t for t in recovered.tokens if t.char_start is not None and not t.recovered]
    assert len(merged) >= 10

    async def check() -> None:
        async with LlamaCppServer(connection(engine)) as server:
            prompt = await prompt_ids(server, JAPANESE, sent.usage["prompt_tokens"])
            ids = [t.id for t in recovered.tokens]
            for row in merged[:10]:  # the row's own, last piece: its value is the server's
                value = await probe_logprob(server, prompt + ids[: row.index], row.id)
                assert value == pytest.approx(row.logprob, abs=1e-4)
            pieces = [t for t in recovered.tokens if t.recovered][:10]
            for piece in pieces:  # and recovery read what a probe reads
                value = await probe_logprob(server, prompt + ids[: piece.index], piece.id)
                assert value == pytest.approx(piece.logprob, abs=1e-4)

    asyncio.run(check())


async def test_an_english_answer_s_rows_are_reproduced_by_the_same_method(engine):
    answer = await ask(engine, ENGLISH, stream=True, max_tokens=24)
    async with LlamaCppServer(connection(engine)) as server:
        prompt = await prompt_ids(server, ENGLISH, answer.usage["prompt_tokens"])
        ids = [t.id for t in answer.tokens]
        assert ids == [p.id for p in await server.tokenize(answer.text, parse_special=False)]
        for i, row in enumerate(answer.tokens):
            value = await probe_logprob(server, prompt + ids[:i], row.id)
            assert value == pytest.approx(row.logprob, abs=7e-5), (i, row.token)


async def test_streamed_and_whole_replies_end_the_same_way(engine):
    whole = await ask(engine, ENGLISH, stream=False, max_tokens=60)
    streamed = await ask(engine, ENGLISH, stream=True, max_tokens=60)
    assert whole.finish_reason == streamed.finish_reason == "stop"
    # The whole reply carries llama.cpp's end row; the stream does not (one row short).
    assert len(whole.tokens) == whole.completion_tokens == len(streamed.tokens) + 1
    assert whole.metrics.stop_prob is not None and streamed.metrics.stop_prob is None
    result = await recover(streamed, ENGLISH, connection(engine))
    assert result.status == "recovered" and result.recovered == 0  # only the end token
    after = result.answer
    assert len(after.tokens) == len(whole.tokens)
    assert after.metrics.coverage == whole.metrics.coverage == 1.0
    assert after.metrics.stop_prob == pytest.approx(whole.metrics.stop_prob, abs=1e-4)
    # Never an answer token: the headline numbers are the same with or without it.
    assert after.metrics.tokens == whole.metrics.tokens == len(streamed.tokens)
    assert after.metrics.mean_logprob == pytest.approx(streamed.metrics.mean_logprob)
    # A whole reply has nothing to recover.
    assert (await recover(whole, ENGLISH, connection(engine))).status == "nothing-hidden"


def test_cancelling_recovery_leaves_the_answer_as_it_was(japanese, engine):
    answer, _ = japanese
    before = [(t.index, t.bytes, t.logprob) for t in answer.tokens]
    seen: list[RecoveryProgress] = []

    async def stop_at_the_first(progress: RecoveryProgress) -> None:
        seen.append(progress)
        if progress.done:
            raise asyncio.CancelledError  # as Esc cancelling the worker does

    async def run() -> None:
        await recover(answer, JAPANESE, connection(engine), on_progress=stop_at_the_first)

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run())
    assert seen[0].done == 0 and seen[0].message.startswith("recovering ")
    assert [(t.index, t.bytes, t.logprob) for t in answer.tokens] == before
    assert not any(t.recovered for t in answer.tokens) and answer.status == "complete"
