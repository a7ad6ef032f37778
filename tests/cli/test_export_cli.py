"""``logprob-chat export``: what ``ask`` recorded comes out in every format, and reads back."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.support.scripted_server import ScriptedServer
from tui.cli.main import main
from tui.core.store import Store, history_path

KEY = "sk-export-test-KEY-0123456789abcdef"


@pytest.fixture
def two_conversations(scripted: ScriptedServer) -> list[int]:
    for question in ("first question", "second | question"):
        code = main(["ask", "--base-url", scripted.base_url, "--api-key", KEY, question])
        assert code == 0
    with Store.open() as store:
        return [s.id for s in reversed(store.list_conversations())]


def _export(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["export", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_format_to_stdout_reads_back(two_conversations: list[int], capsys) -> None:
    first, last = two_conversations
    code, out, _ = _export(capsys, "--format", "json")  # --last is the default
    assert code == 0
    document = json.loads(out)
    assert document["conversation"]["id"] == last
    assert document["messages"][0]["text"] == "second | question"
    assert document["messages"][1]["answer"]["tokens"][0]["token"] == "Hello"
    assert "raw" not in document["messages"][1]["answer"]
    code, out, _ = _export(capsys, "--format", "json", "--raw")
    assert code == 0
    assert json.loads(out)["messages"][1]["answer"]["raw"]["content"][0]["token"] == "Hello"

    code, out, _ = _export(capsys, "--conversation", str(first), "--format", "jsonl")
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert (record["question"], record["text"]) == ("first question", "Hello world!")
    assert record["request"]["model"] == "scripted-model"

    code, out, _ = _export(capsys, "--last", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["token"] for r in rows] == ["Hello", " world", "!"]
    assert [float(r["logprob"]) for r in rows] == [-0.1, -0.7, -1.6]

    code, out, _ = _export(capsys, "--format", "md")
    assert code == 0
    assert out.startswith("# second \\| question\n")
    assert "| Statistic | Value |" in out and "| Tokens | 3 |" in out

    for fmt in ("json", "jsonl", "csv", "md"):
        _, out, err = _export(capsys, "--format", fmt)
        assert KEY not in out and KEY not in err


def test_output_file_format_from_its_extension(
    two_conversations: list[int], capsys, tmp_path: Path
) -> None:
    target = tmp_path / "exports" / "tokens.csv"
    code, out, err = _export(capsys, "-o", str(target))
    assert code == 0 and out == ""
    assert str(target) in err and "(csv)" in err
    rows = list(csv.reader(target.open(newline="", encoding="utf-8")))
    assert rows[0][:3] == ["conversation_id", "message_id", "answer_number"]
    assert len(rows) == 4
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_list_shows_ids_and_titles(two_conversations: list[int], capsys) -> None:
    code, out, _ = _export(capsys, "--list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["id", "updated"]
    assert lines[1].split()[0] == str(two_conversations[1])
    assert lines[1].endswith("second | question")
    assert lines[2].endswith("first question")


def test_clear_errors(two_conversations: list[int], capsys, tmp_path: Path) -> None:
    code, _, err = _export(capsys, "--conversation", "999", "--format", "json")
    assert code == 1 and err == "logprob-chat: error: no conversation 999 in the history\n"

    code, _, err = _export(capsys, "--last")
    assert code == 2 and "give --format" in err and err.count("\n") == 1

    with pytest.raises(SystemExit) as exited:
        main(["export", "--conversation", "abc", "--format", "json"])
    assert exited.value.code == 2
    assert "must be a conversation id number, not 'abc'" in capsys.readouterr().err

    code, _, err = _export(capsys, "--format", "md", "-o", str(tmp_path / "missing" / "x.md"))
    assert code == 0  # the directory is created

    code, _, err = _export(capsys, "--format", "md", "-o", str(tmp_path))  # a directory
    assert code == 1 and err.startswith("logprob-chat: error: cannot write")

    code, out, err = _export(capsys, "--format", "csv", "--raw")
    assert (code, out) == (2, "")
    assert err == (
        "logprob-chat: error: --raw goes with --format json (the other formats never carry "
        "raw rows)\n"
    )


def test_no_history_yet(capsys) -> None:
    code, _, err = _export(capsys, "--format", "json")
    assert code == 1 and "no history yet" in err
    assert not history_path().exists()  # export never creates one


def test_a_damaged_history_cannot_be_exported(capsys) -> None:
    path = history_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"junk" * 500)
    code, out, err = _export(capsys, "--format", "json")
    assert code == 1 and out == ""
    assert "is damaged" in err and err.count("\n") == 1
    assert "memory" not in err  # nothing about a session: export has none


def test_export_reads_a_locked_history_and_says_so(two_conversations: list[int], capsys) -> None:
    holder = sqlite3.connect(history_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # e.g. another program mid-write
    try:
        code, out, err = _export(capsys, "--format", "jsonl")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 0
    assert json.loads(out)["question"] == "second | question"
    assert err.startswith("note: history file") and "is locked" in err


def test_data_dir_option(scripted: ScriptedServer, capsys, tmp_path: Path) -> None:
    elsewhere = str(tmp_path / "elsewhere")
    assert main(["ask", "--base-url", scripted.base_url, "--data-dir", elsewhere, "away"]) == 0
    code, out, _ = _export(capsys, "--data-dir", elsewhere, "--format", "jsonl")
    assert code == 0 and json.loads(out)["question"] == "away"
    code, _, err = _export(capsys, "--format", "jsonl")  # the default place has nothing
    assert code == 1 and "no history yet" in err
