"""Every server's shapes (part 2 of the reference) through the stream normaliser and the
whole-reply path, checked against values worked out here from the fixture numbers."""

from __future__ import annotations

import math

import pytest

from tests.support import fixtures
from tui.core.answer import Answer, AnswerBuilder
from tui.core.errors import ServerReportedError
from tui.core.wire.chunks import (
    StreamNormaliser,
    response_events,
)
from tui.core.wire.error_bodies import error_message, text_error_message
from tui.core.wire.events import (
    Finished,
    Notice,
    ReasoningDelta,
    ResponseStarted,
    TextDelta,
    TokensReceived,
    UsageReported,
)
from tui.core.wire.values import NOTE_FROM_PROBABILITY, NOTE_NON_FINITE, NOTE_SENTINEL

approx = pytest.approx


def stream_events(name: str, top: int = 5) -> list:
    normaliser = StreamNormaliser(top)
    events = []
    for chunk in fixtures.sse_chunks(name):
        events += normaliser.feed(chunk)
    return events + normaliser.close()


def collect(events) -> Answer:
    builder = AnswerBuilder()
    for event in events:
        builder.apply(event)
    return builder.finish("complete")


def from_stream(name: str, top: int = 5) -> Answer:
    return collect(stream_events(name, top))


def from_whole(name: str, top: int = 5) -> Answer:
    return collect(response_events(fixtures.body(name), top))


def scopes(answer: Answer) -> list[str]:
    return [t.scope for t in answer.tokens]


def texts(answer: Answer) -> list[str]:
    return [t.text for t in answer.tokens]


def raw_rows(name: str) -> list[dict]:
    return fixtures.body(name)["choices"][0]["logprobs"]["content"]


# ------------------------------------------------------------------ OpenAI (§2.1)

BLUE_HEART = [-0.09048584, 0.0, -0.023958502, -6.2729996e-06]


@pytest.mark.parametrize(
    "answer_of",
    [
        lambda: from_whole("openai/chat_nonstream_blue_heart.json"),
        lambda: from_whole("openai/chat_nonstream_escapes_no_bytes.json"),
        lambda: from_stream("openai/chat_stream_blue_heart.sse"),
    ],
    ids=["whole", "whole-bytes-null", "stream"],
)
def test_openai_blue_heart_shows_the_emoji_once(answer_of):
    answer = answer_of()
    assert answer.text == "💙 Blue Heart"
    # F0 9F 92 + 99: the first row shows nothing, the second the whole emoji.
    assert texts(answer) == ["", "💙", " Blue", " Heart"]
    assert "".join(texts(answer)) == answer.text
    assert answer.tokens[0].bytes == bytes([240, 159, 146])
    assert [t.logprob for t in answer.tokens] == BLUE_HEART
    m = answer.metrics
    s = -0.09048584 + 0.0 + -0.023958502 + -6.2729996e-06
    assert (m.tokens, m.unknown) == (4, 0)
    assert m.sum_logprob == approx(s)
    assert m.mean_logprob == approx(s / 4)
    assert m.mean_prob == approx(math.exp(s / 4))
    assert m.joint_prob == approx(math.exp(s))
    assert m.min_prob == approx(math.exp(-0.09048584))
    assert m.min_prob_index == 0
    assert m.coverage == approx(4 / 4)


def test_openai_stream_holds_the_partial_row_until_its_character_arrives():
    events = stream_events("openai/chat_stream_blue_heart.sse")
    batches = [[t.index for t in e.tokens] for e in events if type(e) is TokensReceived]
    assert batches == [[0, 1], [2], [3]]  # row 0 came with content "" and waited
    usage = [e.usage for e in events if type(e) is UsageReported]
    assert usage == [{"prompt_tokens": 14, "completion_tokens": 4, "total_tokens": 18}]
    assert type(events[0]) is ResponseStarted and events[0].model == "gpt-4o-mini-2024-07-18"


def test_openai_stream_example():
    answer = from_stream("openai/chat_stream_hello.sse")
    assert answer.text == "Hello" and answer.finish_reason == "stop"
    (row,) = answer.tokens
    assert row.logprob == -0.0008963357
    assert [(a.token, a.logprob) for a in row.alternatives()] == [
        ("Hello", -0.0008963357),
        ("Hi", -7.12),
    ]
    assert row.residual_mass == approx(1 - (math.exp(-0.0008963357) + math.exp(-7.12)))
    assert answer.metrics.coverage == approx(1 / 1)


