"""Benchmark: checkpointing a 20,000-token answer with top-20 alternatives.

Run with ``uv run pytest -m bench tests/bench/test_store_checkpoint.py -s``. Prints the
numbers; asserts only ratios measured in the same process:

* an incremental checkpoint (the rows of one second of a 100 tokens/s stream) costs a small
  fraction of rewriting all rows at the end of the answer, and does not grow with the answer:
  the last checkpoints cost about what the first ones do;
* the caller's share of a checkpoint (slicing the lists, joining the text, live metrics),
  which runs on the UI thread in the TUI, stays far below the store's share.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from tui.core.answer import AnswerBuilder
from tui.core.store import AnswerParams, Store
from tui.core.store.codec import encode_part
from tui.core.store.recorder import Recorder
from tui.core.wire.events import TextDelta, TokensReceived
from tui.core.wire.normalise import normalise_row

pytestmark = pytest.mark.bench

TOKENS = 20_000
TOP = 20
PER_CHECKPOINT = 100  # one second of a 100 tokens/s stream


def _rows(n: int) -> list[dict]:
    words = ["東京", "は", " the", " capital", "。", "\n", " 日本", " of", " Japan", "です"]
    rows = []
    for i in range(n):
        token = words[i % len(words)]
        top = [
            {
                "token": f"{token}{j}" if j else token,
                "logprob": -0.01 - 0.37 * j - (i % 5) * 0.01,
                "bytes": list((f"{token}{j}" if j else token).encode()),
            }
            for j in range(TOP)
        ]
        rows.append(
            {
                "token": token,
                "logprob": top[0]["logprob"],
                "bytes": list(token.encode()),
                "top_logprobs": top,
            }
        )
    return rows


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_checkpoint_cost_of_a_long_top20_answer(tmp_path: Path) -> None:
    raw = _rows(TOKENS)
    tokens = [normalise_row(row, i, "answer", TOP) for i, row in enumerate(raw)]
    for token in tokens:
        token.text = token.token

    store = Store.open(tmp_path / "bench.sqlite3")
    cid = store.create_conversation()
    store.add_user_message(cid, "long answer please")
    builder = AnswerBuilder()
    answer_id = store.begin_answer(cid, AnswerParams(model="bench", top_logprobs=TOP))

    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    recorder = Recorder(None, builder, answer_id, clock=clock)  # type: ignore[arg-type]
    take_times: list[float] = []
    write_times: list[float] = []
    for start in range(0, TOKENS, PER_CHECKPOINT):
        chunk = slice(start, start + PER_CHECKPOINT)
        builder.apply(TokensReceived(tokens[chunk], raw[chunk]))
        for token in tokens[chunk]:
            builder.apply(TextDelta(token.text))
        clock.now += 1.0
        t0 = time.perf_counter()
        signature = recorder._signature()
        delta = recorder._take()
        take_times.append(time.perf_counter() - t0)
        write_times.append(_timed(lambda d=delta: store.checkpoint_answer(d)))
        recorder._confirm(delta, signature)

    answer = builder.finish("complete")
    final = recorder._take()
    finish_time = _timed(lambda: store.finish_answer(final, answer))
    full_encode = _timed(lambda: encode_part(tokens, raw))
    # The baseline: one transaction rewriting all rows, as a non-incremental checkpoint would.
    conn = store._conn

    def rewrite_all() -> None:
        blob, raw_blob = encode_part(tokens, raw)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE answer_parts SET tokens = ?, raw = ? WHERE answer_id = ? AND seq = 0",
            (blob, raw_blob, answer_id),
        )
        conn.execute("ROLLBACK")

    full_rewrite = _timed(rewrite_all)
    load_time = _timed(lambda: store.load_conversation(cid))
    loaded = store.load_conversation(cid).answers[0].answer
    store.close()
    size = sum(p.stat().st_size for p in tmp_path.iterdir())

    assert loaded.tokens == tokens and len(loaded.raw) == TOKENS
    n = len(write_times)
    first = statistics.median(write_times[: n // 10])
    last = statistics.median(write_times[-n // 10 :])
    mean = statistics.mean(write_times)
    print(
        f"\n{TOKENS} tokens, top-{TOP}, {n} checkpoints of {PER_CHECKPOINT} tokens\n"
        f"  checkpoint write (store thread): mean {mean * 1e3:.2f} ms, "
        f"median {statistics.median(write_times) * 1e3:.2f} ms, "
        f"max {max(write_times) * 1e3:.2f} ms, total {sum(write_times):.2f} s\n"
        f"    first 10%: median {first * 1e3:.2f} ms; last 10%: median {last * 1e3:.2f} ms\n"
        f"  checkpoint take (caller thread): mean {statistics.mean(take_times) * 1e3:.3f} ms, "
        f"max {max(take_times) * 1e3:.3f} ms\n"
        f"  finish write: {finish_time * 1e3:.1f} ms\n"
        f"  baseline, rewrite all rows once: {full_rewrite * 1e3:.1f} ms "
        f"(encode alone {full_encode * 1e3:.1f} ms)\n"
        f"  load the answer back: {load_time * 1e3:.1f} ms\n"
        f"  file size: {size / 1e6:.1f} MB ({size / TOKENS:.0f} bytes/token)"
    )
    assert mean < full_rewrite / 10
    assert last < first * 4  # no growth with the answer's length (generous: a noisy machine)
    assert statistics.mean(take_times) < mean


def test_saving_a_500_token_top20_answer(tmp_path: Path) -> None:
    raw = _rows(500)
    tokens = [normalise_row(row, i, "answer", TOP) for i, row in enumerate(raw)]
    builder = AnswerBuilder()
    builder.apply(TokensReceived(tokens, raw))
    builder.apply(TextDelta("".join(t.token for t in tokens)))
    answer = builder.finish("complete")
    store = Store.open(tmp_path / "bench.sqlite3")
    cid = store.create_conversation()
    store.add_user_message(cid, "q")
    params = AnswerParams(model="bench", top_logprobs=TOP)
    saves = [_timed(lambda: store.save_answer(cid, params, answer)) for _ in range(20)]
    encode = statistics.median(_timed(lambda: encode_part(tokens, raw)) for _ in range(20))
    metrics = statistics.median(_timed(lambda: answer.metrics) for _ in range(20))
    store.close()
    save = statistics.median(saves)
    print(
        f"\n500 tokens, top-{TOP}: save_answer median {save * 1e3:.1f} ms "
        f"(encode {encode * 1e3:.1f} ms, metrics {metrics * 1e3:.1f} ms), "
        f"max {max(saves) * 1e3:.1f} ms"
    )
    assert encode < save
