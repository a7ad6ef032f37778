"""The pane's words: the stats title per state, the headline (coverage whenever it is below
100 %, one token number), and the hints that say where every number is."""

from __future__ import annotations

import math

from tui.app.text.pane import AnswerState, headline, pane_hint, shown_key, stats_of
from tui.core.answer import Answer, AnswerBuilder
from tui.core.wire.events import TextDelta
from tui.core.wire.records import TokenRecord


def _answer(probs, completion=None, finish="stop", status="complete") -> Answer:
    tokens = [
        TokenRecord(i, "answer", f"t{i}", f"t{i}", None, math.log(p)) for i, p in enumerate(probs)
    ]
    usage = {"completion_tokens": completion or len(probs)}
    return Answer(tokens=tokens, usage=usage, finish_reason=finish, status=status, text="x")


def test_the_stats_title_says_how_the_answer_ended():
    state = AnswerState("Answer", 2, answer=_answer([0.5], finish="length"), max_tokens=1)
    title, rows = stats_of(state)
    assert title == "Answer #2 · cut: max_tokens"
    assert dict(rows)["Finish"] == "cut: max_tokens (length)"
    recovering = AnswerState("Answer", 2, answer=_answer([0.5]), recovering="recovering 3…")
    assert stats_of(recovering)[0] == "Answer #2 · recovering 3…"
    assert stats_of(AnswerState("Sample", 3))[0] == "Sample #3 · waiting for the model"
    assert stats_of(AnswerState("Answer", 1, live=AnswerBuilder()))[0] == (
        "Answer #1 · reading the prompt…"  # nothing has come yet
    )
    assert stats_of(AnswerState("Answer", 1, live=_streaming()))[0] == "Answer #1 · streaming"


def test_the_headline_carries_coverage_and_the_lowest_token_by_its_number():
    answer = _answer([0.9, 0.05, 0.8], completion=5)
    line = headline(AnswerState("Answer", 1, answer=answer))
    assert line.startswith("Answer #1 · ✓ complete · covers 3 of 5 tokens · 3 tokens · mean p")
    assert "min p 5.00% at #2" in line and "1 below 0.1" in line and "PPL " in line
    full = headline(AnswerState("Answer", 1, answer=_answer([0.9, 0.8])))
    assert "covers" not in full
    assert headline(None) == "No answer yet: ask a question."


def test_the_headline_while_streaming_waiting_and_recovering():
    live = headline(AnswerState("Answer", 4, live=_streaming(), alive=7))
    assert live.startswith("Answer #4 · … streaming · 0 tokens")
    assert live.endswith(" · server alive, no tokens for 7 s (ctrl+c stops)")
    # Keep-alives before any token: a server reading a long prompt.
    reading = headline(AnswerState("Answer", 4, live=AnswerBuilder(), alive=7))
    assert reading == (
        "Answer #4 · … reading the prompt… · server alive, no tokens for 7 s (ctrl+c stops)"
    )
    assert headline(AnswerState("Answer", 4)) == "Answer #4 · … waiting for the model"
    state = AnswerState("Answer", 4, answer=_answer([0.5], 2), recovering="recovering 1… 0/1")
    assert headline(state).startswith("Answer #4 · ⟳ recovering 1… 0/1 · covers 1 of 2 tokens")
    empty = Answer(status="complete", text="hi")
    assert headline(AnswerState("Answer", 1, answer=empty)).endswith("no logprobs returned")


def test_hints_name_the_keys_as_bound():
    assert pane_hint("compact") == "F4 every number · t token cursor · F5 heatmap"
    assert pane_hint("compact", {"toggle_pane": "F10"}).startswith("F10 every number")
    assert "F4 back to the chat" in pane_hint("large")
    assert pane_hint("wide").endswith("F4 hide") and len(pane_hint("wide")) <= 46
    assert len(pane_hint("large")) <= 78  # one line of an 80-column terminal
    assert shown_key("f4") == "F4" and shown_key("t") == "t" and shown_key("ctrl+l") == "ctrl+l"


def _streaming() -> AnswerBuilder:
    """A builder some text has come to (no logprob rows yet)."""
    builder = AnswerBuilder()
    builder.apply(TextDelta("Hi"))
    return builder
