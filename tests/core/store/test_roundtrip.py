"""Everything written comes back equal: conversations, messages, parameters, answers, tokens."""

from __future__ import annotations

import math
import os
import stat
from dataclasses import fields
from pathlib import Path

import pytest

from tests.core.store.answers import japanese_answer, reasoning_answer
from tests.support.history_files import readable_bytes
from tests.support.scripted_server import chat_chunk, token_row
from tui.core.answer import Answer, AnswerBuilder
from tui.core.errors import register_secret
from tui.core.settings import Sampling
from tui.core.store import AnswerParams, Store, StoreError
from tui.core.wire.chunks import StreamNormaliser
from tui.core.wire.events import Notice

PARAMS = AnswerParams(
    model="gpt-oss-20b",
    base_url="http://gpu-box:8000/v1",
    system_prompt="あなたは親切なAIです。",
    preset="polite",
    temperature=0.7,
    top_logprobs=5,
    max_tokens=512,
    seed=42,
)


def assert_same_answer(got: Answer, want: Answer) -> None:
    for f in fields(Answer):
        assert getattr(got, f.name) == getattr(want, f.name), f.name
    assert got.metrics == want.metrics
    assert got.reasoning_metrics == want.reasoning_metrics
    assert got.raw_logprobs() == want.raw_logprobs()


def test_every_field_of_a_conversation_comes_back(store: Store) -> None:
    cid = store.create_conversation(
        preset="polite", system_prompt="あなたは親切なAIです。", model="m0", base_url=None
    )
    q1 = store.add_user_message(cid, "日本の首都はどこですか？")
    first = japanese_answer()
    a1 = store.save_answer(cid, PARAMS, first)
    q2 = store.add_user_message(cid, "Why?\nExplain.")
    second = reasoning_answer(status="stopped", notice="could not tell reasoning rows apart")
    other = AnswerParams(model="gpt-oss-20b", preset=None, system_prompt=None, temperature=0.0)
    a2 = store.save_answer(cid, other, second)

    conversation = store.load_conversation(cid)
    assert [(m.id, m.role, m.position) for m in conversation.messages] == [
        (q1, "user", 0),
        (a1, "assistant", 1),
        (q2, "user", 2),
        (a2, "assistant", 3),
    ]
    assert conversation.messages[2].text == "Why?\nExplain."
    stored1, stored2 = conversation.answers
    assert (stored1.id, stored1.question_id, stored1.params) == (a1, q1, PARAMS)
    assert (stored2.id, stored2.question_id, stored2.params) == (a2, q2, other)
    assert_same_answer(stored1.answer, first)
    assert_same_answer(stored2.answer, second)
    # The llama.cpp merged-prefix alternatives survive: the first token's best alternative is
    # the whole character "ど", not its last byte.
    assert stored1.answer.tokens[0].alternatives()[0].text == "ど"
    assert stored2.answer.status == "stopped"
    assert stored2.answer.reasoning_metrics.tokens == 2
    # The conversation carries the latest answer's settings, so a resumed chat continues them.
    assert (conversation.model, conversation.preset, conversation.system_prompt) == (
        "gpt-oss-20b",
        None,
        None,
    )
    assert conversation.display_title == "日本の首都はどこですか？"
    assert conversation.chat_messages()[:2] == [
        {"role": "user", "content": "日本の首都はどこですか？"},
        {"role": "assistant", "content": first.text},
    ]


def test_a_reopened_file_gives_the_same_conversation(db_path: Path) -> None:
    answer = japanese_answer()
    with Store.open(db_path) as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "q")
        store.save_answer(cid, PARAMS, answer)
        before = store.load_conversation(cid)
    with Store.open(db_path) as store:
        after = store.load_conversation(cid)
    assert after == before
    assert_same_answer(after.answers[0].answer, answer)


def test_an_error_answer_without_text_is_kept_but_not_sent_back(store: Store) -> None:
    cid = store.create_conversation()
    store.add_user_message(cid, "hello")
    failed = AnswerBuilder().finish("error", "cannot connect to http://127.0.0.1:9/v1")
    store.save_answer(cid, PARAMS, failed)
    conversation = store.load_conversation(cid)
    assert conversation.answers[0].answer.status == "error"
    assert conversation.answers[0].answer.error == "cannot connect to http://127.0.0.1:9/v1"
    assert conversation.chat_messages() == []  # the model never saw that exchange
    store.add_user_message(cid, "hello again")
    store.save_answer(cid, PARAMS, reasoning_answer(status="stopped"))
    assert store.load_conversation(cid).chat_messages() == [
        {"role": "user", "content": "hello again"},
        {"role": "assistant", "content": reasoning_answer().text},  # partial answers count
    ]


