"""Conversation state: turns keep their settings; requests carry the right history, along the
selected path of siblings (regenerated, edited, branched)."""

from tests.support.fixtures import body
from tui.core.answer import AnswerBuilder
from tui.core.branch import plan_branch
from tui.core.conversation import Conversation, Turn
from tui.core.settings import Sampling
from tui.core.wire.chunks import response_events
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


# ------------------------------------------------------------------ siblings


def finish(turn, text: str) -> None:
    builder = turn.new_builder()
    builder.apply(TextDelta(text))
    turn.answer = builder.finish("complete")


def test_a_plain_list_of_turns_is_one_path() -> None:
    turns = [Turn("one"), Turn("two"), Turn("three")]
    conv = Conversation(turns)
    assert conv.path() == turns and conv.last is turns[-1]
    assert conv.parent_of(turns[1]) is turns[0] and conv.parent_of(turns[0]) is None
    assert conv.sibling_position(turns[2]) == (1, 1)


def test_regenerate_edit_and_branch_are_siblings_and_the_new_one_is_selected() -> None:
    conv = Conversation()
    first = conv.ask("Capital of Japan?", system_prompt="terse", sampling=Sampling(seed=1))
    finish(first, "Tokyo.")
    second = conv.ask("And of France?")
    finish(second, "Paris.")
    again = conv.regenerate(second)
    assert (again.question, again.origin, again.source) == ("And of France?", "regenerate", second)
    assert conv.siblings(second) == [second, again]
    assert conv.sibling_position(again) == (2, 2) and conv.path() == [first, again]
    edited = conv.edit(second, "And of Italy?", sampling=Sampling(temperature=0.0))
    assert edited.origin == "edit" and edited.sampling.temperature == 0.0
    assert edited.system_prompt == second.system_prompt  # the rest as the source had it
    assert conv.sibling_position(edited) == (3, 3) and conv.last is edited
    # Selecting an earlier sibling puts the path back through it.
    assert conv.select(second) == [first, second]
    assert conv.messages_for_request("sys", upto=edited) == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "Capital of Japan?"},
        {"role": "assistant", "content": "Tokyo."},
        {"role": "user", "content": "And of Italy?"},
    ]


def test_later_questions_follow_the_selected_sibling() -> None:
    conv = Conversation()
    first = conv.ask("one")
    finish(first, "a")
    other = conv.regenerate(first)
    finish(other, "b")
    after_other = conv.ask("two")  # the path ends at `other`: the new question follows it
    assert conv.parent_of(after_other) is other
    assert conv.messages_for_request("") == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "two"},
    ]
    conv.select(first)
    assert conv.path() == [first]  # `two` went with `other`
    after_first = conv.ask("three")
    assert conv.path() == [first, after_first]
    assert conv.select(after_other) == [other, after_other]


def test_a_branch_sends_its_start_and_builds_on_its_records() -> None:
    conv = Conversation()
    turn = conv.ask("Colours?", sampling=Sampling(temperature=0.0, top_logprobs=3))
    turn.model = "m"
    builder = turn.new_builder()
    for event in response_events(body("llamacpp/chat_nonstream_english.json"), 5):
        builder.apply(event)
    turn.answer = builder.finish("complete")
    plan = plan_branch(turn.answer, 2, " Blue")
    sibling = conv.branch(turn, plan)
    assert (sibling.origin, sibling.point, sibling.source) == ("branch", plan.point, turn)
    request = conv.request_for(sibling, stream=False)
    assert request.prefill == "1. Blue" and request.model == "m" and not request.stream
    assert request.messages == [{"role": "user", "content": "Colours?"}]
    assert request.payload()["messages"][-1] == {"role": "assistant", "content": "1. Blue"}
    live = sibling.new_builder()
    live.apply(TextDelta("\n2"))
    assert live.text == "1. Blue\n2" and len(live.answer.tokens) == 3
    sibling.answer = live.finish("complete")
    # Regenerating a branch: a new continuation from the same start (rebuilt from the answer).
    again = conv.regenerate(sibling)
    assert again.prefill is not None and again.prefill.text == "1. Blue"
    assert again.prefill.records == tuple(sibling.answer.tokens[:3])
    assert conv.sibling_position(again) == (3, 3)
    assert conv.regenerate(turn).prefill is None  # an asked answer regenerated: no start
