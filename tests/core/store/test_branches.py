"""Siblings and branches in the history: written with their place and divergence, read back
after a restart and a kill -9 as the same tree with the same sibling selected, older files
read as one path and take siblings from then on, and every export says which branch each
answer and each token row belongs to."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from tests.core.store.answers import japanese_answer
from tests.support.fixtures import body
from tui.core.answer import Answer, AnswerBuilder
from tui.core.branch import BranchPoint, branch_answer, plan_branch
from tui.core.conversation import Conversation
from tui.core.export import export_conversation
from tui.core.resume import conversation_of, turns_of
from tui.core.store import AnswerParams, Lineage, Store
from tui.core.store.lineage import lineage_for
from tui.core.store.schema import SCHEMA_VERSION, migrate, user_version
from tui.core.wire.chunks import response_events
from tui.core.wire.events import Finished, TextDelta, TokensReceived, UsageReported
from tui.core.wire.records import TokenRecord

ROOT = Path(__file__).resolve().parents[3]
V2_FILE = Path(__file__).parent / "fixtures" / "history-v2.sqlite3"
PARAMS = AnswerParams(model="m", temperature=0.7, top_logprobs=5, max_tokens=64)


def colours() -> Answer:
    builder = AnswerBuilder()
    for event in response_events(body("llamacpp/chat_nonstream_english.json"), 5):
        builder.apply(event)
    return builder.finish("complete")


def blue_branch(parent: Answer) -> Answer:
    rows = [TokenRecord(0, "answer", "\n", "\n", b"\n", -0.4, id=198)]
    events = [
        TextDelta("\n"),
        TokensReceived(rows, [{"token": "\n", "logprob": -0.4}]),
        UsageReported({"completion_tokens": 1}),
        Finished("stop"),
    ]
    return branch_answer(parent, 2, " Blue", events)


def save_tree(store: Store) -> dict[str, int]:
    """first question → A; second → B, B regenerated (B2), B branched at token #3 (B3),
    B's question edited (B4); B3 selected last."""
    cid = store.create_conversation()
    ids: dict[str, int] = {"conversation": cid}
    store.add_user_message(cid, "Capital of Japan?")
    ids["A"] = store.save_answer(cid, PARAMS, japanese_answer(), lineage=Lineage.asked())
    ids["q2"] = store.add_user_message(cid, "Three colours?")
    parent = colours()
    ids["B"] = store.save_answer(cid, PARAMS, parent, lineage=Lineage.asked(ids["A"]))
    ids["B2"] = store.save_answer(
        cid,
        PARAMS,
        colours(),
        question_id=ids["q2"],
        lineage=Lineage("regenerate", ids["A"], ids["B"]),
    )
    branch = blue_branch(parent)
    point = plan_branch(parent, 2, " Blue").point
    ids["B3"] = store.save_answer(
        cid,
        PARAMS,
        branch,
        question_id=ids["q2"],
        lineage=Lineage("branch", ids["A"], ids["B"], point),
    )
    store.add_user_message(cid, "Four colours?")
    ids["B4"] = store.save_answer(
        cid, PARAMS, colours(), lineage=Lineage("edit", ids["A"], ids["B"])
    )
    store.select_answer(ids["B3"])
    return ids


def test_siblings_and_a_branch_come_back_after_a_restart(db_path: Path) -> None:
    with Store.open(db_path) as store:
        ids = save_tree(store)
    with Store.open(db_path) as store:
        stored = store.load_conversation(ids["conversation"], lazy=True)
    conversation = conversation_of(stored)
    first, b, b2, b3, b4 = conversation.turns
    assert [t.stored_id for t in conversation.turns] == [
        ids[k] for k in ("A", "B", "B2", "B3", "B4")
    ]
    assert conversation.path() == [first, b3]  # the one selected last
    assert conversation.siblings(b3) == [b, b2, b3, b4]
    assert conversation.sibling_position(b3) == (3, 4)
    assert [t.origin for t in (b, b2, b3, b4)] == ["ask", "regenerate", "branch", "edit"]
    assert b2.question == b3.question == "Three colours?" and b4.question == "Four colours?"
    assert b3.source is b and b3.point == BranchPoint(
        2, " Blue", False, b3.answer.tokens[2].logprob, " Red", b.answer.tokens[2].logprob
    )
    branch = b3.answer
    expected = blue_branch(colours())
    assert branch.text == "1. Blue\n" and branch.prefill == "1. Blue"
    assert branch.prefill_tokens == 3 and branch.tokens == expected.tokens
    assert branch.metrics == expected.metrics and branch.new_metrics == expected.new_metrics
    # What the next question is sent with: the selected path.
    assert stored.chat_messages() == [
        {"role": "user", "content": "Capital of Japan?"},
        {"role": "assistant", "content": japanese_answer().text},
        {"role": "user", "content": "Three colours?"},
        {"role": "assistant", "content": "1. Blue\n"},
    ]
    assert [t.stored_id for t in turns_of(stored)] == [ids["A"], ids["B3"]]


