"""Older files open and are brought up to date; newer files are left alone."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.core.store.answers import japanese_answer, reasoning_answer
from tui.core.store import SCHEMA_VERSION, AnswerParams, Store
from tui.core.store.schema import MIGRATIONS, migrate, user_version

V1_FILE = Path(__file__).parent / "fixtures" / "history-v1.sqlite3"
JAPANESE_TEXT = 'どこですか？ is a Japanese saying, which translates to "what is that is'


@pytest.fixture
def v1_copy(db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(V1_FILE, db_path)
    return db_path


def test_the_fixture_really_is_version_1() -> None:
    with closing(sqlite3.connect(f"{V1_FILE.as_uri()}?mode=ro", uri=True)) as conn:
        assert user_version(conn) == 1
        columns = {row[1] for row in conn.execute("PRAGMA table_info(answers)")}
    assert "mean_prob" not in columns  # added by version 2


def test_a_version_1_file_is_migrated_and_reads_completely(v1_copy: Path) -> None:
    with Store.open(v1_copy) as store:
        assert store.problem is None
        assert store.recovered == [4]  # its writer (another host) is gone
        summaries = store.list_conversations()
        first = store.load_conversation(1)
        second = store.load_conversation(2)
    with closing(sqlite3.connect(v1_copy)) as conn:
        assert user_version(conn) == SCHEMA_VERSION
        backfilled = conn.execute(
            "SELECT mean_prob, json_extract(metrics, '$.mean_prob') FROM answers "
            "WHERE message_id = 2"
        ).fetchone()
    assert backfilled[0] is not None and backfilled[0] == backfilled[1]

    assert [s.id for s in summaries] == [2, 1]
    renamed, japanese = summaries
    assert (renamed.display_title, renamed.answers, renamed.mean_prob) == ("Renamed study", 1, None)
    assert japanese.display_title == "日本の首都はどこですか？"
    assert japanese.answers == 2
    assert japanese.mean_prob == pytest.approx(0.294243450067515)

    complete, partial = first.answers
    assert complete.answer.text == JAPANESE_TEXT
    assert complete.answer.status == "complete"
    assert len(complete.answer.tokens) == 19
    assert [t.index for t in complete.answer.tokens] == list(range(19))
    assert complete.answer.tokens[0].alternatives()[0].text == "ど"
    assert complete.answer.usage["completion_tokens"] == 24
    assert complete.answer.server_timings["predicted_n"] == 24
    assert complete.params.seed == 42 and complete.params.preset == "polite"
    assert complete.answer.metrics.mean_prob == pytest.approx(0.294243450067515)

    assert partial.answer.status == "incomplete"
    assert len(partial.answer.tokens) == 5
    assert partial.answer.text == "".join(t.text for t in partial.answer.tokens)
    assert partial.answer.tokens == complete.answer.tokens[:5]

    assert second.answers[0].answer.status == "error"
    assert second.answers[0].answer.error == "HTTP 503 Service Unavailable"


def test_a_migrated_file_takes_new_answers(v1_copy: Path) -> None:
    with Store.open(v1_copy) as store:
        store.add_user_message(1, "third")
        answer = reasoning_answer()
        store.save_answer(1, AnswerParams(model="x"), answer)
    with Store.open(v1_copy) as store:
        loaded = store.load_conversation(1)
    assert len(loaded.answers) == 3
    assert loaded.answers[2].answer.tokens == answer.tokens
    assert loaded.answers[2].answer.metrics == answer.metrics


def test_migrating_twice_is_a_no_op(v1_copy: Path) -> None:
    Store.open(v1_copy).close()
    conn = sqlite3.connect(v1_copy, isolation_level=None)
    assert migrate(conn) == SCHEMA_VERSION
    conn.close()


def test_every_version_has_its_migration() -> None:
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


def test_a_file_from_a_newer_version_is_left_untouched(db_path: Path) -> None:
    Store.open(db_path).close()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db_path.read_bytes()
    with Store.open(db_path) as store:
        assert store.in_memory
        assert store.problem is not None
        assert "newer logprob-chat" in store.problem
        assert "kept in memory only" in store.problem
        assert "\n" not in store.problem
        cid = store.create_conversation()  # the session still works
        store.add_user_message(cid, "still works")
        assert store.load_conversation(cid).first_question == "still works"
    assert db_path.read_bytes() == before


V2_FILE = Path(__file__).parent / "fixtures" / "history-v2.sqlite3"


def test_a_version_2_file_reads_completely_and_new_answers_are_compact(db_path: Path) -> None:
    """Version 2 wrote parts as plain JSON (format 1); version 3 reads them as they are, and
    answers added afterwards are stored compressed (format 2) beside them."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(V2_FILE, db_path)
    with closing(sqlite3.connect(f"{V2_FILE.as_uri()}?mode=ro", uri=True)) as conn:
        assert user_version(conn) == 2
        assert conn.execute("SELECT DISTINCT format FROM answer_parts").fetchall() == [(1,)]
    expected = japanese_answer()
    with Store.open(db_path) as store:
        assert store.problem is None
        (summary,) = store.list_conversations()
        assert (summary.display_title, summary.answers) == ("Version 2 study", 2)
        full = store.load_conversation(summary.id)
        lazy = store.load_conversation(summary.id, lazy=True)
        store.add_user_message(summary.id, "and again")
        store.save_answer(summary.id, AnswerParams(model="x"), japanese_answer())
        reopened = store.load_conversation(summary.id)
    japanese, reasoning = full.answers
    assert japanese.answer.tokens == expected.tokens and japanese.answer.raw == expected.raw
    assert japanese.answer.text == expected.text and japanese.params.seed == 42
    assert japanese.answer.tokens[0].alternatives()[0].text == "ど"
    assert reasoning.answer.tokens == reasoning_answer().tokens
    lazy_japanese = lazy.answers[0].answer
    lazy_japanese.load_raw()
    assert lazy_japanese.raw == expected.raw and lazy_japanese.tokens == expected.tokens
    assert reopened.answers[2].answer.tokens == expected.tokens
    assert reopened.answers[2].answer.raw == expected.raw
    with closing(sqlite3.connect(db_path)) as conn:
        assert user_version(conn) == SCHEMA_VERSION == 6
        formats = conn.execute("SELECT format, count(*) FROM answer_parts GROUP BY format")
        assert formats.fetchall() == [(1, 3), (2, 1)]  # old parts untouched, the new one packed


def test_version_5_keeps_earlier_conversations_as_the_chats(db_path: Path) -> None:
    """Version 5 adds ``conversations.source``: what was there counts as the chat's."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(V2_FILE, db_path)
    with Store.open(db_path) as store:
        (old,) = store.list_conversations()
        asked = store.create_conversation(source="ask")
        store.add_user_message(asked, "from a script")
        assert old.source == "chat"
        assert store.last_conversation_id(source="chat") == old.id
        assert store.last_conversation_id() == asked
    with closing(sqlite3.connect(db_path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE conversations SET source = 'other'")
