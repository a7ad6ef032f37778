"""Moving a session kept in memory into the history file once it opens
(:mod:`tui.core.store.moving`): the conversations it wrote and the comparisons (scores) it
made, with their prompts, questions and results, each pointing at the file's own ids.

The session starts as it does in the chat: the file is locked by another program, so the
store is a read-only copy in memory; the lock goes, another program writes to the file
(so the ids the session used are taken there), and the session is moved."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from tests.core.store.answers import japanese_answer
from tests.core.store.test_comparisons import entries, plan
from tui.core.score.history import comparison_fields, result_fields
from tui.core.store import AnswerParams, AsyncStore, Store, StoredComparison
from tui.core.store.moving import high_water, move_session

PARAMS = AnswerParams(model="m")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Another program in the middle of a long write to ``path``."""
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")


def _exchange(store: Store, conversation_id: int, question: str) -> int:
    """A question and its answer; the answer's id."""
    question_id = store.add_user_message(conversation_id, question)
    return store.save_answer(conversation_id, PARAMS, japanese_answer(), question_id=question_id)


def _score(store: Store, title: str, conversation_id: int | None, answer_id: int | None) -> int:
    """A scored answer made from ``answer_id`` of ``conversation_id``, both results written."""
    fields = comparison_fields(
        plan(),
        method="llama.cpp grammar",
        model="m",
        base_url=None,
        conversation_id=conversation_id,
        source_answer_id=answer_id,
    )
    comparison = store.create_comparison(**fields, title=title)
    for entry in entries():
        store.save_result(comparison, **result_fields(entry))
    return comparison


def _content(stored: StoredComparison) -> tuple[Any, ...]:
    """What a comparison holds, without its ids: run, prompts, questions, every result with
    its answer's text, tokens and raw rows."""
    results = [
        (r.prompt, r.question, r.sample, r.status, r.error, r.method)
        + ((r.answer.text, [t.logprob for t in r.answer.tokens], r.answer.raw) if r.answer else ())
        for r in stored.results
    ]
    run = (stored.title, stored.kind, stored.status, stored.model, stored.settings)
    return run, stored.prompts, stored.questions, results


def _question_of(store: Store, answer_id: int) -> str:
    """The question an answer of the file answers (found through the file's own ids)."""
    row = store._conn.execute(
        "SELECT q.text FROM answers a JOIN messages q ON q.id = a.question_id "
        "WHERE a.message_id = ?",
        (answer_id,),
    ).fetchone()
    return row[0]