def test_selecting_another_sibling_is_kept(db_path: Path) -> None:
    with Store.open(db_path) as store:
        ids = save_tree(store)
        store.select_answer(ids["B2"])
    with Store.open(db_path) as store:
        stored = store.load_conversation(ids["conversation"])
    assert [t.stored_id for t in turns_of(stored)] == [ids["A"], ids["B2"]]


def test_every_export_says_which_branch_an_answer_and_a_row_belong_to(store: Store) -> None:
    ids = save_tree(store)
    stored = store.load_conversation(ids["conversation"])
    document = json.loads(export_conversation(stored, "json"))
    trees = {m["id"]: m["answer"]["tree"] for m in document["messages"] if "answer" in m}
    assert trees[ids["A"]]["origin"] == "ask" and trees[ids["A"]]["follows_id"] is None
    branch = trees[ids["B3"]]
    assert (branch["origin"], branch["follows_id"], branch["source_id"]) == (
        "branch",
        ids["A"],
        ids["B"],
    )
    assert (branch["sibling"], branch["siblings"], branch["on_path"], branch["turn"]) == (
        3,
        4,
        True,
        2,
    )
    assert branch["branch"]["token_number"] == 3 and branch["branch"]["choice"] == " Blue"
    assert trees[ids["B"]]["on_path"] is False and trees[ids["B"]]["selected"] is False
    answers = {m["id"]: m["answer"] for m in document["messages"] if "answer" in m}
    assert answers[ids["B3"]]["prefill"] == {"text": "1. Blue", "tokens": 3}
    assert answers[ids["B3"]]["new_metrics"]["tokens"] == 1
    assert answers[ids["B"]]["prefill"] is None and answers[ids["B"]]["new_metrics"] is None

    lines = [json.loads(line) for line in export_conversation(stored, "jsonl").splitlines()]
    assert [line["tree"]["origin"] for line in lines] == [
        "ask",
        "ask",
        "regenerate",
        "branch",
        "edit",
    ]
    assert lines[3]["question"] == "Three colours?"

    rows = list(csv.DictReader(io.StringIO(export_conversation(stored, "csv"))))
    mine = [r for r in rows if r["message_id"] == str(ids["B3"])]
    assert {(r["origin"], r["follows_id"], r["source_id"], r["sibling"]) for r in mine} == {
        ("branch", str(ids["A"]), str(ids["B"]), "3/4")
    }
    assert [r["prefill"] for r in mine] == ["1", "1", "1", "0"]  # prefix, chosen, then new
    assert {r["on_path"] for r in rows if r["message_id"] == str(ids["B"])} == {"0"}

    markdown = export_conversation(stored, "md")
    assert (
        "*Sibling 3/4 of question 2 · branch of answer 2 at token \\#3: “ Blue” (15.6%) instead "
        "of “ Red” (30.5%) · on the selected path*"
    ) in markdown
    assert (
        "*Sibling 4/4 of question 2 · edited from answer 2 · not on the selected path*" in markdown
    )


