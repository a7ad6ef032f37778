"""A stored conversation becomes the chat's turns and settings again (tui.core.resume)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.store.answers import japanese_answer, reasoning_answer
from tui.core.answer import AnswerBuilder
from tui.core.resume import resumed_settings, sampling_of, server_change, turns_of
from tui.core.settings import Sampling
from tui.core.store import AnswerParams, Conversation, Store

REMOTE = AnswerParams(
    model="gpt-oss-20b",
    base_url="http://gpu-box:8000/v1",
    system_prompt="あなたは親切なAIです。",
    preset="polite",
    temperature=0.2,
    top_logprobs=7,
    max_tokens=300,
    seed=42,
)
BUILT_IN = AnswerParams(model="smollm2", temperature=0.0, top_logprobs=3, max_tokens=64)


@pytest.fixture
def stored(isolated_home: Path) -> Conversation:
    with Store.open() as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "日本の首都は？")
        store.save_answer(cid, BUILT_IN, japanese_answer())
        store.add_user_message(cid, "killed before the request")
        store.add_user_message(cid, "and this one?")
        store.save_answer(cid, REMOTE, reasoning_answer(status="stopped"))
        store.add_user_message(cid, "the last, unanswered")
        return store.load_conversation(cid)


def test_turns_pair_each_question_with_its_answer(stored: Conversation) -> None:
    turns = turns_of(stored)
    assert [t.question for t in turns] == [
        "日本の首都は？",
        "killed before the request",
        "and this one?",
        "the last, unanswered",
    ]
    assert [t.state for t in turns] == ["complete", "incomplete", "stopped", "incomplete"]
    first, _, third, last = turns
    assert first.answer is not None and first.answer.text == japanese_answer().text
    assert len(first.answer.tokens) == len(japanese_answer().tokens)
    assert (first.model, first.preset, first.system_prompt) == ("smollm2", None, "")
    assert first.sampling == Sampling(temperature=0.0, top_logprobs=3, max_tokens=64)
    assert (third.preset, third.system_prompt) == ("polite", "あなたは親切なAIです。")
    assert third.sampling == Sampling(temperature=0.2, top_logprobs=7, max_tokens=300, seed=42)
    assert third.base_url == "http://gpu-box:8000/v1"
    # An unanswered question has an empty answer, never a turn left "waiting".
    assert last.answer is not None and last.answer.text == "" and last.finished


def test_the_next_question_continues_with_the_latest_answers_settings(
    stored: Conversation,
) -> None:
    settings = resumed_settings(
        stored, current=Sampling(), server_url="http://gpu-box:8000", given=()
    )
    assert (settings.system_prompt, settings.preset) == ("あなたは親切なAIです。", "polite")
    assert settings.sampling == Sampling(temperature=0.2, top_logprobs=7, max_tokens=300, seed=42)
    assert settings.model == "gpt-oss-20b"  # same server (with or without /v1)


def test_options_typed_on_the_command_line_win(stored: Conversation) -> None:
    current = Sampling(temperature=1.5, top_logprobs=5, max_tokens=512, seed=None)
    settings = resumed_settings(
        stored,
        current=current,
        server_url="http://gpu-box:8000/v1",
        given={"temperature", "seed", "system", "model"},
    )
    assert settings.sampling == Sampling(temperature=1.5, top_logprobs=7, max_tokens=300)
    assert settings.system_prompt is None and settings.preset is None  # keep this run's
    assert settings.model is None


@pytest.mark.parametrize("server", [None, "http://other-box:8000/v1"])
def test_the_model_is_kept_only_for_the_same_remote_server(
    stored: Conversation, server: str | None
) -> None:
    assert resumed_settings(stored, current=Sampling(), server_url=server).model is None


def test_a_conversation_without_answers_changes_nothing(isolated_home: Path) -> None:
    with Store.open() as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "q")
        conversation = store.load_conversation(cid)
    settings = resumed_settings(conversation, current=Sampling(), server_url=None)
    assert settings == type(settings)()
    assert [t.state for t in turns_of(conversation)] == ["incomplete"]


def test_missing_or_invalid_stored_sampling_falls_back_to_the_current_values() -> None:
    current = Sampling(temperature=0.9, top_logprobs=4, max_tokens=100, seed=7)
    partial = AnswerParams(temperature=0.1)  # an `ask` from a version that stored less
    assert sampling_of(partial, current) == Sampling(temperature=0.1, top_logprobs=4,
                                                     max_tokens=100, seed=None)  # fmt: skip
    broken = AnswerParams(temperature=9.0, top_logprobs=5, max_tokens=10)
    assert sampling_of(broken, current) == current


def test_an_answer_without_a_question_keeps_its_place(isolated_home: Path) -> None:
    with Store.open() as store:
        cid = store.create_conversation()
        qid = store.add_user_message(cid, "once")
        store.save_answer(cid, BUILT_IN, AnswerBuilder().finish("complete"), question_id=qid)
        store.save_answer(cid, BUILT_IN, AnswerBuilder().finish("error", "503"), question_id=qid)
        conversation = store.load_conversation(cid)
    assert [(t.question, t.state) for t in turns_of(conversation)] == [
        ("once", "complete"),
        ("once", "error"),
    ]


def test_a_conversation_is_carried_on_only_with_its_own_server(stored: Conversation) -> None:
    # Its latest answer came from http://gpu-box:8000/v1.
    assert server_change(stored, "http://gpu-box:8000") is None  # the same API root
    assert server_change(stored, "http://gpu-box:8000/v1/") is None
    other = server_change(stored, "https://api.example.com/v1")
    assert other is not None and "\n" not in other
    assert other.startswith("“日本の首都は？” was a conversation with http://gpu-box:8000/v1; ")
    assert "this run uses https://api.example.com/v1: started a new conversation" in other
    assert "--base-url http://gpu-box:8000/v1 carries it on" in other
    built_in = server_change(stored, None)
    assert built_in is not None and "this run uses the built-in model" in built_in
    stored.messages = stored.messages[:2]  # now its latest answer is the built-in model's
    assert server_change(stored, None) is None
    remote = server_change(stored, "http://gpu-box:8000")
    assert remote is not None and "was a conversation with the built-in model" in remote
    assert "starting without --base-url carries it on" in remote
