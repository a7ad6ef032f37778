"""Token parts in format 2: compressed named columns, generic over the record's fields, and
format-1 parts of older files still read the same."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from tests.core.store.answers import japanese_answer, reasoning_answer
from tui.core.store import codec
from tui.core.wire.records import TokenRecord


@pytest.mark.parametrize("make", [japanese_answer, reasoning_answer])
def test_a_part_round_trips_through_format_2(make):
    answer = make()
    tokens_blob, raw_blob = codec.encode_part(answer.tokens, answer.raw)
    assert codec.TOKENS_FORMAT == codec.FORMAT_PACKED
    tokens, raw = codec.decode_part(codec.FORMAT_PACKED, tokens_blob, raw_blob)
    assert raw == answer.raw and tokens == answer.tokens
    shared = [t for t in tokens if t.raw_top is not None and t.top_count]
    assert shared and all(
        t.raw_top is row["top_logprobs"] for t, row in zip(tokens, raw, strict=False) if t.top_count
    )  # one list in memory, as after reading the stream


def test_format_2_names_every_field_and_stores_shared_alternatives_once():
    answer = japanese_answer()
    tokens_blob, raw_blob = codec.encode_part(answer.tokens, answer.raw)
    data = orjson.loads(codec.unpack(codec.FORMAT_PACKED, tokens_blob))
    assert data["fields"] == [f.name for f in dataclasses.fields(TokenRecord)]
    assert data["hex"] == ["bytes"]
    tops = data["columns"][data["fields"].index("raw_top")]
    assert tops and all(top is True for top in tops)  # every row's list is its raw row's
    plain_json = sum(map(len, codec.encode_part_v1(answer.tokens, answer.raw)))
    assert len(tokens_blob) + len(raw_blob) < plain_json / 2


def test_format_1_parts_still_decode_to_the_same_records():
    answer = japanese_answer()
    tokens, raw = codec.decode_part(
        codec.FORMAT_JSON, *codec.encode_part_v1(answer.tokens, answer.raw)
    )
    assert raw == answer.raw and tokens == answer.tokens


def _columns_blob(data: dict) -> bytes:
    return codec._pack(orjson.dumps(data))


def test_a_part_written_with_other_record_fields_reads_what_is_known_now():
    """Fields are stored by name: a field the reader's record lacks is skipped, a field the
    writer's record lacked takes the reader's default (here ``note`` and ``top_count``)."""
    answer = reasoning_answer()
    data = codec.token_columns(answer.tokens, answer.raw)
    fields, columns = data["fields"], data["columns"]
    drop = {"note", "top_count"}
    kept = [(f, c) for f, c in zip(fields, columns, strict=True) if f not in drop]
    data = {
        "fields": [f for f, _ in kept] + ["from_the_future"],
        "hex": data["hex"],
        "columns": [c for _, c in kept] + [[1] * len(answer.tokens)],
    }
    tokens, shared = codec.decode_tokens(codec.FORMAT_PACKED, _columns_blob(data), answer.raw)
    assert [t.token for t in tokens] == [t.token for t in answer.tokens]
    assert [t.logprob for t in tokens] == [t.logprob for t in answer.tokens]
    assert [t.bytes for t in tokens] == [t.bytes for t in answer.tokens]
    assert all(t.note == "" and t.top_count == 0 for t in tokens)  # the defaults
    assert shared == [k for k, t in enumerate(answer.tokens) if t.raw_top is not None]


def test_a_damaged_compressed_part_is_a_value_error_like_damaged_json():
    answer = japanese_answer()
    tokens_blob, raw_blob = codec.encode_part(answer.tokens, answer.raw)
    with pytest.raises(ValueError, match="damaged token part"):
        codec.decode_part(codec.FORMAT_PACKED, tokens_blob[:-9] + b"\0" * 9, raw_blob)
    with pytest.raises(ValueError, match="unknown token format 7"):
        codec.decode_tokens(7, tokens_blob, None)


def _rows(n: int) -> list[dict]:
    return [
        {"token": f" w{i}", "logprob": -i / 7, "top_logprobs": [{"token": "x", "logprob": -1.5}]}
        for i in range(n)
    ]


def _records(raw: list[dict]) -> list[TokenRecord]:
    return [
        TokenRecord(
            index=i,
            scope="answer",
            token=r["token"],
            text=r["token"],
            bytes=r["token"].encode(),
            logprob=r["logprob"],
        )
        for i, r in enumerate(raw)
    ]


@pytest.mark.parametrize("n", [0, 1, codec.CHUNK_ROWS, codec.CHUNK_ROWS + 1, 3 * codec.CHUNK_ROWS])
def test_dump_json_gives_the_bytes_of_one_orjson_call_whatever_the_size(n):
    raw = _rows(n)
    tokens = _records(raw)
    columns = codec.token_columns(tokens, raw)
    for value in (raw, columns, {"a": raw, "b": [raw, [1, 2]], "c": None}, [[], [[1]], []]):
        assert codec.dump_json(value) == orjson.dumps(value)


def test_dump_json_serialises_a_long_part_in_pieces_so_the_store_thread_gives_way(monkeypatch):
    """orjson holds the GIL for a whole call: one call on a fast stream's checkpoint (10,000
    top-20 rows) stalled the screen ~20 ms behind the store's thread."""
    sizes: list[int] = []
    real = orjson.dumps

    class Counting:
        @staticmethod
        def dumps(value):
            sizes.append(len(value) if isinstance(value, list | dict) else 1)
            return real(value)

    monkeypatch.setattr(codec, "orjson", Counting)
    raw = _rows(10_000)
    tokens = _records(raw)
    codec.encode_part(tokens, raw)
    assert sizes and max(sizes) <= codec.CHUNK_ROWS
    assert sum(s for s in sizes if s > 1) >= 20_000  # every row and every column went through
