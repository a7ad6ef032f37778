"""The event-stream parser, fed the same bytes in every possible split (each split point of
a stream, and byte by byte): the events never depend on how the network cut the stream."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tui.core.wire.sse import IDLE, LineTooLong, iter_events


async def _pairs(pieces: list[bytes], max_line: int | None = None) -> list[tuple[str, str]]:
    async def chunks() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    return [e async for e in iter_events(chunks(), max_line)]


async def _events(pieces: list[bytes], max_line: int | None = None) -> list[tuple[str, str]]:
    """The events alone (without the idle marks of reads that completed none)."""
    return [e for e in await _pairs(pieces, max_line) if e[0] != IDLE]


async def _all_splits(stream: bytes) -> list[tuple[str, str]]:
    """The events of ``stream``, checked equal for every split into two reads and for one
    read per byte."""
    whole = await _events([stream])
    for cut in range(len(stream) + 1):
        assert await _events([stream[:cut], stream[cut:]]) == whole, cut
    assert await _events([stream[i : i + 1] for i in range(len(stream))]) == whole
    return whole


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
async def test_line_ends_comments_fields_and_multi_line_data(end: str):
    text = (
        "\ufeff: a comment, then a ping event\n"
        "event: ping\ndata:\n\n"
        'data: {"a": 1}\n\n'
        "id: 7\nretry: 100\nunknown: x\ndata:first\ndata:  second\n\n"
        "\n\n"
        'event: error\ndata: {"error": "bad"}\n\n'
        "data\n\n"
        "data: 東京。\n\n"
        "data: cut off"
    ).replace("\n", end)
    assert await _all_splits(text.encode()) == [
        ("ping", ""),
        ("message", '{"a": 1}'),
        ("message", "first\n second"),
        ("error", '{"error": "bad"}'),
        ("message", ""),
        ("message", "東京。"),
    ]


async def test_invalid_utf8_becomes_replacement_characters():
    assert await _all_splits(b"data: a\xff\xfeb\n\n") == [("message", "a\ufffd\ufffdb")]


async def test_a_blank_line_ended_by_the_last_cr_of_the_stream_still_dispatches():
    assert await _events([b"data: x\r\r"]) == [("message", "x")]
    assert await _events([b"data: x\r"]) == []


async def test_a_line_that_never_ends_is_refused_past_the_limit():
    with pytest.raises(LineTooLong):
        await _events([b"data: " + b"x" * 100] * 20, max_line=1000)
    assert await _events([b"data: " + b"x" * 900, b"\n\n"], max_line=1000) == [
        ("message", "x" * 900)
    ]


async def test_a_read_that_completes_no_event_yields_an_idle_mark():
    pieces = [b": ping\n\n", b"\n", b'data: {"a"', b": 1}\n\n", b": ping\n\ndata: 2\n\n"]
    assert await _pairs(pieces) == [
        (IDLE, ""), (IDLE, ""), (IDLE, ""), ("message", '{"a": 1}'), ("message", "2")
    ]  # fmt: skip
