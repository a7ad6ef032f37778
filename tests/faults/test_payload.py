"""Payload faults over a real socket: SSE framing (split reads, many events per read, CRLF and
CR line ends, comments), logprob values no one should send, alternatives lists of every size,
text no terminal should see, a 1 MB token and a 100,000-token answer.

Every case ends with an answer (never a crash) whose text is what the server sent (invalid
UTF-8 as U+FFFD) and whose unknown logprobs are counted, not averaged.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.faults.support import chat_request, client_for, run_chat
from tests.support.scripted_server import (
    Reply,
    chat_chunk,
    sse_line,
    stream_of,
    token_row,
    usage_chunk,
)
from tui.core.wire.values import NOTE_FROM_PROBABILITY, NOTE_NON_FINITE, NOTE_SENTINEL

JAPANESE = [
    ("日本", -0.1),
    ("の", -0.2),
    ("首都", -0.3),
    ("は", -0.4),
    ("東京", -0.05),
    ("。", -0.6),
]


def _stream_bytes(newline: str = "\n") -> bytes:
    return b"".join(sse_line(c, newline) for c in stream_of(JAPANESE)) + (
        f"data: [DONE]{newline}{newline}".encode()
    )


def _raw(*pieces: bytes) -> Reply:
    return Reply(200, {"Content-Type": "text/event-stream"}, list(pieces), chunked=True)


# ------------------------------------------------------------------ SSE framing


@pytest.mark.parametrize("size", [1, 2, 3, 7])
async def test_events_split_across_reads_at_every_byte(scripted, size):
    # Each piece is its own HTTP chunk: reads end mid "data:", mid JSON, mid character
    # (日本 is 6 bytes), between CR and LF.
    data = _stream_bytes("\r\n")
    scripted.queue(_raw(*[data[i : i + size] for i in range(0, len(data), size)]))
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == "日本の首都は東京。"
    assert [t.logprob for t in answer.tokens] == [lp for _, lp in JAPANESE]


async def test_several_events_in_one_read(scripted):
    scripted.queue(_raw(_stream_bytes()))  # the whole stream in one write
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == "日本の首都は東京。" and len(answer.tokens) == 6


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
async def test_crlf_and_cr_line_endings(scripted, newline):
    scripted.queue(_raw(_stream_bytes(newline)))
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == "日本の首都は東京。"


async def test_comments_pings_and_unknown_fields_are_ignored(scripted):
    chunks = stream_of([("A", -0.5), ("B", -1.5)])
    scripted.queue(
        Reply.sse(
            [": keep-alive", chunks[0], "event: ping\ndata: {}", "id: 7\nretry: 10", chunks[1],
             ": " + "x" * 10_000, *chunks[2:]]
        )
    )  # fmt: skip
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == "AB"


# ------------------------------------------------------------------ logprobs missing or odd


@pytest.mark.parametrize(
    "logprobs",
    [None, {"content": None}, {"content": []}, {}, "absent"],
    ids=["null", "content-null", "content-empty", "empty-object", "absent"],
)
async def test_logprobs_absent_null_or_empty(scripted, logprobs):
    def chunk(text: str) -> dict:
        c = chat_chunk(content=text)
        if logprobs != "absent":
            c["choices"][0]["logprobs"] = logprobs
        return c

    scripted.queue(Reply.sse([chunk("No"), chunk(" rows"), chat_chunk(finish="stop")]))
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == "No rows"
    assert answer.tokens == [] and answer.metrics.mean_logprob is None


ODD = [
    (math.nan, NOTE_NON_FINITE),
    (math.inf, NOTE_NON_FINITE),
    (-math.inf, NOTE_NON_FINITE),
    (None, NOTE_NON_FINITE),
    (-9999.0, NOTE_SENTINEL),
    (-3.4e38, NOTE_SENTINEL),
    (0.25, NOTE_FROM_PROBABILITY),  # a probability in the logprob field
]


@pytest.mark.parametrize("stream", [True, False])
async def test_odd_logprob_values_are_noted_and_never_averaged(scripted, stream):
    rows = [token_row(f"t{i}", value) for i, (value, _) in enumerate(ODD)]
    rows.append(token_row("ok", -0.5))
    text = "".join(r["token"] for r in rows)
    if stream:
        chunks = [chat_chunk(content=r["token"], rows=[r]) for r in rows]
        reply = Reply.sse([*chunks, chat_chunk(finish="stop"), usage_chunk(len(rows))])
    else:
        body = {
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": {"content": rows},
                }
            ]
        }
        # NaN and ±Infinity as the bare literals Python's json (and some servers) write.
        reply = Reply.json(json.dumps(body, allow_nan=True).encode())
    scripted.queue(reply)
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request(stream=stream))
    assert error is None and answer.text == text
    assert [t.note for t in answer.tokens] == [note for _, note in ODD] + [""]
    assert answer.tokens[-2].logprob == pytest.approx(math.log(0.25))
    # Only the real values count: the converted probability and -0.5.
    assert answer.metrics.mean_logprob == pytest.approx((math.log(0.25) - 0.5) / 2)
    assert all(t.logprob is None or math.isfinite(t.logprob) for t in answer.tokens)


@pytest.mark.parametrize("count", [0, 1, 200])
async def test_top_logprobs_with_0_1_and_200_entries(scripted, count):
    top = [(f"alt{j}", -0.01 * (j + 1)) for j in range(count)]
    scripted.queue(Reply.sse(stream_of([("Hi", -0.01, top), ("!", -0.2, top)])))
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request(top_logprobs=5))
    assert error is None and answer.text == "Hi!"
    assert [t.top_count for t in answer.tokens] == [count, count]
    if count == 200:
        assert answer.tokens[0].residual_mass == 0.0  # more mass than 1 is capped, not negative


# ------------------------------------------------------------------ text no terminal should see


async def test_invalid_utf8_bytes_in_the_stream_become_replacement_characters(scripted):
    good = json.dumps(chat_chunk(content="ok", rows=[token_row("ok", -0.1)])).encode()
    bad = good.replace(b'"ok"', b'"\xff\xfe\xc3"', 2)  # invalid, and a cut 2-byte sequence
    scripted.queue(
        _raw(b"data: " + good + b"\n\n", b"data: " + bad + b"\n\n",
             sse_line(chat_chunk(finish="stop")), b"data: [DONE]\n\n")
    )  # fmt: skip
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None
    assert answer.text == "ok\ufffd\ufffd\ufffd"
    # The row's token text is replaced too (its bytes, which were valid, still spell "ok").
    assert [t.token for t in answer.tokens] == ["ok", "\ufffd\ufffd\ufffd"]


HOSTILE_CHARS = [
    ("lone-surrogate", '"\\ud800x"', "\ufffdx"),
    ("zero-width", '"a\\u200bb\\ufeff"', "a\u200bb\ufeff"),
    ("right-to-left", '"\\u202eevil\\u2067"', "\u202eevil\u2067"),
    ("tab-and-cr", '"a\\tb\\rc"', "a\tb\rc"),
]


@pytest.mark.parametrize(
    ("name", "literal", "kept"), HOSTILE_CHARS, ids=[h[0] for h in HOSTILE_CHARS]
)
async def test_odd_characters_in_tokens_are_kept_as_data(scripted, name, literal, kept):
    # The client keeps the text as the server meant it (display makes it safe: see
    # test_tui.py); a lone surrogate, which no encoder accepts, becomes U+FFFD.
    row = '{"token":TEXT,"logprob":-0.5,"bytes":null,"top_logprobs":[]}'
    chunk = (
        (
            '{"choices":[{"index":0,"delta":{"content":TEXT},"finish_reason":null,'
            '"logprobs":{"content":[ROW]}}]}'
        )
        .replace("ROW", row)
        .replace("TEXT", literal)
    )
    scripted.queue(Reply.sse(["data: " + chunk, chat_chunk(finish="stop")]))
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request())
    assert error is None and answer.text == kept
    assert [t.text for t in answer.tokens] == [kept]
    answer.text.encode("utf-8")  # storable and printable: no surrogate left


# ------------------------------------------------------------------ size


@pytest.mark.parametrize("stream", [True, False])
async def test_a_1_mb_single_token(scripted, stream):
    big = "x" * 1_000_000
    tokens = [("a", -0.1), (big, -0.2), ("b", -0.3)]
    scripted.queue(Reply.sse(stream_of(tokens)) if stream else Reply.json(
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": "a" + big + "b"},
                      "finish_reason": "stop",
                      "logprobs": {"content": [token_row(t, lp) for t, lp in tokens]}}]}
    ))  # fmt: skip
    async with client_for(scripted) as client:
        answer, error = await run_chat(client, chat_request(stream=stream))
    assert error is None and answer.text == "a" + big + "b"
    assert [len(t.text) for t in answer.tokens] == [1, 1_000_000, 1]


async def test_a_100000_token_answer(scripted):
    # 100 rows per chunk (servers batch rows when they fall behind): 1,000 events.
    count, per_chunk = 100_000, 100
    row = token_row("w", -0.5)
    batch = chat_chunk(content="w" * per_chunk, rows=[row] * per_chunk)
    chunks = [batch] * (count // per_chunk)
    scripted.queue(Reply.sse([*chunks, chat_chunk(finish="length"), usage_chunk(count)]))
    async with client_for(scripted, read_timeout=30) as client:
        answer, error = await run_chat(client, chat_request(max_tokens=count))
    assert error is None and answer.finish_reason == "length"
    assert len(answer.text) == count and len(answer.tokens) == count
    assert answer.metrics.mean_logprob == pytest.approx(-0.5)
    assert answer.metrics.coverage == 1.0
