"""A locked, read-only or damaged history file: one clear line, and the chat goes on in memory.

Read-only conditions are real: ``chmod``, plus ``chattr +i`` when the tests run as root
(root ignores file modes). A file is never modified, repaired or replaced behind the user.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.core.store.answers import japanese_answer
from tui.core.store import AnswerParams, AsyncStore, Store

PARAMS = AnswerParams(model="m")


def _fill(path: Path) -> int:
    with Store.open(path) as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "saved before")
        store.save_answer(cid, PARAMS, japanese_answer())
    return cid


def _works_in_memory(store: Store) -> None:
    """The fallback store takes a whole new exchange and gives it back."""
    cid = store.create_conversation()
    store.add_user_message(cid, "new question")
    store.save_answer(cid, PARAMS, japanese_answer())
    assert store.load_conversation(cid).answers[0].answer.status == "complete"


def _writable(path: Path) -> bool:
    try:
        if path.is_dir():
            probe = path / ".probe"
            probe.write_bytes(b"")
            probe.unlink()
        else:
            with path.open("ab"):
                pass
    except OSError:
        return False
    return True


@contextmanager
def made_read_only(path: Path) -> Iterator[bool]:
    """``path`` read-only while the block runs; whether it could be made so (root can
    write to a read-only file: then ``chattr +i`` is tried)."""
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    immutable = False
    try:
        if _writable(path) and os.geteuid() == 0 and shutil.which("chattr"):
            immutable = subprocess.run(["chattr", "+i", str(path)], check=False).returncode == 0
        yield not _writable(path)
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    with made_read_only(path) as made:
        if not made:
            pytest.skip("this file system cannot make a file read-only for this user")
        yield


def _one_line(problem: str | None) -> str:
    assert problem is not None
    assert "\n" not in problem
    return problem


def test_a_damaged_file_is_reported_left_alone_and_the_chat_goes_on(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = b"this is not a database, it is a shopping list\n" * 200
    db_path.write_bytes(garbage)
    with Store.open(db_path) as store:
        problem = _one_line(store.problem)
        assert "is damaged" in problem and str(db_path) in problem
        assert "kept in memory only" in problem
        assert store.in_memory
        _works_in_memory(store)
    assert db_path.read_bytes() == garbage


def test_a_file_with_a_good_header_and_broken_pages_is_damaged_too(db_path: Path) -> None:
    _fill(db_path)
    data = bytearray(db_path.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)  # keep SQLite's 100-byte header, wreck the rest
    db_path.write_bytes(bytes(data))
    with Store.open(db_path) as store:
        assert "is damaged" in _one_line(store.problem)
        _works_in_memory(store)
    assert db_path.read_bytes() == bytes(data)


def test_a_write_locked_file_shows_its_history_read_only(db_path: Path) -> None:
    cid = _fill(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program is in the middle of a long write
    try:
        with Store.open(db_path, busy_timeout=0.05) as store:
            problem = _one_line(store.problem)
            assert "is locked by another program" in problem
            assert "read-only" in problem and "in memory" in problem
            assert store.in_memory
            assert store.load_conversation(cid).first_question == "saved before"
            _works_in_memory(store)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store.open(db_path) as store:  # nothing of the memory session leaked into the file
        assert [s.id for s in store.list_conversations()] == [cid]


def test_a_file_locked_even_for_reading_leaves_an_empty_memory_store(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE other_program (x)")
    try:
        with Store.open(db_path, busy_timeout=0.05) as store:
            problem = _one_line(store.problem)
            assert "is locked by another program" in problem
            assert "this session is kept in memory only" in problem
            assert store.list_conversations() == []
            _works_in_memory(store)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_read_only_file_shows_its_history_and_saves_in_memory(db_path: Path) -> None:
    cid = _fill(db_path)
    before = db_path.read_bytes()
    with read_only(db_path), Store.open(db_path) as store:
        problem = _one_line(store.problem)
        assert "is read-only" in problem and "in memory" in problem
        assert store.load_conversation(cid).answers[0].answer.text
        _works_in_memory(store)
    assert db_path.read_bytes() == before


def test_a_read_only_directory_with_a_history_file(db_path: Path) -> None:
    cid = _fill(db_path)
    with read_only(db_path.parent), Store.open(db_path) as store:
        _one_line(store.problem)
        assert store.in_memory
        assert store.load_conversation(cid).first_question == "saved before"
        _works_in_memory(store)


def test_a_read_only_directory_without_a_history_file(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with read_only(db_path.parent), Store.open(db_path) as store:
        problem = _one_line(store.problem)
        assert "cannot" in problem and str(db_path) in problem
        assert store.list_conversations() == []
        _works_in_memory(store)
    assert not db_path.exists()


async def test_the_async_store_falls_back_the_same_way(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"\x00garbage" * 1000)
    store = await AsyncStore.open(db_path)
    try:
        assert store.in_memory and "is damaged" in _one_line(store.problem)
        cid = await store.create_conversation()
        await store.add_user_message(cid, "q")
        assert (await store.list_conversations())[0].first_question == "q"
    finally:
        await store.close()
