"""Copies of the history (tui.core.store.salvage) beyond what tests/faults covers: a healthy
file recovers whole, a damaged one backs up as it is and says so, a file with nothing
readable is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.store.answers import japanese_answer
from tui.core.store import AnswerParams, Store, StoreError
from tui.core.store.salvage import backup, recover


def _fill(path: Path) -> None:
    with Store.open(path) as store:
        for n in range(3):
            cid = store.create_conversation(title=f"c{n}")
            store.add_user_message(cid, "q")
            store.save_answer(cid, AnswerParams(model="m"), japanese_answer())


def test_a_healthy_file_is_recovered_whole(db_path: Path, tmp_path: Path) -> None:
    _fill(db_path)
    report = recover(db_path, tmp_path / "copy.sqlite3")
    assert report.unreadable == [] and report.dropped == 0
    assert report.counts() == "3 conversations, 6 messages, 3 answers"
    with Store.open(tmp_path / "copy.sqlite3") as store:
        answer = store.load_conversation(2).answers[0].answer
    assert answer.text == japanese_answer().text and len(answer.tokens) > 0


def test_a_damaged_file_backs_up_as_it_is_and_says_so(db_path: Path, tmp_path: Path) -> None:
    _fill(db_path)
    data = bytearray(db_path.read_bytes())
    data[4096 * 3 : 4096 * 4] = b"\xa5" * 4096  # page 4
    db_path.write_bytes(bytes(data))
    report = backup(db_path, tmp_path / "backup.sqlite3")
    assert report.damaged is not None and "malformed" in report.damaged
    assert (tmp_path / "backup.sqlite3").read_bytes()[4096 * 3 : 4096 * 4] == b"\xa5" * 4096


def test_nothing_readable_is_one_line(db_path: Path, tmp_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"a shopping list, not a database\n" * 300)
    with pytest.raises(StoreError, match="is damaged") as caught:
        recover(db_path, tmp_path / "copy.sqlite3")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "copy.sqlite3").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
