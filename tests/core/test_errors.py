"""Recognising a server's "the conversation no longer fits" answer, in each server's words."""

from __future__ import annotations

import pytest

from tui.core.errors import (
    HTTPStatusError,
    ServerReportedError,
    context_full_message,
    is_context_full,
)


@pytest.mark.parametrize(
    "exc",
    [
        # llama.cpp (seen with the built-in model after a few long answers)
        HTTPStatusError(
            400,
            "request (2064 tokens) exceeds the available context size (2048 tokens), "
            "try increasing it",
        ),
        # vLLM and OpenAI
        HTTPStatusError(
            400,
            "This model's maximum context length is 8192 tokens. However, you requested "
            "9000 tokens (8488 in the messages, 512 in the completion).",
        ),
        ServerReportedError("context_length_exceeded: Your input exceeds the context window"),
    ],
)
def test_context_full_is_recognised_in_each_server_s_words(exc):
    assert is_context_full(exc)


@pytest.mark.parametrize(
    "exc",
    [
        HTTPStatusError(400, "top_logprobs must be between 0 and 20"),
        HTTPStatusError(500, "the GPU caught fire"),
        ValueError("maximum context length"),  # not a server's answer
    ],
)
def test_other_errors_are_not_taken_for_a_full_context(exc):
    assert not is_context_full(exc)


LLAMA_FULL = HTTPStatusError(
    400, "request (2514 tokens) exceeds the available context size (2048 tokens), try increasing it"
)


def test_a_full_context_on_the_built_in_model_drops_the_advice_nobody_can_follow():
    text = context_full_message(LLAMA_FULL, "start a new one", built_in=True)
    assert text == (
        "HTTP 400 Bad Request: request (2514 tokens) exceeds the available context size "
        "(2048 tokens) — the conversation no longer fits the model's context: start a new one"
    )
    # A remote server's operator can enlarge its context: its words stay whole.
    remote = context_full_message(LLAMA_FULL, "shorten it", built_in=False, what="question")
    assert remote.startswith(str(LLAMA_FULL) + " — the question no longer fits")
