"""Recorded replies of real servers (sources in each fixture directory's README) read right:
OpenAI refusals, gpt-oss on AWS Bedrock (reasoning inside ``content``, harmony framing rows),
vLLM serving QwQ-32B. Expected numbers are worked out here from the raw JSON, by a simpler
route than the normaliser's."""

from __future__ import annotations

import json
import math

import pytest

from tests.support import fixtures
from tui.core.answer import Answer, AnswerBuilder
from tui.core.report import coverage_words, finish_label
from tui.core.wire.chunks import StreamNormaliser, response_events
from tui.core.wire.events import REFUSAL_NOTICE, ReasoningDelta, TextDelta
from tui.core.wire.harmony import ReasoningTags, split_tags

approx = pytest.approx


def stream(name: str, top: int = 0) -> tuple[Answer, list]:
    normaliser = StreamNormaliser(top)
    builder = AnswerBuilder()
    events = []
    for chunk in fixtures.sse_chunks(name):
        events += normaliser.feed(chunk)
    events += normaliser.close()
    for event in events:
        builder.apply(event)
    return builder.finish("complete"), events


def raw_rows(name: str) -> list[dict]:
    rows = []
    for chunk in fixtures.sse_chunks(name):
        for choice in chunk.get("choices") or []:
            logprobs = choice.get("logprobs") or {}
            rows += (logprobs.get("content") or []) + (logprobs.get("refusal") or [])
    return rows


def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


# ------------------------------------------------------------------ OpenAI refusals


@pytest.mark.parametrize(
    ("name", "text", "rows", "completion"),
    [
        (
            "openai/recorded_refusal_stream.sse",
            "I'm very sorry, but I can't assist with that.",
            11,
            12,
        ),
        (
            "openai/recorded_refusal_stream_2024-08-07.sse",
            "I'm sorry, I cannot assist with that request.",
            10,
            11,
        ),
    ],
)
def test_an_openai_refusal_is_the_answer_marked_as_a_refusal(name, text, rows, completion):
    answer, events = stream(name)
    assert answer.text == text
    assert answer.refusal and REFUSAL_NOTICE in answer.notices
    assert finish_label(answer) == "refusal" and answer.finish_reason == "stop"
    # Its rows are answer rows, scored: the mean of the recorded logprobs.
    recorded = [row["logprob"] for row in raw_rows(name)]
    assert len(recorded) == rows == len(answer.tokens)
    assert {t.scope for t in answer.tokens} == {"answer"}
    assert "".join(t.text for t in answer.tokens) == text
    m = answer.metrics
    assert m.tokens == rows and m.unknown == 0
    assert m.mean_logprob == approx(mean(recorded), abs=1e-12)
    assert m.min_prob == approx(math.exp(min(recorded)))
    # Both recordings count one completion token more than they send rows for (a refusal
    # marker?): said next to the numbers, not hidden.
    assert answer.completion_tokens == completion
    assert coverage_words(m) == f"covers {rows} of {completion} tokens"
    deltas = [type(e) for e in events if type(e) in (TextDelta, ReasoningDelta)]
    assert deltas == [TextDelta] * rows


def test_a_recorded_openai_content_stream_is_not_a_refusal():
    answer, _ = stream("openai/recorded_content_stream.sse")
    assert answer.text == "Foo!" and not answer.refusal
    assert [t.token for t in answer.tokens] == ["Foo", "!"]
    assert finish_label(answer) == "complete"
    assert coverage_words(answer.metrics) is None  # 2 rows, 2 completion tokens


def test_a_whole_refusal_reply_reads_the_same_way():
    # The recordings are streams; the whole-reply shape of the same refusal is built from
    # them (message.refusal, logprobs.refusal, content null), as openai-python's types say.
    name = "openai/recorded_refusal_stream.sse"
    rows = raw_rows(name)
    body = {
        "id": "x",
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": "".join(r["token"] for r in rows),
                },
                "logprobs": {"content": None, "refusal": rows},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 79, "completion_tokens": 12, "total_tokens": 91},
    }
    builder = AnswerBuilder()
    for event in response_events(body, 0):
        builder.apply(event)
    answer = builder.finish("complete")
    streamed, _ = stream(name)
    assert answer.text == streamed.text and answer.refusal
    assert answer.metrics.mean_logprob == approx(streamed.metrics.mean_logprob, abs=1e-15)


# ------------------------------------------------------- gpt-oss on AWS Bedrock