def test_summaries_list_newest_first_with_counts_and_mean_confidence(store: Store) -> None:
    clock = iter(range(1000, 2000))
    store.clock = lambda: float(next(clock))
    old = store.create_conversation(model="m1")
    store.add_user_message(old, "first question\nsecond line")
    japanese = japanese_answer()
    reasoning = reasoning_answer()
    store.save_answer(old, PARAMS, japanese)
    store.add_user_message(old, "again")
    store.save_answer(old, PARAMS, reasoning)
    store.add_user_message(old, "no logprobs this time")
    store.save_answer(old, PARAMS, AnswerBuilder().finish("error", "HTTP 500"))
    new = store.create_conversation(model="m2", preset="terse")
    store.add_user_message(new, "newer")

    summaries = store.list_conversations()
    assert [s.id for s in summaries] == [new, old]
    newer, older = summaries
    assert (newer.answers, newer.mean_prob, newer.preset) == (0, None, "terse")
    assert older.answers == 3
    assert older.first_question == "first question\nsecond line"
    assert older.display_title == "first question"
    expected = (japanese.metrics.mean_prob + reasoning.metrics.mean_prob) / 2
    assert older.mean_prob == pytest.approx(expected, rel=1e-12)
    assert store.last_conversation_id() == new


def test_search_finds_title_and_any_message_text_with_like_characters_literal(
    store: Store,
) -> None:
    a = store.create_conversation()
    store.add_user_message(a, "東京の天気は？")
    b = store.create_conversation()
    store.add_user_message(b, "100% sure_thing")
    c = store.create_conversation(title="Prompt study")
    store.add_user_message(c, "x")
    store.save_answer(c, PARAMS, reasoning_answer())  # answer text contains "a|b"

    assert [s.id for s in store.search("天気")] == [a]
    assert [s.id for s in store.search("100%")] == [b]
    assert store.search("0%s") == []  # % is literal, not a wildcard
    assert [s.id for s in store.search("e_t")] == [b]
    assert store.search("e_x") == []  # _ is literal too
    assert [s.id for s in store.search("prompt STUDY")] == [c]  # ASCII case-insensitive
    assert [s.id for s in store.search("a|b")] == [c]  # answer text is searched
    assert {s.id for s in store.search("  ")} == {a, b, c}


def test_rename_and_delete(store: Store) -> None:
    cid = store.create_conversation()
    store.add_user_message(cid, "question")
    store.save_answer(cid, PARAMS, japanese_answer())
    store.rename_conversation(cid, "  My study  ")
    assert store.load_conversation(cid).display_title == "My study"
    store.rename_conversation(cid, "")
    assert store.load_conversation(cid).title is None
    with pytest.raises(StoreError, match="no conversation 999"):
        store.rename_conversation(999, "x")

    assert store.delete_conversation(cid) is True
    assert store.delete_conversation(cid) is False
    with pytest.raises(StoreError, match=f"no conversation {cid}"):
        store.load_conversation(cid)
    # Cascade: nothing of it is left in any table.
    conn = store._conn
    for table in ("messages", "answers", "answer_parts"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_writing_to_an_unknown_conversation_is_a_clear_error(store: Store) -> None:
    with pytest.raises(StoreError, match="conversation 42 is not in the history"):
        store.add_user_message(42, "x")


def test_credentials_never_reach_the_file(db_path: Path) -> None:
    key = "sk-test-SECRET-0123456789abcdef"
    register_secret(key)
    echo = AnswerBuilder()
    # A hostile server echoes the key in its text, a token, a raw row and a notice.
    normaliser = StreamNormaliser(5)
    for chunk in (
        chat_chunk(content=f"your key is {key}", rows=[token_row(key, -0.1, [(key, -0.1)])]),
        chat_chunk(finish="stop"),
    ):
        for event in normaliser.feed(chunk):
            echo.apply(event)
    echo.apply(Notice(f"server said {key}"))
    answer = echo.finish("error", f"HTTP 401: bad key {key}")
    params = AnswerParams.of(
        model="m",
        base_url=f"https://user:{key}@host:8443/v1?api_key={key}",
        sampling=Sampling(),
        system_prompt=f"prompt mentioning {key}",
    )
    with Store.open(db_path) as store:
        cid = store.create_conversation(title=key, base_url=f"http://u:{key}@h/v1")
        store.add_user_message(cid, f"is {key} valid?")
        store.save_answer(cid, params, answer)
        loaded = store.load_conversation(cid)
    assert loaded.answers[0].params.base_url == "https://host:8443/v1"
    assert loaded.base_url == "https://host:8443/v1"
    assert "***" in loaded.messages[1].text
    assert loaded.answers[0].answer.tokens[0].token == "***"
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert files
    readable = readable_bytes(files)
    assert b'"***"' in readable  # the parts were read (decompressed) and hold the scrubbed token
    assert key.encode() not in readable


def test_the_file_is_private(db_path: Path) -> None:
    Store.open(db_path).close()
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db_path.parent).st_mode) == 0o700


