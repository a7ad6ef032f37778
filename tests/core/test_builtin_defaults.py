"""The built-in model's demo defaults: only for what the person did not choose, sent as
llama.cpp's repetition penalty over the whole context (issue 15 item 6)."""

from __future__ import annotations

import pytest

from tui.core.builtin_defaults import (
    BUILTIN_MAX_TOKENS,
    BUILTIN_MODEL_NOTE,
    BUILTIN_REPEAT_PENALTY,
    builtin_sampling,
)
from tui.core.errors import ConfigError
from tui.core.settings import Sampling
from tui.core.wire.request import ChatRequest


def test_defaults_fill_what_was_not_chosen():
    sampling = builtin_sampling(Sampling(temperature=0.2))
    assert (sampling.max_tokens, sampling.repeat_penalty) == (
        BUILTIN_MAX_TOKENS,
        BUILTIN_REPEAT_PENALTY,
    )
    assert sampling.temperature == 0.2
    chosen = builtin_sampling(Sampling(max_tokens=40, repeat_penalty=1.0), {"max_tokens"})
    assert (chosen.max_tokens, chosen.repeat_penalty) == (40, 1.0)


def test_the_penalty_is_sent_only_when_set():
    plain = ChatRequest([], "m", Sampling()).payload()
    assert "repeat_penalty" not in plain and "repeat_last_n" not in plain
    body = ChatRequest([], "m", builtin_sampling(Sampling())).payload()
    assert body["repeat_penalty"] == BUILTIN_REPEAT_PENALTY == 1.1
    assert "repeat_last_n" not in body  # llama.cpp's window (a wider one kept it from ending)
    assert body["max_tokens"] == BUILTIN_MAX_TOKENS == 200


@pytest.mark.parametrize("value", [0.5, 2.5, float("nan"), True, "1.2"])
def test_a_bad_penalty_is_one_message(value):
    with pytest.raises(ConfigError, match="repeat_penalty must be"):
        Sampling(repeat_penalty=value)


def test_the_welcome_words_name_the_model_and_the_defaults():
    assert "SmolLM2-135M" in BUILTIN_MODEL_NOTE and "demo" in BUILTIN_MODEL_NOTE
    assert f"max_tokens {BUILTIN_MAX_TOKENS}" in BUILTIN_MODEL_NOTE
    assert "--base-url" in BUILTIN_MODEL_NOTE