def channels_by_hand(rows: list[dict]) -> dict[str, list[float]]:
    """Body rows' logprobs per channel: the channel is the first word of the text between
    <|channel|> and <|message|>; a body runs to <|end|>, <|return|> or <|call|>."""
    out: dict[str, list[float]] = {}
    channel, header, body = None, None, False
    for row in rows:
        token = row["token"]
        if token == "<|channel|>":
            header, body = "", False
        elif token == "<|message|>":
            channel, header, body = (header or "").split()[0], None, True
        elif token in ("<|end|>", "<|return|>", "<|call|>", "<|start|>"):
            body = False
        elif header is not None:
            header += token
        elif body:
            out.setdefault(channel, []).append(row["logprob"])
    return out


BEDROCK = [
    ("bedrock/gptoss_stream_single_reasoning_chunk.sse", 43, 20, 73),
    ("bedrock/gptoss_stream_multi_reasoning_chunks.sse", 39, 8, 57),
]


@pytest.mark.parametrize(("name", "reasoning_rows", "answer_rows", "completion"), BEDROCK)
def test_bedrock_gptoss_reasoning_is_split_from_the_answer_by_channel(
    name, reasoning_rows, answer_rows, completion
):
    answer, _ = stream(name)
    by_hand = channels_by_hand(raw_rows(name))
    assert len(by_hand["analysis"]) == reasoning_rows
    assert len(by_hand["final"]) == answer_rows
    # The tags are gone, the reasoning is apart, the answer is the final channel only.
    assert "<reasoning>" not in answer.text and "</reasoning>" not in answer.text
    assert answer.text.startswith("Humans live on **Earth**")
    assert answer.reasoning.startswith('The user asks: "Which planet do humans live on?"')
    assert "<reasoning>" not in answer.reasoning
    m, r = answer.metrics, answer.reasoning_metrics
    assert (m.tokens, r.tokens) == (answer_rows, reasoning_rows)
    assert m.mean_logprob == approx(mean(by_hand["final"]), abs=1e-12)
    assert r.mean_logprob == approx(mean(by_hand["analysis"]), abs=1e-12)
    # Rows of each scope spell exactly that scope's text; framing is `other`.
    assert "".join(t.text for t in answer.tokens if t.scope == "answer") == answer.text
    assert "".join(t.text for t in answer.tokens if t.scope == "reasoning") == answer.reasoning
    assert len(answer.tokens) == completion == answer.completion_tokens
    assert coverage_words(m) is None


def test_bedrock_answer_confidence_is_the_answer_s_not_the_reasoning_s():
    # The numbers: scored together the reasoning pulls the mean down to ~36 %; the
    # real answer's geometric mean probability is ~94 %.
    answer, _ = stream("bedrock/gptoss_stream_multi_reasoning_chunks.sse")
    assert answer.metrics.mean_prob == approx(0.939, abs=0.001)
    everything = channels_by_hand(raw_rows("bedrock/gptoss_stream_multi_reasoning_chunks.sse"))
    mixed = math.exp(mean(everything["analysis"] + everything["final"]))
    assert mixed < 0.4


def test_bedrock_tool_call_rows_are_not_the_answer():
    name = "bedrock/gptoss_stream_tool_call.sse"
    answer, _ = stream(name)
    assert answer.text == "" and answer.finish_reason == "tool_calls"
    assert answer.reasoning == "We need to use the get_weather function for Paris."
    by_hand = channels_by_hand(raw_rows(name))
    assert len(by_hand["analysis"]) == answer.reasoning_metrics.tokens == 11
    assert answer.metrics.tokens == 0  # header and arguments of the call are `other`
    assert len(answer.tokens) == answer.completion_tokens == 35


def test_the_same_rule_serves_vllm_without_a_reasoning_parser():
    # vLLM running gpt-oss without a reasoning parser sends the analysis text as plain
    # content; the Bedrock recording with its tags taken off is exactly that stream.
    name = "bedrock/gptoss_stream_multi_reasoning_chunks.sse"
    chunks = fixtures.sse_chunks(name)
    for chunk in chunks:
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                delta["content"] = split_tags(delta["content"])[0] + split_tags(delta["content"])[1]
    normaliser = StreamNormaliser(0)
    builder = AnswerBuilder()
    for chunk in chunks:
        for event in normaliser.feed(chunk):
            builder.apply(event)
    for event in normaliser.close():
        builder.apply(event)
    plain = builder.finish("complete")
    tagged, _ = stream(name)
    assert plain.text == tagged.text == "Humans live on **Earth**."
    assert plain.reasoning == tagged.reasoning
    assert [t.scope for t in plain.tokens] == [t.scope for t in tagged.tokens]
    # And as a whole reply (content = reasoning + answer, one string).
    rows = raw_rows(name)
    body = {
        "choices": [
            {
                "message": {"role": "assistant", "content": plain.reasoning + plain.text},
                "logprobs": {"content": rows},
                "finish_reason": "stop",
            }
        ]
    }
    builder = AnswerBuilder()
    for event in response_events(json.loads(json.dumps(body)), 0):
        builder.apply(event)
    whole = builder.finish("complete")
    assert (whole.text, whole.reasoning) == (plain.text, plain.reasoning)
    assert whole.metrics.mean_logprob == approx(plain.metrics.mean_logprob, abs=1e-12)


