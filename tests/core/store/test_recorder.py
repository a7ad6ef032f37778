"""The Recorder keeps a streaming answer in the file: bounded, incremental, never in the way."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.core.store.answers import FakeClock, japanese_chunks, reasoning_answer
from tui.core.answer import AnswerBuilder
from tui.core.store import AnswerDelta, AnswerParams, AsyncStore, Recorder, Store
from tui.core.wire.chunks import StreamNormaliser

PARAMS = AnswerParams(model="m", temperature=0.7, top_logprobs=5, max_tokens=64)


async def _conversation(store: AsyncStore) -> int:
    cid = await store.create_conversation()
    await store.add_user_message(cid, "日本の首都はどこですか？")
    return cid


def _parts(path: Path) -> list[tuple[int, int]]:
    """(seq, first_index) of every stored part, read by a separate connection."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT seq, first_index FROM answer_parts ORDER BY seq").fetchall()


def _peek(path: Path, answer_id: int):
    """What another process would see now (its own Store on the same file)."""
    with Store.open(path) as other:
        conversation = other.load_conversation(other.last_conversation_id() or 0)
    return next(a for a in conversation.answers if a.id == answer_id)


async def test_checkpoints_are_bounded_incremental_and_readable_while_streaming(
    db_path: Path,
) -> None:
    store = await AsyncStore.open(db_path)
    cid = await _conversation(store)
    clock = FakeClock()
    builder = AnswerBuilder()
    recorder = await Recorder.begin(store, builder, cid, PARAMS, interval=1.0, clock=clock)
    normaliser = StreamNormaliser(5)
    started = 0
    seen_streaming = None
    for chunk in japanese_chunks():
        clock.advance(0.4)
        for event in normaliser.feed(chunk):
            builder.apply(event)
        if recorder.maybe_checkpoint():
            started += 1
        await recorder.wait_idle()
        if started == 3 and seen_streaming is None:
            seen_streaming = _peek(db_path, recorder.answer_id)
    # 0.4 s per chunk, 1 s interval: a checkpoint every third chunk at most.
    chunks = len(japanese_chunks())
    assert 1 < started <= chunks // 2
    assert recorder.checkpoints == started
    assert seen_streaming is not None
    assert seen_streaming.answer.status == "streaming"
    partial = seen_streaming.answer
    assert builder.text.startswith(partial.text)
    assert 0 < len(partial.tokens) < len(builder.answer.tokens)
    assert partial.tokens == builder.answer.tokens[: len(partial.tokens)]

    parts = _parts(db_path)
    # Each part starts where the previous one ended: nothing is written twice.
    firsts = [first for _, first in parts]
    assert firsts == sorted(set(firsts))
    assert [seq for seq, _ in parts] == list(range(len(parts)))

    answer = await recorder.finish("complete")
    final = _peek(db_path, recorder.answer_id).answer
    assert final.status == "complete"
    assert final.tokens == answer.tokens and final.raw == answer.raw
    assert final.text == answer.text
    assert final.metrics == answer.metrics
    await store.close()


async def test_nothing_new_means_no_write(db_path: Path) -> None:
    store = await AsyncStore.open(db_path)
    cid = await _conversation(store)
    clock = FakeClock()
    recorder = await Recorder.begin(store, AnswerBuilder(), cid, PARAMS, clock=clock)
    clock.advance(5)
    assert recorder.maybe_checkpoint() is False  # due, but nothing arrived
    assert recorder.checkpoints == 0
    await recorder.finish("stopped")
    await store.close()


async def test_a_locked_file_delays_a_checkpoint_and_loses_nothing(db_path: Path) -> None:
    store = await AsyncStore.open(db_path, busy_timeout=0.05)
    cid = await _conversation(store)
    clock = FakeClock()
    builder = AnswerBuilder()
    recorder = await Recorder.begin(store, builder, cid, PARAMS, clock=clock)
    normaliser = StreamNormaliser(5)
    chunks = japanese_chunks()
    for chunk in chunks[:10]:
        for event in normaliser.feed(chunk):
            builder.apply(event)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        clock.advance(2)
        assert recorder.maybe_checkpoint()
        await recorder.wait_idle()
        assert recorder.problem is not None and "locked" in recorder.problem
        assert recorder.checkpoints == 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    for chunk in chunks[10:]:
        for event in normaliser.feed(chunk):
            builder.apply(event)
    clock.advance(2)
    assert recorder.maybe_checkpoint()
    await recorder.wait_idle()
    assert recorder.checkpoints == 1
    stored = _peek(db_path, recorder.answer_id).answer
    assert stored.tokens == builder.answer.tokens  # the rows of the failed write included
    await recorder.finish("complete")
    await store.close()


