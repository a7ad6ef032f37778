"""A lazy load (the TUI reopening a conversation) keeps raw rows as bytes until asked for, and
then gives back exactly what a full load gives: same rows, same records, alternatives shared."""

from __future__ import annotations

from tests.core.store.answers import japanese_answer, reasoning_answer
from tui.core.store import AnswerParams, Store

PARAMS = AnswerParams(model="m", top_logprobs=5)


def test_lazy_answers_parse_their_raw_rows_on_demand_and_match_a_full_load(store: Store):
    cid = store.create_conversation()
    for answer in (japanese_answer(), reasoning_answer()):
        store.add_user_message(cid, "q")
        store.save_answer(cid, PARAMS, answer)
    full = [m.answer for m in store.load_conversation(cid).answers]
    lazy = [m.answer for m in store.load_conversation(cid, lazy=True).answers]

    for eager, deferred in zip(full, lazy, strict=True):
        assert eager.raw and deferred.raw == []  # nothing parsed yet
        assert [t.logprob for t in deferred.tokens] == [t.logprob for t in eager.tokens]
        assert deferred.metrics == eager.metrics  # what the log shows needs no raw rows
        assert any(t.raw_top is None for t in deferred.tokens)
        deferred.load_raw()
        assert deferred.raw == eager.raw
        assert deferred.tokens == eager.tokens
        shared = [t for t in deferred.tokens if t.raw_top is not None]
        assert shared and all(
            any(t.raw_top is row.get("top_logprobs") for row in deferred.raw) for t in shared
        )
        deferred.load_raw()  # once only
        assert deferred.raw == eager.raw


def test_raw_logprobs_and_saving_again_load_the_rows_first(store: Store):
    cid = store.create_conversation()
    store.add_user_message(cid, "q")
    store.save_answer(cid, PARAMS, japanese_answer())
    eager = store.load_conversation(cid).answers[0].answer
    lazy = store.load_conversation(cid, lazy=True).answers[0].answer
    assert lazy.raw_logprobs() == eager.raw_logprobs()

    again = store.load_conversation(cid, lazy=True).answers[0].answer
    store.add_user_message(cid, "q2")
    store.save_answer(cid, PARAMS, again)
    copy = store.load_conversation(cid).answers[1].answer
    assert copy.raw == eager.raw and copy.tokens == eager.tokens