def test_an_older_file_reads_as_one_path_and_takes_siblings(db_path: Path) -> None:
    """A version-5 file (the version-2 fixture brought to 5: comparisons, sources, no branch)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(V2_FILE, db_path)
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        migrate(conn, 5)
    with Store.open(db_path) as store:
        (summary,) = store.list_conversations()
        before = store.load_conversation(summary.id)
        first, second = before.answers
        turns = conversation_of(before)
        assert turns.path() == turns.turns and len(turns.turns) == 2  # one path
        assert turns.sibling_position(turns.turns[1]) == (1, 1)
        store.save_answer(
            summary.id,
            PARAMS,
            japanese_answer(),
            question_id=second.question_id,
            lineage=Lineage("regenerate", first.id, second.id),
        )
        after = store.load_conversation(summary.id)
    with closing(sqlite3.connect(db_path)) as conn:
        assert user_version(conn) == SCHEMA_VERSION == 6
    tree = conversation_of(after)
    old_first, old_second, new = tree.turns
    assert tree.path() == [old_first, new] and tree.siblings(new) == [old_second, new]
    assert new.origin == "regenerate" and new.source is old_second
    assert old_second.origin == "ask"  # written before siblings: asked, following the first


def test_a_branch_killed_while_streaming_comes_back_incomplete_in_its_place(
    isolated_home: Path,
) -> None:
    db = isolated_home / "data" / "history.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.core.store.branch_child", str(db)],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "checkpointed", child.stderr.read() if child.stderr else ""
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    with Store.open(db) as store:
        (summary,) = store.list_conversations()
        stored = store.load_conversation(summary.id)
        assert store.recovered == [stored.answers[1].id]
    tree = conversation_of(stored)
    parent, branch = tree.turns
    assert tree.siblings(branch) == [parent, branch] and tree.path() == [branch]
    answer = branch.answer
    assert answer is not None and answer.status == "incomplete"
    assert answer.prefill == "1. Blue" and answer.prefill_tokens == 3
    assert answer.tokens[:3] == blue_branch(colours()).tokens[:3]
    assert [t.text for t in answer.tokens[3:]] == ["\n", "2"]  # what was checkpointed
    assert branch.point is not None and branch.point.choice == " Blue"
    assert answer.text == "1. Blue\n2"


def test_the_chats_tree_written_as_it_grows_reopens_the_same(store: Store) -> None:
    """What a front end does: each turn's answer written with ``lineage_for`` (its id back
    on the turn), a selection written when made; the reopened tree is the same."""
    chat = Conversation()
    cid = store.create_conversation()

    def write(turn, answer: Answer) -> None:
        turn.answer = answer
        if turn.origin in ("regenerate", "branch"):  # the same question: no new message
            question = _question_of(store, cid, turn)
        else:
            question = store.add_user_message(cid, turn.question)
        lineage = lineage_for(chat, turn)
        turn.stored_id = store.save_answer(
            cid, PARAMS, answer, question_id=question, lineage=lineage
        )

    first = chat.ask("Three colours?")
    write(first, colours())
    plan = plan_branch(first.answer, 2, " Blue")
    branch = chat.branch(first, plan)
    write(branch, blue_branch(first.answer))
    later = chat.ask("Why?")  # after the branch: the path ends there
    write(later, japanese_answer())
    again = chat.regenerate(first)
    write(again, colours())
    chat.select(branch)
    store.select_answer(branch.stored_id or 0)

    reopened = conversation_of(store.load_conversation(cid))
    assert [t.stored_id for t in reopened.path()] == [t.stored_id for t in chat.path()]
    assert [t.stored_id for t in reopened.path()] == [branch.stored_id, later.stored_id]
    for mine, theirs in zip(chat.turns, reopened.turns, strict=True):
        assert (mine.stored_id, mine.origin, mine.point) == (
            theirs.stored_id,
            theirs.origin,
            theirs.point,
        )
        assert chat.sibling_position(mine) == reopened.sibling_position(theirs)
        assert (theirs.source.stored_id if theirs.source else None) == (
            mine.source.stored_id if mine.source else None
        )


def _question_of(store: Store, cid: int, turn) -> int:
    """The stored question a sibling with the same question answers (the latest such)."""
    stored = store.load_conversation(cid)
    return next(
        m.id for m in reversed(stored.messages) if m.role == "user" and m.text == turn.question
    )