async def test_the_scores_a_session_made_in_memory_move_with_it(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with Store.connect(path) as store:
        carried = store.create_conversation()
        carried_answer = _exchange(store, carried, "carried on")
        untouched = store.create_conversation()
        untouched_answer = _exchange(store, untouched, "only scored")
        gone = store.create_conversation()
        gone_answer = _exchange(store, gone, "deleted meanwhile")
        lost = store.create_conversation()
        lost_answer = _exchange(store, lost, "carried on, deleted meanwhile")
        earlier = _score(
            store, "earlier", carried, carried_answer
        )  # the file's own: not copied again
    with _locked(path):
        memory = await AsyncStore.open(path, busy_timeout=0.1)
    assert memory.in_memory and memory.passing  # a read-only copy, as the chat gets it
    mark = await memory.call(high_water)

    def session(store: Store) -> tuple[list[int], dict[str, int]]:
        _exchange(store, carried, "asked in memory")
        _exchange(store, lost, "asked in memory too")
        started = store.create_conversation()
        started_answer = _exchange(store, started, "a new conversation")
        scores = {
            name: _score(store, name, conversation, answer)
            for name, conversation, answer in [
                ("of a new answer", started, started_answer),
                ("of the file's answer", carried, carried_answer),
                ("of a conversation not carried on", untouched, untouched_answer),
                ("of one deleted meanwhile", gone, gone_answer),
                ("of one carried on, deleted meanwhile", lost, lost_answer),
                ("of no conversation", None, None),
            ]
        }
        fields = comparison_fields(plan(), method=None, model="m", base_url=None)
        scores["still running"] = store.create_comparison(**fields, title="still running")
        return [carried, lost, started], scores

    written, scores = await memory.call(session)
    in_memory = {name: await memory.load_comparison(cid) for name, cid in scores.items()}
    with Store.connect(path) as other:  # another program, meanwhile: the session's ids taken
        other.delete_conversation(gone)
        other.delete_conversation(lost)
        _exchange(other, other.create_conversation(), "another program's")
        _score(other, "another program's", None, None)
    opened = await AsyncStore.connect(path)
    try:
        await move_session(memory, opened, written, mark)
    finally:
        await opened.close()
        await memory.close()

    with Store.connect(path) as store:
        stored = [store.load_comparison(s.id) for s in store.list_comparisons()]
        assert len(stored) == 2 + len(scores)  # earlier, another program's, the session's
        by_title = {s.title: s for s in stored}
        assert (by_title["earlier"].id, by_title["another program's"].id) == (earlier, earlier + 1)
        moved = {name: by_title[name] for name in scores}
        for name, comparison in in_memory.items():
            assert _content(moved[name]) == _content(comparison), name
        # Made from answers the move copied: pointing at the copies.
        for name, question in [
            ("of a new answer", "a new conversation"),
            ("of one carried on, deleted meanwhile", "carried on, deleted meanwhile"),
        ]:
            comparison = moved[name]
            assert None not in (comparison.conversation_id, comparison.source_answer_id)
            assert _question_of(store, comparison.source_answer_id) == question
            copied = store.load_conversation(comparison.conversation_id)
            assert copied.messages[0].text == question, name
        for name, conversation, answer in [
            ("of the file's answer", carried, carried_answer),
            ("of a conversation not carried on", untouched, untouched_answer),
            ("of one deleted meanwhile", None, None),  # as deleting it would have left it
            ("of no conversation", None, None),
        ]:
            assert (moved[name].conversation_id, moved[name].source_answer_id) == (
                conversation,
                answer,
            ), name
        still = store._conn.execute(
            "SELECT status, owner_pid FROM comparisons WHERE id = ?",
            (moved["still running"].id,),
        ).fetchone()
        assert still == ("running", os.getpid())  # this process carries on writing it


async def test_siblings_made_in_memory_keep_their_tree_in_the_file(tmp_path: Path) -> None:
    # A regenerated answer made while the file was locked names the answer it follows and
    # the one it was made from by the memory store's ids: moved, they must name the copies
    # (another program took those ids in the file meanwhile).
    from tui.core.resume import conversation_of
    from tui.core.store import Lineage

    path = tmp_path / "history.sqlite3"
    with Store.connect(path):
        pass
    with _locked(path):
        memory = await AsyncStore.open(path, busy_timeout=0.1)
    mark = await memory.call(high_water)

    def session(store: Store) -> list[int]:
        cid = store.create_conversation()
        q1 = store.add_user_message(cid, "first")
        a1 = store.save_answer(cid, PARAMS, japanese_answer(), question_id=q1)
        q2 = store.add_user_message(cid, "second")
        b1 = store.save_answer(
            cid, PARAMS, japanese_answer(), question_id=q2, lineage=Lineage.asked(a1)
        )
        store.save_answer(
            cid,
            PARAMS,
            japanese_answer(),
            question_id=q2,
            lineage=Lineage("regenerate", a1, b1),
        )
        store.select_answer(b1)
        return [cid]

    written = await memory.call(session)
    with Store.connect(path) as other:  # the session's ids taken in the file
        for question in ("x", "y", "z"):
            _exchange(other, other.create_conversation(), question)
    opened = await AsyncStore.connect(path)
    try:
        moved = await move_session(memory, opened, written, mark)
    finally:
        await opened.close()
        await memory.close()
    with Store.connect(path) as store:
        stored = store.load_conversation(moved.conversations[written[0]])
    conversation = conversation_of(stored)
    first, b1, b2 = conversation.turns
    assert conversation.siblings(b2) == [b1, b2] and conversation.parent_of(b2) is first
    assert b2.source is b1 and b2.origin == "regenerate"
    assert conversation.path() == [first, b1]  # selected last, before the move
