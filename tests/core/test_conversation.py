"""Conversation state: turns keep their settings; requests carry the right history."""

from tui.core.answer import AnswerBuilder
from tui.core.conversation import Conversation
from tui.core.settings import Sampling
from tui.core.wire.events import TextDelta


def answered(conversation: Conversation, text: str, status: str = "complete") -> None:
    builder = AnswerBuilder()
    if text:
        builder.apply(TextDelta(text))
    conversation.turns[-1].answer = builder.finish(status)  # type: ignore[arg-type]


def test_a_turn_keeps_the_settings_it_was_asked_with():
    conv = Conversation()
    turn = conv.ask("q", system_prompt="be nice", preset="polite", sampling=Sampling(seed=3))
    assert (turn.system_prompt, turn.preset, turn.sampling.seed) == ("be nice", "polite", 3)
    assert turn.state == "queued"
    turn.live = AnswerBuilder()
    turn.live.apply(TextDelta("par"))
    assert turn.state == "streaming" and turn.answer_text == "par"
    answered(conv, "partial", "stopped")
    assert turn.state == "stopped" and turn.finished


def test_first_request_has_the_system_prompt_and_the_question():
    conv = Conversation()
    conv.ask("Hello?")
    assert conv.messages_for_request("sys") == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "Hello?"},
    ]
    assert conv.messages_for_request("   ") == [{"role": "user", "content": "Hello?"}]


def test_history_includes_answered_and_stopped_turns_and_skips_failed_ones():
    conv = Conversation()
    conv.ask("one")
    answered(conv, "first answer")
    conv.ask("two")
    answered(conv, "", "error")  # failed before any text: left out, question too
    conv.ask("three")
    answered(conv, "part", "stopped")
    conv.ask("four")
    assert conv.messages_for_request("") == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "three"},
        {"role": "assistant", "content": "part"},
        {"role": "user", "content": "four"},
    ]


def test_messages_up_to_an_earlier_turn_stop_there():
    conv = Conversation()
    first = conv.ask("one")
    answered(conv, "a1")
    conv.ask("two")
    assert conv.messages_for_request("", upto=first) == [{"role": "user", "content": "one"}]
    assert conv.answered() == [first]
    assert conv.index_of(first) == 0