def test_openai_legacy_completions_rows():
    answer = from_whole("openai/completions_legacy.json")
    assert answer.text == "\n\nBonjour, monde !"
    assert texts(answer) == ["\n\n", "Bonjour", ",", " monde", " !"]
    s = -0.16840062 + -0.5103194 + -0.010852911 + -0.19059794 + -0.48192957
    assert answer.metrics.sum_logprob == approx(s)
    assert answer.metrics.min_prob_index == 1  # "Bonjour", -0.51
    assert answer.metrics.mean_entropy is None  # top_logprobs null


# ------------------------------------------------------------------ vLLM (§2.2)


def test_vllm_gptoss_whole_reply_splits_reasoning_from_answer():
    answer = from_whole("vllm/gptoss_nonstream_both_fields.json")
    assert answer.reasoning == "User asks capital of Japan…"  # both fields: not doubled
    assert answer.text == "東京です。"
    assert scopes(answer) == ["other", "other", "reasoning"] + ["answer"] * 4
    # The two U+FFFD rows stand for です: shown once, on the second.
    assert texts(answer)[3:] == ["東京", "", "です", "。"]
    m = answer.metrics
    s = -0.021 + -0.52 + -0.0003 + -0.04
    assert (m.tokens, m.sum_logprob) == (4, approx(s))
    assert m.min_prob == approx(math.exp(-0.52)) and m.min_prob_index == 4
    assert m.coverage == approx(7 / 57)  # rows of every scope / completion_tokens
    r = answer.reasoning_metrics
    assert (r.tokens, r.sum_logprob) == (1, approx(-0.35))
    assert answer.notices == []


def test_vllm_gptoss_whole_reply_with_full_harmony_framing():
    answer = from_whole("vllm/gptoss_nonstream_full_harmony.json")
    expected = ["other"] * 3 + ["reasoning"] * 4 + ["other"] * 6 + ["answer"] * 4 + ["other"]
    assert scopes(answer) == expected
    assert answer.reasoning_metrics.sum_logprob == approx(-0.35 + -0.8 + -1.2 + -0.3)
    assert answer.metrics.sum_logprob == approx(-0.021 + -0.52 + -0.0003 + -0.04)
    assert answer.metrics.coverage == approx(18 / 18)
    # "User" has an unsorted top list: sorted on read.
    user = answer.tokens[3]
    assert [a.token for a in user.alternatives()] == ["User", "The"]


def test_vllm_gptoss_stream_example():
    answer = from_stream("vllm/gptoss_stream.sse")
    assert answer.reasoning == "User" and answer.text == "東京です。"
    assert scopes(answer) == ["other", "reasoning", "answer", "answer", "answer"]
    assert texts(answer)[2:] == ["東京", "です", "。"]
    assert answer.metrics.sum_logprob == approx(-0.021 + -0.1 + -0.04)
    assert answer.metrics.coverage == approx(5 / 57)
    assert answer.usage["completion_tokens_details"] == {"reasoning_tokens": 44}


def test_vllm_stream_with_held_framing_rows_and_lost_bytes():
    events = stream_events("vllm/gptoss_stream_held_rows.sse")
    answer = collect(events)
    assert answer.reasoning == "User asks."  # `reasoning` and `reasoning_content`: once
    assert answer.text == "東京です。"
    expected = ["other"] * 3 + ["reasoning"] * 3 + ["other"] * 6 + ["answer"] * 5 + ["other"]
    assert scopes(answer) == expected
    assert texts(answer)[12:17] == ["東京", "", "で", "す", "。"]
    # Every row exactly once, in order, across the events.
    indices = [t.index for e in events if type(e) is TokensReceived for t in e.tokens]
    assert indices == list(range(18))
    # The three framing rows of the first empty delta waited for the "User" delta.
    first = next(e for e in events if type(e) is TokensReceived)
    assert [t.token for t in first.tokens] == ["<|channel|>", "analysis", "<|message|>", "User"]
    m = answer.metrics
    assert m.sum_logprob == approx(-0.021 + -0.52 + -0.0003 + -0.1 + -0.04)
    assert m.coverage == approx(18 / 18)


