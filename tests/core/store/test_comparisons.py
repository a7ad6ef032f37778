"""Comparisons in the history (schema version 4): a scored answer written and read back
whole (tokens, raw rows, metrics, the stop probability), results idempotent per key (a
resumed run skips what is done), a run left running by a dead process reads incomplete,
deleting its conversation keeps it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tui.core.answer import Answer
from tui.core.compare.plan import PromptSpec
from tui.core.score.history import comparison_fields, plan_of, result_fields
from tui.core.score.result import Score
from tui.core.score.run import ScoreEntry, ScorePlan
from tui.core.store import Store
from tui.core.store.schema import SCHEMA_VERSION, user_version
from tui.core.wire.records import TokenRecord


def scored(logprobs: list[float], stop: float) -> Score:
    tokens = [
        TokenRecord(
            i,
            "answer",
            t,
            t,
            t.encode(),
            lp,
            id=10 + i,
            raw_top=[{"token": t, "logprob": lp}],
            top_count=1,
        )
        for i, (t, lp) in enumerate(zip(["東", "京", "です"], logprobs, strict=True))
    ]
    tokens.append(TokenRecord(3, "other", "", "", b"", stop, id=2))
    raw = [{"token": t.token, "logprob": t.logprob} for t in tokens]
    answer = Answer(
        text="東京です", tokens=tokens, raw=raw, status="complete", usage={"completion_tokens": 4}
    )
    return Score(answer, "llama.cpp grammar")


def plan() -> ScorePlan:
    return ScorePlan(
        (PromptSpec("丁寧", "丁寧に答えて。"), PromptSpec("terse", "Be terse.", "terse")),
        "首都は？",
        "東京です",
        top_logprobs=1,
        history=(
            {"role": "user", "content": "こんにちは"},
            {"role": "assistant", "content": "はい"},
        ),
    )


def entries() -> list[ScoreEntry]:
    a = ScoreEntry(0, plan().prompts[0], "ok", scored([-0.1, -0.2, -0.3], -0.5))
    b = ScoreEntry(1, plan().prompts[1], "error", None, "context full")
    return [a, b]


def test_a_score_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with Store.connect(path) as store:
        comparison = store.create_comparison(
            **comparison_fields(
                plan(), method="llama.cpp grammar", model="m", base_url="http://u:p@h/v1?k=1"
            )
        )
        for entry in entries():
            store.save_result(comparison, **result_fields(entry))
        store.finish_comparison(comparison, "complete")
    with Store.connect(path) as store:
        stored = store.load_comparison(comparison)
        (summary,) = store.list_comparisons(kind="score")
    assert stored.kind == "score" and stored.status == "complete"
    assert stored.base_url == "http://h/v1"  # no credentials, no query
    back, back_entries = plan_of(stored)
    assert back == plan()
    first, second = back_entries
    original = entries()[0].score
    assert first.status == "ok" and first.score is not None and original is not None
    assert first.score.answer.tokens == original.answer.tokens
    assert first.score.answer.raw == original.answer.raw
    assert first.score.stop_logprob == -0.5 and first.score.method == "llama.cpp grammar"
    assert second.status == "error" and second.error == "context full" and second.score is None
    assert (summary.prompts, summary.questions, summary.results) == (2, 1, 2)
    assert summary.first_question == "首都は？"
    with closing(sqlite3.connect(path)) as conn:
        assert user_version(conn) == SCHEMA_VERSION
        row = conn.execute(
            "SELECT sum_logprob, stop_logprob, token_count FROM comparison_results "
            "WHERE status = 'ok'"
        ).fetchone()
        assert row[0] == -0.1 - 0.2 - 0.3 and row[1:] == (-0.5, 4)


def test_results_are_one_per_key_and_a_dead_run_is_incomplete(tmp_path: Path) -> None:
    with Store.connect(tmp_path / "h.sqlite3") as store:
        comparison = store.create_comparison(
            **comparison_fields(plan(), method=None, model=None, base_url=None)
        )
        first = entries()[0]
        store.save_result(comparison, **result_fields(first))
        store.save_result(comparison, **result_fields(first))  # a retried write
        assert store.comparison_done(comparison) == {(0, 0, 0)}
        assert len(store.load_comparison(comparison).results) == 1
        assert store.list_comparisons()[0].status == "running"  # this process is alive
        store._conn.execute("UPDATE comparisons SET owner_pid = 2147483646")
        assert store.list_comparisons()[0].status == "incomplete"


def test_deleting_the_source_conversation_keeps_the_comparison(tmp_path: Path) -> None:
    with Store.connect(tmp_path / "h.sqlite3") as store:
        conversation = store.create_conversation()
        comparison = store.create_comparison(
            **comparison_fields(
                plan(), method=None, model=None, base_url=None, conversation_id=conversation
            )
        )
        store.delete_conversation(conversation)
        assert store.load_comparison(comparison).conversation_id is None
        assert store.delete_comparison(comparison)
