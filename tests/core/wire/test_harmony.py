"""The harmony channel state machine, token by token (the recorded streams are in
test_recorded.py): framing, headers split over tokens, missing framing."""

from __future__ import annotations

from tui.core.wire.harmony import ChannelTracker


def scopes(tokens: list[str]) -> list[str | None]:
    tracker = ChannelTracker()
    return [tracker.scope_of(token) for token in tokens]


def test_channels_give_the_scope_of_their_bodies_and_framing_is_other():
    tokens = ["<|channel|>", "analysis", "<|message|>", "Think", "<|end|>", "<|start|>",
              "assistant", "<|channel|>", "final", "<|message|>", "Hi", "<|return|>"]  # fmt: skip
    assert scopes(tokens) == ["other"] * 3 + ["reasoning"] + ["other"] * 6 + ["answer", "other"]


def test_a_tool_call_header_split_over_tokens_is_other_and_so_is_its_body():
    header = ["comment", "ary", " to", "=", "functions", ".get", "<|constrain|>", "json"]
    body = ['{"', "x", '"}']
    tokens = ["<|start|>", "assistant", "<|channel|>", *header, "<|message|>", *body, "<|call|>"]
    assert set(scopes(tokens)) == {"other"}


def test_text_after_a_channel_without_message_follows_that_channel_or_the_delta():
    # A channel name then text (framing left out): the text is that channel's body.
    assert scopes(["<|channel|>", "analysis", "User", " asks"]) == [
        "other", "other", "reasoning", "reasoning"
    ]  # fmt: skip
    # No channel name at all: unknown (None), the delta it came with decides.
    assert scopes(["<|channel|>", "User"]) == ["other", None]
    # Before any framing, text is of no known channel either.
    assert scopes(["Hello"]) == [None]


def test_text_between_messages_is_other():
    assert scopes(["<|channel|>", "final", "<|message|>", "A", "<|end|>", "stray"]) == [
        "other", "other", "other", "answer", "other", "other"
    ]  # fmt: skip