async def test_cancelled_stream_is_kept_as_stopped(db_path: Path) -> None:
    store = await AsyncStore.open(db_path)
    cid = await _conversation(store)
    builder = AnswerBuilder()
    recorder = await Recorder.begin(store, builder, cid, PARAMS, interval=0.0)
    arrived = asyncio.Event()

    async def stream() -> None:
        async with recorder:
            normaliser = StreamNormaliser(5)
            for chunk in japanese_chunks()[:8]:
                for event in normaliser.feed(chunk):
                    builder.apply(event)
                recorder.maybe_checkpoint()
            arrived.set()
            await asyncio.Event().wait()  # the server stalls; the user presses Esc

    task = asyncio.ensure_future(stream())
    await arrived.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stored = _peek(db_path, recorder.answer_id).answer
    assert stored.status == "stopped"
    assert stored.text == builder.text and stored.text
    assert stored.tokens == builder.answer.tokens
    await store.close()


async def test_an_unexpected_exception_is_kept_as_error(db_path: Path) -> None:
    store = await AsyncStore.open(db_path)
    cid = await _conversation(store)
    recorder = await Recorder.begin(store, AnswerBuilder(), cid, PARAMS)
    with pytest.raises(ValueError):
        async with recorder:
            raise ValueError("odd payload")
    stored = _peek(db_path, recorder.answer_id).answer
    assert (stored.status, stored.error) == ("error", "odd payload")
    await store.close()


async def test_the_ticker_saves_a_stream_gone_quiet(db_path: Path) -> None:
    store = await AsyncStore.open(db_path)
    cid = await _conversation(store)
    builder = AnswerBuilder()
    async with await Recorder.begin(store, builder, cid, PARAMS, interval=0.05) as recorder:
        normaliser = StreamNormaliser(5)
        for chunk in japanese_chunks()[:6]:
            for event in normaliser.feed(chunk):
                builder.apply(event)  # no maybe_checkpoint(): only the ticker can save them
        for _ in range(200):
            if recorder.checkpoints:
                break
            await asyncio.sleep(0.05)
        stored = _peek(db_path, recorder.answer_id).answer
        assert stored.status == "streaming"
        assert stored.tokens == builder.answer.tokens
        await recorder.finish("complete")
    await store.close()


def test_a_part_sent_again_replaces_itself(store: Store) -> None:
    """A checkpoint whose task was cancelled is resent with the same seq: no copy, no gap."""
    answer = reasoning_answer()
    cid = store.create_conversation()
    store.add_user_message(cid, "q")
    answer_id = store.begin_answer(cid, PARAMS)

    def delta(count: int) -> AnswerDelta:
        return AnswerDelta(
            answer_id=answer_id,
            seq=0,
            first_index=0,
            tokens=answer.tokens[:count],
            raw=answer.raw[:count],
            token_total=count,
            text="",
            reasoning="",
        )

    store.checkpoint_answer(delta(3))
    store.checkpoint_answer(delta(5))
    loaded = store.load_conversation(cid).answers[0].answer
    assert loaded.tokens == answer.tokens[:5]
    assert loaded.raw == answer.raw[:5]


async def test_write_final_stores_an_answer_frozen_elsewhere_without_changing_it(
    db_path: Path,
) -> None:
    store = await AsyncStore.open(db_path)
    cid = await _conversation(store)
    clock = FakeClock()
    builder = AnswerBuilder(clock=clock)
    recorder = await Recorder.begin(store, builder, cid, PARAMS, interval=1.0, clock=clock)
    recorder.start()
    normaliser = StreamNormaliser(5)
    for chunk in japanese_chunks()[:6]:
        for event in normaliser.feed(chunk):
            builder.apply(event)
    clock.advance(2.0)
    answer = builder.finish("stopped")  # the TUI freezes it to show it at once
    duration = answer.duration
    clock.advance(5.0)
    await recorder.write_final(answer)
    assert recorder.problem is None and recorder.finished
    assert answer.duration == duration  # not finished a second time
    stored = _peek(db_path, recorder.answer_id)
    assert stored.answer.status == "stopped"
    assert stored.answer.text == answer.text and answer.text
    assert len(stored.answer.tokens) == len(answer.tokens) > 0
    assert stored.answer.duration == duration
    await store.close()