def test_vllm_odd_values():
    answer = from_whole("vllm/nonstream_odd_values.json")
    paris, is_, nice, _dot = answer.tokens
    # Unsorted, without the sampled token: sorted on read, the sampled one is not invented.
    assert [a.token for a in paris.alternatives()] == ["It", " The", "Lyon"]
    assert (is_.logprob, is_.note, is_.top_count) == (None, NOTE_SENTINEL, 0)
    assert (nice.logprob, nice.note) == (None, NOTE_NON_FINITE)
    assert [a.logprob for a in nice.alternatives()] == [-0.25, None, None]
    m = answer.metrics
    assert (m.tokens, m.unknown, m.known) == (4, 2, 2)
    assert m.sum_logprob == approx(-3.2 + -0.05)
    assert m.mean_logprob == approx((-3.2 + -0.05) / 2)
    assert m.arithmetic_mean_prob == approx((math.exp(-3.2) + math.exp(-0.05)) / 2)
    assert (m.min_prob, m.min_prob_index) == (approx(math.exp(-3.2)), 0)
    assert m.low_prob_count == 1  # e^-3.2 = 0.041 < 0.1; e^-0.05 = 0.95 is not

    def entropy(lps):
        return -sum(math.exp(lp) * lp for lp in lps)

    def mass(lps):
        return sum(math.exp(lp) for lp in lps)

    # Rows with a top list: Paris, nice (its usable -0.25 only), "." ; " is" has none.
    tops = [[-1.6, -0.9, -2.3], [-0.25], [-0.05, -3.5]]
    assert m.mean_entropy == approx(sum(entropy(t) for t in tops) / 3)
    assert m.mean_residual_mass == approx(sum(1 - mass(t) for t in tops) / 3)


def test_vllm_error_event_inside_the_stream():
    normaliser = StreamNormaliser(5)
    chunks = fixtures.sse_chunks("vllm/stream_error_event.sse")
    events = normaliser.feed(chunks[0]) + normaliser.feed(chunks[1])
    assert [e.text for e in events if type(e) is TextDelta] == ["Hel"]
    with pytest.raises(ServerReportedError, match="GenerationError: the engine failed"):
        normaliser.feed(chunks[2])


# ------------------------------------------------------------------ llama.cpp (§2.3)


def test_llamacpp_english_capture_whole():
    name = "llamacpp/chat_nonstream_english.json"
    answer = from_whole(name)
    rows = raw_rows(name)
    assert len(rows) == 12 and rows[-1]["bytes"] == []  # the EOS row, in whole replies only
    assert scopes(answer) == ["answer"] * 11 + ["other"]
    assert "".join(texts(answer)) == answer.text == "1. Red\n2. Blue\n3. Green"
    m = answer.metrics
    assert m.tokens == 11
    assert m.sum_logprob == approx(math.fsum(r["logprob"] for r in rows[:11]))
    assert m.min_prob == approx(math.exp(rows[0]["logprob"]))  # "1": -2.2015
    assert m.coverage == approx(12 / 12)
    assert answer.server_timings["predicted_n"] == 12


@pytest.mark.parametrize(
    "answer_of",
    [
        lambda: from_whole("llamacpp/chat_nonstream_japanese.json"),
        lambda: from_stream("llamacpp/chat_stream_japanese.json"),
    ],
    ids=["whole", "stream"],
)
def test_llamacpp_japanese_capture(answer_of):
    answer = answer_of()
    rows = raw_rows("llamacpp/chat_nonstream_japanese.json")
    assert len(answer.tokens) == 19  # 19 rows for 24 completion tokens
    # Each row shows whole characters, once: the rows spell the content exactly.
    assert "".join(texts(answer)) == answer.text
    assert texts(answer)[:6] == ["ど", "こ", "で", "す", "か", "？"]
    m = answer.metrics
    assert m.coverage == approx(19 / 24)
    assert m.sum_logprob == approx(math.fsum(r["logprob"] for r in rows))
    assert m.low_prob_count == sum(1 for r in rows if math.exp(r["logprob"]) < 0.1)
    # The alternatives at ど carry one byte each; they are shown after the merged [227, 129].
    alts = answer.tokens[0].alternatives()
    own = [a["bytes"] for a in sorted(rows[0]["top_logprobs"], key=lambda a: -a["logprob"])]
    assert [a.text for a in alts] == [bytes([227, 129, *b]).decode() for b in own]
    assert alts[1].text == "あ"


