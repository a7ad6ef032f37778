"""A question set in the history: written as it runs, read back as the same plan and the
same numbers (without loading tokens), one question's answers with their tokens, and taken
back by one process at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.scripted_server import ScriptedServer
from tests.support.set_replies import CAREFUL, TERSE, set_reply
from tui.core.compare import PromptSpec
from tui.core.questions import Question
from tui.core.sets.history import comparison_fields, results_of
from tui.core.sets.keeping import SetKeeper
from tui.core.sets.plan import SetPlan
from tui.core.sets.results import metrics_values, result_values
from tui.core.sets.run import SetRun
from tui.core.settings import Connection, Sampling
from tui.core.store import AsyncStore, Store, StoreError
from tui.core.wire.client import ChatClient

PLAN = SetPlan(
    (PromptSpec.from_text(CAREFUL), PromptSpec("terse", TERSE, "terse")),
    (Question("a", "question 0", "答え"), Question("b", "question 1")),
    samples=2,
    sampling=Sampling(temperature=0.5, max_tokens=4, seed=9),
    concurrency=2,
    source="qs.jsonl",
)


async def test_written_as_it_runs_and_read_back_the_same(scripted: ScriptedServer, tmp_path: Path):
    scripted.default = set_reply()
    notes: list[str] = []
    store = await AsyncStore.open(tmp_path / "history.sqlite3")
    keeper = await SetKeeper.create(
        store, PLAN, model="scripted-model", base_url=None, on_note=notes.append
    )
    kept_answers = {}

    async def save(result):
        kept_answers[result.key] = result_values(result.answer)
        await keeper.save(result)

    async with ChatClient(Connection(scripted.base_url, api_key="k")) as client:
        run = SetRun(client, PLAN, "scripted-model", recover=False)
        await run.run(on_result=save)
    await keeper.finish(True)

    resumed = await SetKeeper.load(store, keeper.comparison_id)
    assert resumed.plan == PLAN and resumed.complete and resumed.model == "scripted-model"
    assert {r.key: r.values for r in resumed.done} == {k: r.values for k, r in run.results.items()}
    # the numbers read without tokens are those of the answers themselves
    assert {r.key: r.values for r in resumed.done} == kept_answers
    one = await store.comparison_results(keeper.comparison_id, question=1)
    assert {(r.prompt, r.sample) for r in one} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert all(r.question == 1 and r.answer and r.answer.tokens for r in one)
    assert all(r.seed in (9, 10) for r in one)
    await store.close()
    assert notes == []


def test_failed_and_cancelled_results_are_asked_again():
    with Store.memory() as store:
        comparison = store.create_comparison(**comparison_fields(PLAN, model="m", base_url=None))
        store.save_result(comparison, prompt=0, question=0, sample=0, status="error", error="x")
        store.save_result(comparison, prompt=1, question=0, sample=0, status="cancelled")
        values = results_of(store.comparison_values(comparison))
    assert [(r.key, r.status) for r in values] == [((0, 0, 0), "error")]
    assert metrics_values(None)["mean_logprob"] is None


def test_one_process_at_a_time(tmp_path: Path):
    with Store.open(tmp_path / "h.sqlite3") as store:
        comparison = store.create_comparison(**comparison_fields(PLAN, model="m", base_url=None))
        store.reopen_comparison(comparison)  # our own: fine
        store._conn.execute(
            "UPDATE comparisons SET owner_pid = ? WHERE id = ?", (os.getppid(), comparison)
        )
        store._conn.commit()
        with pytest.raises(StoreError, match=f"comparison {comparison} is still running"):
            store.reopen_comparison(comparison)
        store.finish_comparison(comparison, "stopped")
        store.reopen_comparison(comparison)
        assert store.list_comparisons()[0].status == "running"
