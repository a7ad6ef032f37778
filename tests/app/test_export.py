"""Exporting the conversation from the TUI: F7 (a format menu) and the command palette write
JSON, JSONL, Markdown and CSV into the data directory's exports folder and say where."""

from __future__ import annotations

import csv
import json

import pytest

from tests.app.support import TEXT, TOKENS, make_app, search_palette, send, wait_for
from tests.support.scripted_server import Reply, stream_of
from tui.app.screens.export import ExportScreen


async def _export_with_f7(pilot, letter: str) -> None:
    app = pilot.app
    before = app.last_export
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
    await pilot.press(letter)
    await wait_for(pilot, lambda: app.last_export not in (None, before))


async def _export_from_palette(pilot, words: str) -> None:
    app = pilot.app
    before = app.last_export
    await search_palette(pilot, words)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.last_export not in (None, before))


async def test_every_format_lands_in_the_exports_folder_and_reads_back(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)), Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    exports = app.data_dir / "exports"
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await send(pilot, "Where did the cat sit?")
        await send(pilot, "[bold]again[/bold]")
        await _export_with_f7(pilot, "j")
        json_path = app.last_export
        await _export_with_f7(pilot, "l")
        jsonl_path = app.last_export
        await _export_from_palette(pilot, "markdown")
        md_path = app.last_export
        await _export_with_f7(pilot, "c")
        csv_path = app.last_export
        messages = [n.message for n in app._notifications]
    assert [p.parent for p in (json_path, jsonl_path, md_path, csv_path)] == [exports] * 4
    assert [p.suffix for p in (json_path, jsonl_path, md_path, csv_path)] == [
        ".json", ".jsonl", ".md", ".csv"
    ]  # fmt: skip
    # The path is in the notification, literally (markup off).
    assert f"exported Markdown to {md_path}" in messages
    assert f"exported CSV to {csv_path}" in messages

    document = json.loads(json_path.read_text(encoding="utf-8"))
    roles = [m["role"] for m in document["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"]
    first_answer = document["messages"][1]
    assert first_answer["text"] == TEXT
    tokens = first_answer["answer"]["tokens"]
    assert [t["token"] for t in tokens] == [t for t, _, _ in TOKENS]
    assert all(t["top_logprobs"] for t in tokens) and "raw" not in first_answer["answer"]

    lines = [json.loads(line) for line in jsonl_path.read_text(encoding="utf-8").splitlines()]
    assert [line["question"] for line in lines] == ["Where did the cat sit?", "[bold]again[/bold]"]

    markdown = md_path.read_text(encoding="utf-8")
    assert "Where did the cat sit?" in markdown and "| Statistic | Value |" in markdown

    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * len(TOKENS)
    assert [r["token"] for r in rows[: len(TOKENS)]] == [t for t, _, _ in TOKENS]
    assert float(rows[2]["prob"]) == pytest.approx(0.04)  # " sat", the least likely


async def test_nothing_to_export_before_the_first_question(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await app.history.ready.wait()
        app.main.dialogs.export_as("md")
        await wait_for(pilot, lambda: bool(app._notifications))
        assert [n.message for n in app._notifications] == [
            "Nothing to export yet: ask a question first."
        ]
        assert not (app.data_dir / "exports").exists()