def test_llamacpp_stream_and_whole_capture_agree():
    whole = from_whole("llamacpp/chat_nonstream_japanese.json")
    stream = from_stream("llamacpp/chat_stream_japanese.json")
    assert texts(whole) == texts(stream)
    assert whole.metrics.sum_logprob == stream.metrics.sum_logprob
    assert stream.server_timings["predicted_per_second"] == approx(85.01924022371149)


def test_llamacpp_reply_without_logprobs():
    answer = from_whole("llamacpp/chat_nonstream_no_logprobs.json")
    assert answer.text == "Some examples of other non-colors that"
    assert answer.tokens == [] and not answer.has_logprobs
    m = answer.metrics
    assert (m.tokens, m.sum_logprob, m.mean_prob, m.joint_prob) == (0, None, None, None)
    assert m.coverage == 0.0  # 0 rows for 8 completion tokens


def test_llamacpp_post_sampling_probabilities():
    answer = from_whole("llamacpp/constructed_post_sampling_probs.json")
    red, and_ = answer.tokens
    assert red.logprob == approx(math.log(0.5)) and and_.logprob == 0.0
    assert red.top_mass == approx(0.5 + 0.25)
    m = answer.metrics
    assert m.sum_logprob == approx(math.log(0.5) + math.log(1.0))
    assert m.mean_prob == approx(math.sqrt(0.5 * 1.0))  # geometric mean
    assert m.arithmetic_mean_prob == approx((0.5 + 1.0) / 2)


def test_llamacpp_speculative_rows_and_float_lowest():
    answer = from_whole("llamacpp/constructed_speculative_and_lowest.json")
    assert [t.note for t in answer.tokens] == ["", "speculative", "speculative", "sentinel", ""]
    assert [a.logprob for a in answer.tokens[0].alternatives()] == [-0.4, None]
    m = answer.metrics
    assert (m.tokens, m.unknown) == (5, 3)
    assert m.sum_logprob == approx(-0.4 + -0.2)
    assert m.mean_logprob == approx((-0.4 + -0.2) / 2)


# ------------------------------------------------------------------ llama-cpp-python (§2.4)


def test_llama_cpp_python_stream():
    answer = from_stream("llama_cpp_python/chat_stream_japanese.sse", top=2)
    assert answer.text == "東京です。"
    # bytes null everywhere; the two "" rows are で, shown once on the second.
    assert [t.bytes for t in answer.tokens] == [None] * 5
    assert texts(answer) == ["東京", "", "で", "す", "。"]
    su = answer.tokens[3]
    assert (su.logprob, su.note) == (None, NOTE_NON_FINITE)  # -Infinity literal
    assert su.top_count == 3  # N + 1: the sampled token appended after the top 2
    assert [a.token for a in su.alternatives()] == ["が", "を", "す"]
    assert answer.tokens[4].logprob is None  # NaN literal
    m = answer.metrics
    assert (m.tokens, m.unknown) == (5, 2)
    assert m.sum_logprob == approx(-0.5 + -0.25 + -0.125)
    assert m.coverage is None  # no usage chunk
    assert answer.finish_reason == "stop"


# ------------------------------------------------------------------ Ollama (§2.5)


def test_ollama_whole_reply_example():
    answer = from_whole("ollama/chat_nonstream_example.json")
    partial = answer.tokens[1]
    assert (partial.token, partial.bytes, partial.top_count) == ("", None, 0)
    # Two rows cannot spell "東京です。": counted as answer, and the user is told.
    assert scopes(answer) == ["answer", "answer"]
    assert answer.notices == [
        "could not tell reasoning rows from answer rows; all rows are counted as the answer"
    ]
    assert answer.metrics.sum_logprob == approx(-0.021 + -0.11)
    assert answer.metrics.coverage == approx(2 / 40)


