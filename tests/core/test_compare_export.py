"""JSON and CSV of a comparison, as the CLI and the TUI export write them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat

import pytest

from tests.support.compare_replies import CAREFUL, LOGPROBS, SEED, TERSE, scripted_reply
from tui.core.compare import ComparePlan, Comparison, PromptSpec, Sample, aggregate
from tui.core.compare.aggregate import CompareResult
from tui.core.compare.export import (
    SAMPLE_COLUMNS,
    export_stem,
    result_json,
    sample_json,
    sample_rows,
    summary_columns,
    summary_rows,
    to_csv,
    write_exports,
)
from tui.core.jsonio import dumps
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient


async def run_two(scripted) -> CompareResult:
    scripted.default = scripted_reply(LOGPROBS)
    plan = ComparePlan(
        (PromptSpec.from_text(CAREFUL), PromptSpec.from_text(TERSE)),
        "q",
        samples=3,
        sampling=Sampling(seed=SEED),
    )
    async with ChatClient(Connection(scripted.base_url)) as client:
        return await Comparison(client, plan, "scripted-model").run()


async def test_json_round_trips_and_can_carry_the_token_records(scripted):
    result = await run_two(scripted)
    data = json.loads(dumps(result_json(result, tokens=True)))
    assert data["model"] == "scripted-model"
    assert data["seeds"] == "sample i uses seed + i"
    assert data["confidence"] == 0.95
    sample = data["samples"][0]
    assert [t["logprob"] for t in sample["tokens"]] == LOGPROBS[CAREFUL][0]
    assert sample["raw"]["content"][0]["token"] == "t0"
    assert set(data["prompts"][0]["stats"]) == {
        "mean_logprob",
        "mean_prob",
        "perplexity",
        "min_prob",
        "length",
        "low_prob_count",
    }
    # identical lengths: no interval, and JSON says so with nulls rather than a zero width
    length = data["prompts"][0]["stats"]["length"]
    assert (length["sd"], length["ci_low"], length["half_width"]) == (0.0, None, None)
    assert "tokens" not in result_json(result)["samples"][0]


def test_a_sample_that_never_ran_exports_as_nulls():
    plan = ComparePlan((PromptSpec.from_text("a"),), "q", samples=1)
    result = aggregate(plan, "m", [])
    assert result.prompts[0].ok == 0
    data = sample_json(Sample(0, "a", 0, None), tokens=True)
    assert data["status"] == "pending"
    assert data["answer"] is None and data["raw"] is None and data["tokens"] == []


async def test_csv_columns_and_empty_cells(scripted):
    result = await run_two(scripted)
    rows = list(csv.DictReader(io.StringIO(to_csv(SAMPLE_COLUMNS, sample_rows(result)))))
    assert list(rows[0]) == list(SAMPLE_COLUMNS)
    assert len(rows) == 6
    assert all(r["error"] == "" for r in rows)
    assert float(rows[0]["sum_logprob"]) == pytest.approx(-0.4)
    summary = list(csv.DictReader(io.StringIO(to_csv(summary_columns(), summary_rows(result)))))
    assert list(summary[0]) == list(summary_columns())
    assert summary[0]["diff_mean_prob"] == "" and summary[1]["diff_mean_prob"] != ""
    assert float(summary[1]["diff_mean_logprob_paired"]) == pytest.approx(-0.8)
    assert summary[1]["diff_mean_logprob_paired_ci_low"] == ""  # no spread in the pairs
    assert summary[1]["diff_mean_logprob_paired_verdict"] == "no_variation"


async def test_exports_are_written_owner_only_and_named_apart(scripted, tmp_path):
    result = await run_two(scripted)
    now = dt.datetime(2026, 11, 28, 14, 25, 1)
    first = write_exports(result, tmp_path / "exports", now, {"backend": "scripted"})
    assert [p.name for p in first] == [
        "compare-20261128-142501.json",
        "compare-20261128-142501-samples.csv",
        "compare-20261128-142501-summary.csv",
    ]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in first)
    data = json.loads(first[0].read_text(encoding="utf-8"))
    assert data["backend"] == "scripted"
    assert len(data["samples"]) == 6
    assert len(list(csv.DictReader(io.StringIO(first[1].read_text())))) == 6
    assert len(list(csv.DictReader(io.StringIO(first[2].read_text())))) == 2
    # Same second again: nothing is overwritten.
    second = write_exports(result, tmp_path / "exports", now)
    assert second[0].name == "compare-20261128-142501-2.json"
    assert export_stem(tmp_path / "exports", now).name == "compare-20261128-142501-3"