def test_reasoning_tags_across_deltas_and_mid_sentence():
    tags = ReasoningTags()
    assert tags.feed("<reasoning>think") == [("reasoning", "think")]
    assert tags.feed("ing</reas") == [("reasoning", "ing")]  # a cut closing tag waits
    assert tags.feed("oning>Answer") == [("answer", "Answer")]
    assert tags.feed(" about <reasoning> tags") == [("answer", " about <reasoning> tags")]
    assert split_tags("<reasoning>A</reasoning><reasoning>B</reasoning>C") == ("AB", "C")
    assert split_tags("No tags here.") == ("", "No tags here.")


# ------------------------------------------------------------ vLLM, QwQ-32B (gonka)


@pytest.mark.parametrize(
    "name",
    ["vllm/qwq32b_inference_response.json", "vllm/qwq32b_inference_response_int4.json"],
)
def test_vllm_qwq_bodies_parse_right(name):
    body = json.loads(fixtures.path(name).read_text(encoding="utf-8"))
    builder = AnswerBuilder()
    for event in response_events(body, 3):
        builder.apply(event)
    answer = builder.finish("complete")
    choice = body["choices"][0]
    rows = choice["logprobs"]["content"]
    assert answer.text == choice["message"]["content"] and answer.reasoning == ""
    assert len(answer.tokens) == len(rows) == 100 == answer.completion_tokens
    assert "".join(t.text for t in answer.tokens) == answer.text
    m = answer.metrics
    # logprob 0.0 with alternatives is certainty here, not a speculative "unknown".
    assert m.unknown == 0
    assert m.mean_logprob == approx(mean([r["logprob"] for r in rows]), abs=1e-12)
    assert finish_label(answer, max_tokens=100) == "cut: max_tokens"
    # -9999.0 alternatives (the int4 body has 170) are probability 0: outside the mass.
    for token, row in zip(answer.tokens, rows, strict=True):
        usable = [a["logprob"] for a in row["top_logprobs"] if a["logprob"] > -9999.0]
        assert token.top_mass == approx(min(1.0, math.fsum(math.exp(v) for v in usable)))


# ------------------------------------------------ llama.cpp's end-of-sequence row


def test_llamacpp_end_row_is_the_stop_probability_never_an_answer_token():
    # A real whole reply of the built-in engine (tests/fixtures/llamacpp/README.md): its last
    # row is the end token (token "", bytes []), which a stream of the same answer never
    # sends. One rule: an `other` row counted in coverage like any row (the server counts it
    # in completion_tokens), its probability reported apart; recovery measures it for the
    # stream (tests/core/recovery/test_engine_recovery.py checks both end the same).
    body = fixtures.body("llamacpp/chat_nonstream_english.json")
    rows = body["choices"][0]["logprobs"]["content"]
    builder = AnswerBuilder()
    for event in response_events(body, 3):
        builder.apply(event)
    whole = builder.finish("complete")
    end = whole.tokens[-1]
    assert (end.token, end.bytes, end.scope) == ("", b"", "other")
    m = whole.metrics
    assert m.stop_prob == approx(math.exp(rows[-1]["logprob"]))
    assert m.tokens == len(rows) - 1 == 11 and m.coverage == 1.0
    assert m.mean_logprob == approx(mean([r["logprob"] for r in rows[:-1]]), abs=1e-12)
    # The same rows as llama.cpp streams them: no end row, one token short until recovered.
    chunks = [{"choices": [{"delta": {"content": r["token"]}, "logprobs": {"content": [r]}}]}
              for r in rows[:-1]]  # fmt: skip
    chunks.append({"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": body["usage"]})
    normaliser = StreamNormaliser(3)
    builder = AnswerBuilder()
    for chunk in chunks:
        for event in normaliser.feed(chunk):
            builder.apply(event)
    streamed = builder.finish("complete")
    assert streamed.metrics.stop_prob is None
    assert coverage_words(streamed.metrics) == "covers 11 of 12 tokens"
    assert streamed.metrics.mean_logprob == approx(m.mean_logprob, abs=1e-12)