def test_non_finite_values_in_raw_rows_are_stored_as_null(store: Store) -> None:
    normaliser = StreamNormaliser(2)
    builder = AnswerBuilder()
    row = {"token": "x", "logprob": math.nan, "top_logprobs": [{"token": "x", "logprob": math.inf}]}
    for event in normaliser.feed(chat_chunk(content="x", rows=[row])):
        builder.apply(event)
    answer = builder.finish("complete")
    cid = store.create_conversation()
    store.add_user_message(cid, "q")
    store.save_answer(cid, PARAMS, answer)
    got = store.load_conversation(cid).answers[0].answer
    assert got.tokens[0].logprob is None and got.tokens[0].note == answer.tokens[0].note
    assert got.raw == [
        {"token": "x", "logprob": None, "top_logprobs": [{"token": "x", "logprob": None}]}
    ]
    assert (got.metrics.tokens, got.metrics.unknown) == (1, 1)


def test_recovered_pieces_replace_the_tokens_and_come_back(store: Store) -> None:
    # Recovery rewrites a saved answer: pieces in the middle, marked, grouped into characters.
    from tests.core.recovery.test_plan_build import PIECES, answer_of, rows
    from tui.core.recovery.build import Measured, rebuild
    from tui.core.recovery.plan import align, plan_from

    tokens = rows()
    saved = answer_of(tokens)
    cid = store.create_conversation()
    answer_id = store.save_answer(cid, PARAMS, saved)
    plan = plan_from(tokens, align(tokens, PIECES))
    measured = {p: Measured(PIECES[p], -0.25, [], 20) for p in plan.hidden_positions}
    recovered = rebuild(saved, plan, measured, None, keep_top=0)
    recovered.notices.append("recovered 3 split-character tokens")
    store.replace_tokens(answer_id, recovered)
    (back,) = store.load_conversation(cid).answers
    got = back.answer
    assert [(t.index, t.id, t.bytes, t.logprob) for t in got.tokens] == [
        (t.index, t.id, t.bytes, t.logprob) for t in recovered.tokens
    ]
    assert [t.char_start for t in got.tokens] == [0, 0, 2, 2, 4, 4, None, None]
    assert [t.recovered for t in got.tokens] == [True, False] * 3 + [False, False]
    assert got.raw == recovered.raw and got.raw[0]["recovered"] is True
    assert got.metrics == recovered.metrics and got.metrics.coverage == 1.0
    assert got.notices[-1] == "recovered 3 split-character tokens"
    assert store.stored_metrics(answer_id) == recovered.metrics
    assert (got.status, got.text) == (saved.status, saved.text)  # the rest as written


def test_token_rows_written_before_char_start_and_recovered_read_back() -> None:
    from tui.core.store import codec

    # The 12-element layout of the files written so far.
    old = [[0, "answer", "a", "a", "61", -0.5, 7, "", 0.0, None, 0, None]]
    (token,), _ = codec.decode_tokens(codec.FORMAT_JSON, codec.dump_json(old), [])
    assert (token.char_start, token.recovered) == (None, False)
    assert (token.bytes, token.logprob, token.id) == (b"a", -0.5, 7)
