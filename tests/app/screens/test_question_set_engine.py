"""The issue's "done when", walked on the built-in model: a new user writes five questions
with reference answers, runs ``compare --questions qs.jsonl --preset polite --preset terse
--score`` and then the sampled variant, reads which prompt wins on how many questions with
a paired interval (checked here by hand from the stored numbers), opens the same run from
the history after a restart, and exports it to CSV (from the screen and from the CLI)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
import re
from pathlib import Path

import pytest

from tests.app.screens.compare_support import until
from tests.app.support import make_app
from tui.app.screens.history import HistoryScreen
from tui.app.screens.question_set import QuestionSetScreen
from tui.cli.main import main
from tui.core.backend import Backend
from tui.core.engine import EngineInfo
from tui.core.presets import PresetStore
from tui.core.settings import Connection
from tui.core.store import Store, history_path

pytestmark = [pytest.mark.engine, pytest.mark.slow]

T4 = 2.7764451051977987  # t_{0.975, 4}, from a printed table

QUESTIONS = [
    {"question": "What is the capital of Japan?", "answer": "The capital of Japan is Tokyo."},
    {"question": "What is 2 + 2?", "answer": "2 + 2 is 4."},
    {"question": "What colour is the sky on a clear day?", "answer": "The sky is blue."},
    {"question": "日本の首都はどこですか？", "answer": "東京です。", "id": "ja"},
    {"question": "How many legs does a spider have?", "answer": "A spider has eight legs."},
]


async def cli(args: list[str]) -> int:
    """The command line, as a person runs it (its own event loop: off this test's)."""
    return await asyncio.to_thread(main, args)


def connection(engine: EngineInfo) -> list[str]:
    return ["--base-url", engine.base_url, "--api-key", engine.api_key, "--model", engine.model]


def ensure_presets() -> None:
    """polite and terse, as built in (saved here when this version has no built-ins)."""
    store = PresetStore()
    names = set(store.names())
    if "polite" not in names:
        store.save(
            "polite",
            "You are a polite and helpful assistant. Answer courteously, in complete sentences.",
        )
    if "terse" not in names:
        store.save("terse", "Answer as briefly as possible, in a few words.")


async def test_a_new_user_compares_two_presets_over_five_questions(
    engine: EngineInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    ensure_presets()
    monkeypatch.setenv("COLUMNS", "100")
    qs = tmp_path / "qs.jsonl"
    qs.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n", "utf-8")
    presets = ["--preset", "polite", "--preset", "terse"]

    # 1. Scored: each reference answer under each prompt, deterministic.
    assert (
        await cli(["compare", "--questions", str(qs), *presets, "--score", *connection(engine)])
        == 0
    )
    scored_report = capsys.readouterr().out
    words = " ".join(scored_report.split())
    said = re.search(
        r"terse vs polite: wins (\d), ties (\d), loses (\d) of 5 questions; mean difference "
        r"([-+]\d\.\d{3}) nats/token, 95% CI \[([-+]\d\.\d{3}), ([-+]\d\.\d{3})\]",
        words,
    )
    assert said, scored_report
    wins, ties, losses = (int(said.group(i)) for i in (1, 2, 3))
    assert wins + ties + losses == 5

    # The same numbers by hand from what the history kept.
    with Store.open(history_path()) as store:
        (summary,) = store.list_comparisons()
        stored = store.load_comparison(summary.id)
    assert stored.kind == "score" and summary.results == 10 and stored.status == "complete"
    by = {(r.prompt, r.question): r.answer.metrics.mean_logprob for r in stored.results}
    d = [by[(1, j)] - by[(0, j)] for j in range(5)]
    mean = sum(d) / 5
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / 4)
    assert said.group(4) == f"{mean:+.3f}"
    assert said.group(5) == f"{mean - T4 * sd / math.sqrt(5):+.3f}"
    assert said.group(6) == f"{mean + T4 * sd / math.sqrt(5):+.3f}"
    assert (wins, losses) == (sum(x > 0.01 for x in d), sum(x < -0.01 for x in d))
    scored_id = summary.id

    # 2. Sampled: the same set, one short sample per prompt and question.
    sampled = ["--samples", "1", "--max-tokens", "8", "--seed", "1"]
    assert (
        await cli(["compare", "--questions", str(qs), *presets, *sampled, *connection(engine)]) == 0
    )
    assert "terse vs polite: wins" in " ".join(capsys.readouterr().out.split())

    # 3. After a restart: F6 lists both; the scored one opens with the same numbers, and
    #    exports to CSV.
    backend = Backend(
        Connection(engine.base_url, api_key=engine.api_key, model=engine.model), "built-in"
    )
    app = make_app(backend=backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f6")
        await until(lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        await until(lambda: len(history.comparisons) == 2)
        listed = history.query_one("#history-comparisons")
        listed.focus()
        listed.highlighted = [c.id for c in history.comparisons].index(scored_id)
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, QuestionSetScreen))
        screen = app.screen
        assert isinstance(screen, QuestionSetScreen) and screen.comparison_id == scored_id
        await pilot.pause()
        terse = screen.summary.paired_for(1)
        assert f"{terse.difference.diff:+.3f}" == said.group(4)
        assert (terse.wins, terse.ties, terse.losses) == (wins, ties, losses)
        await pilot.press("x")
        await until(lambda: bool(screen.last_export))
        rows = list(csv.DictReader(io.StringIO(screen.last_export[1].read_text("utf-8"))))
    assert len(rows) == 10 and {r["question_id"] for r in rows} == {"1", "2", "3", "ja", "5"}
    assert {r["prompt"] for r in rows} == {"polite", "terse"}

    # 4. And from the command line, without a server: the stored run as CSV.
    out = tmp_path / "scores.csv"
    assert await cli(["compare", "--resume", str(scored_id), "--csv", "-o", str(out)]) == 0
    capsys.readouterr()
    again = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [r["mean_logprob"] for r in again] == [r["mean_logprob"] for r in rows]
