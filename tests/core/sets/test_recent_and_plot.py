"""Completing a question file's path, the recent files, the strip plot's marks and scale,
and the orders the question table sorts by."""

from __future__ import annotations

from pathlib import Path

from tests.core.sets.test_set_stats import BASE, PROMPTS, QUESTIONS, B, C, scored
from tui.core.sets.plan import SetPlan
from tui.core.sets.plot import strip, strip_plot
from tui.core.sets.recent import complete_path, recent_files, remember_file
from tui.core.sets.stats import summarise_set
from tui.core.sets.table import question_order


def test_completing_a_path(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "qs.jsonl").write_text("{}", encoding="utf-8")
    (tmp_path / "sets" / ".hidden.jsonl").write_text("{}", encoding="utf-8")
    (tmp_path / "set-notes.txt").write_text("", encoding="utf-8")
    assert complete_path(f"{tmp_path}/se") == f"{tmp_path}/set-notes.txt"  # first by name
    assert complete_path(f"{tmp_path}/sets") == f"{tmp_path}/sets/"  # a directory ends in /
    assert complete_path(f"{tmp_path}/sets/") == f"{tmp_path}/sets/qs.jsonl"  # hidden: no
    assert complete_path(f"{tmp_path}/sets/.h") == f"{tmp_path}/sets/.hidden.jsonl"
    assert complete_path(f"{tmp_path}/nothing") is None
    assert complete_path(f"{tmp_path}/sets/qs.jsonl") is None  # already whole
    monkeypatch.setenv("HOME", str(tmp_path))
    assert complete_path("~/sets/q") == "~/sets/qs.jsonl"  # ~ kept as typed


def test_recent_files_newest_first_without_the_missing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    files = [tmp_path / f"q{n}.jsonl" for n in range(3)]
    for f in files:
        f.write_text("{}", encoding="utf-8")
        remember_file(data, f)
    remember_file(data, files[0])  # again: moves to the front, not twice
    assert recent_files(data) == [str(files[0]), str(files[2]), str(files[1])]
    files[2].unlink()
    assert recent_files(data) == [str(files[0]), str(files[1])]
    (data / "recent-question-files.json").write_text("not json", encoding="utf-8")
    assert recent_files(data) == []


def test_a_strip_marks_each_question_on_a_shared_scale() -> None:
    # scale −1..+1 over 5 cells: −1 → 0, 0 → 2 (│), +0.5 → 3, +1 → 4
    assert strip([-1.0, 0.5, 1.0], -1.0, 1.0, 5) == "●·│●●"
    assert strip([0.5, 0.5, 0.5], -1.0, 1.0, 5) == "··│3·"
    assert strip([0.0] * 12, -1.0, 1.0, 5) == "··+··"


def test_the_plot_of_a_set() -> None:
    plan = SetPlan(PROMPTS, QUESTIONS, mode="score")
    summary = summarise_set(plan, scored([BASE, B, C]))
    lines = strip_plot(summary, 40)
    assert [line.split()[0] for line in lines[:2]] == ["B", "C"]
    assert lines[0].endswith("n=4") and lines[1].endswith("n=3")  # C failed one question
    assert lines[2].split() == ["-0.60", "+0.50"]  # the scale: every difference, and 0
    assert all(len(line) <= 40 for line in lines)


def test_sorting_the_questions() -> None:
    plan = SetPlan(PROMPTS, QUESTIONS, mode="score")
    summary = summarise_set(plan, scored([BASE, B, C]))
    # BASE −1.0, −2.0, −0.5, −1.5; C's differences −0.5, −0.6, none, −0.5
    assert question_order(summary, "value", 0) == [1, 3, 0, 2]
    assert question_order(summary, "value", 0, descending=True) == [2, 0, 3, 1]
    assert question_order(summary, "difference", 2) == [1, 0, 3, 2]  # no value: last
    assert question_order(summary, "difference", 2, descending=True) == [0, 3, 1, 2]
    assert question_order(summary, "order", 0, descending=True) == [3, 2, 1, 0]