def test_ollama_probability_in_the_logprob_field():
    answer = from_whole("ollama/chat_nonstream_prob_in_logprob.json")
    hi = answer.tokens[0]
    assert (hi.logprob, hi.note) == (approx(math.log(0.8)), NOTE_FROM_PROBABILITY)
    assert [a.logprob for a in hi.alternatives()] == [approx(math.log(0.8)), approx(math.log(0.15))]
    assert hi.top_mass == approx(0.8 + 0.15)
    assert answer.metrics.sum_logprob == approx(math.log(0.8) + -0.1)


def test_ollama_stream_rows_on_the_reasoning_chunk_go_to_the_answer():
    answer = from_stream("ollama/chat_stream_thinking.sse")
    assert answer.reasoning == "Think." and answer.text == "Tokyo."
    # The second chunk carried rows "." and "Tokyo" but only the text ".": Tokyo waited for
    # the content chunk that spells it.
    assert [(t.token, t.scope) for t in answer.tokens] == [
        ("Think", "reasoning"),
        (".", "reasoning"),
        ("Tokyo", "answer"),
        (".", "answer"),
    ]
    assert answer.metrics.sum_logprob == approx(-0.2 + -0.3)
    assert answer.reasoning_metrics.sum_logprob == approx(-0.5 + -0.1)
    assert answer.usage["completion_tokens"] == 4


# ------------------------------------------------------------------ SGLang (§2.7)


def test_sglang_whole_reply_with_think_span():
    answer = from_whole("sglang/chat_nonstream_reasoning.json")
    assert scopes(answer) == ["other"] + ["reasoning"] * 6 + ["other"] + ["answer"] * 3
    assert answer.text == "\n\nBlue." and answer.reasoning == "Sky is blue.\n"
    assert answer.metrics.sum_logprob == approx(-0.05 + -0.6 + -0.15)
    assert answer.reasoning_metrics.sum_logprob == approx(-0.01 - 0.9 - 0.2 - 0.4 - 0.1 - 0.3)


def test_sglang_stream():
    answer = from_stream("sglang/chat_stream_reasoning.sse")
    expected = ["other", "reasoning", "reasoning", "reasoning", "other", "answer", "answer"]
    assert scopes(answer) == expected
    assert answer.reasoning == "Sky is blue." and answer.text == "Blue."
    assert answer.metrics.sum_logprob == approx(-0.6 + -0.15)


# ------------------------------------------------------------------ §2.8 edge cases


def _chunk(choice: dict) -> dict:
    return {"id": "x", "object": "chat.completion.chunk", "model": "m", "choices": [choice]}


@pytest.mark.parametrize(
    "logprobs",
    ["absent", None, {"content": None}, {"content": []}, {"content": [], "refusal": None}],
)
def test_no_logprobs_in_any_form_means_no_rows(logprobs):
    choice = {"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}
    if logprobs != "absent":
        choice["logprobs"] = logprobs
    events = StreamNormaliser(5).feed(_chunk(choice))
    assert [type(e) for e in events] == [ResponseStarted, TextDelta, Finished]
    whole = {"choices": [{"index": 0, "message": {"content": "Hi"}, "finish_reason": "stop"}]}
    if logprobs != "absent":
        whole["choices"][0]["logprobs"] = logprobs
    answer = collect(response_events(whole, 5))
    assert answer.text == "Hi" and answer.tokens == []


def test_several_rows_in_one_chunk_are_kept_in_order():
    rows = [
        {"token": "a", "logprob": -0.1, "bytes": [97], "top_logprobs": []},
        {"token": "b", "logprob": -0.2, "bytes": [98], "top_logprobs": []},
        {"token": "c", "logprob": -0.3, "bytes": [99], "top_logprobs": []},
    ]
    choice = {"index": 0, "delta": {"content": "abc"}, "logprobs": {"content": rows}}
    (received,) = [e for e in StreamNormaliser(0).feed(_chunk(choice)) if type(e) is TokensReceived]
    assert [(t.index, t.text, t.logprob) for t in received.tokens] == [
        (0, "a", -0.1),
        (1, "b", -0.2),
        (2, "c", -0.3),
    ]
    assert received.raw == rows  # the rows as the server sent them


def test_tool_call_rows_are_other():
    choice = {
        "index": 0,
        "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]},
        "logprobs": {"content": [{"token": "{}", "logprob": -0.1, "bytes": [123, 125]}]},
    }
    events = StreamNormaliser(5).feed(_chunk(choice))
    (received,) = [e for e in events if type(e) is TokensReceived]
    assert received.tokens[0].scope == "other"


def test_rows_left_at_the_end_go_to_the_last_scope_and_framing_to_other():
    normaliser = StreamNormaliser(5)
    normaliser.feed(_chunk({"index": 0, "delta": {"content": "A"}}))
    tail = [
        {"token": "B", "logprob": -0.1, "bytes": [66]},
        {"token": "<|im_end|>", "logprob": -0.2, "bytes": list(b"<|im_end|>")},
    ]
    events = normaliser.feed(_chunk({"index": 0, "delta": {}, "logprobs": {"content": tail}}))
    assert not [e for e in events if type(e) is TokensReceived]  # held: no text yet
    (released,) = [e for e in normaliser.close() if type(e) is TokensReceived]
    assert [t.scope for t in released.tokens] == ["answer", "other"]


def test_llamacpp_timings_without_usage_are_reported():
    chunk = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    chunk["timings"] = {"predicted_per_second": 97.0}
    events = StreamNormaliser(5).feed(chunk)
    assert UsageReported({}, {"predicted_per_second": 97.0}) in events
    answer = collect([*events, UsageReported({"completion_tokens": 3}, None)])
    assert answer.usage == {"completion_tokens": 3}
    assert answer.server_timings == {"predicted_per_second": 97.0}


def test_a_chunk_that_is_not_an_object_is_an_error():
    with pytest.raises(ServerReportedError, match="unexpected stream event"):
        StreamNormaliser(5).feed(["not", "a", "chunk"])


def test_whole_reply_events_and_their_order():
    events = response_events(fixtures.body("sglang/chat_nonstream_reasoning.json"), 5)
    kinds = [type(e) for e in events]
    assert kinds == [
        ResponseStarted,
        ReasoningDelta,
        TextDelta,
        TokensReceived,
        UsageReported,
        Finished,
    ]
    assert events[0].streamed is False
    assert not [e for e in events if type(e) is Notice]


# ------------------------------------------------------------------ errors (§2.8 item 9)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "openai/error_top_logprobs_range.json",
            "Invalid 'top_logprobs': integer must be between 0 and 5, but got 20.",
        ),
        (
            "openai/error_reasoning_refuses_logprobs.json",
            "You are not allowed to request logprobs from this model",
        ),
        ("vllm/error_current.json", "list index out of range"),
        (
            "vllm/error_old_toplevel.json",
            "[{'type': 'extra_forbidden', 'loc': ('body', 'prompt_logprobs'), "
            "'msg': 'Extra inputs are not permitted'}]",
        ),
        ("llamacpp/error_bad_messages.json", "Expected 'messages' to be an array"),
        ("ollama/error_native_string.json", "top_logprobs must be between 0 and 20"),
        ("ollama/error_v1_wrapped.json", "top_logprobs must be between 0 and 20"),
        ("sglang/error_toplevel.json", "top_logprobs must be at most 20"),
        (
            "generic/error_fastapi_detail.json",
            "messages: Field required; max_tokens: Input should be a valid integer",
        ),
        (
            "generic/error_lmstudio_200.json",
            "Unexpected endpoint or method. (POST /chat/completions)",
        ),
    ],
)
def test_error_message_of_every_body_shape(name, message):
    assert error_message(fixtures.body(name)) == message


def test_error_message_is_none_for_ordinary_replies():
    assert error_message(fixtures.body("openai/chat_nonstream_blue_heart.json")) is None
    assert error_message([1, 2]) is None
    assert error_message({"error": None, "choices": []}) is None


def test_text_error_message_of_html_and_plain_text():
    html = fixtures.path("generic/proxy_502.html").read_text()
    assert text_error_message(html) == "502 Bad Gateway"
    assert text_error_message("upstream   connect error\nor disconnect") == (
        "upstream connect error or disconnect"
    )
    assert text_error_message("<p>no <b>title</b></p>") == "no title"


def test_http_200_error_body_raises():
    with pytest.raises(ServerReportedError, match="Unexpected endpoint"):
        response_events(fixtures.body("generic/error_lmstudio_200.json"), 5)
    with pytest.raises(ServerReportedError, match="not a JSON object"):
        response_events(["a", "list"], 5)
