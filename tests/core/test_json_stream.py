"""The streamed JSON writer: the same document as a plain dump, in pieces, terminal-safe."""

from __future__ import annotations

import dataclasses
import json
import math

import orjson
import pytest

from tests.core.store.answers import japanese_answer, reasoning_answer
from tui.core import json_stream, jsonio
from tui.core.json_stream import Lazy, token_object
from tui.core.wire.records import TokenRecord


def _written(value, *, indent: bool = False) -> bytes:
    pieces: list[bytes] = []
    json_stream.write(value, pieces.append, indent=indent)
    return b"".join(pieces)


def test_token_objects_are_the_record_fields_with_openai_names_for_alternatives():
    names = [f.name for f in dataclasses.fields(TokenRecord)]
    # Every field, in order, whatever fields the record has: new ones flow through.
    assert list(json_stream.TOKEN_KEYS) == ["top_logprobs" if n == "raw_top" else n for n in names]
    token = japanese_answer().tokens[0]
    data = orjson.loads(_written({"t": Lazy([token_object(token)])}))["t"][0]
    assert data["token"] == token.token and data["text"] == token.text == "ど"
    assert data["bytes"] == list(token.bytes)  # bytes as OpenAI writes them: integers
    assert data["logprob"] == token.logprob and data["id"] == token.id
    assert data["top_logprobs"] == token.raw_top  # the alternatives exactly as sent


def test_lazy_arrays_give_the_same_document_as_one_dump_across_batches():
    tokens = reasoning_answer().tokens * (json_stream.BATCH // 3 + 2)  # over one batch
    rows = [token_object(t) for t in tokens]
    document = {
        "a": 1,
        "nested": {"tokens": Lazy(iter(rows)), "after": [1, 2]},
        "empty": Lazy([]),
        "messages": Lazy([{"id": 1, "inner": Lazy(rows[:3])}, {"id": 2}]),
    }
    plain = {
        "a": 1,
        "nested": {"tokens": rows, "after": [1, 2]},
        "empty": [],
        "messages": [{"id": 1, "inner": rows[:3]}, {"id": 2}],
    }
    compact = _written(document | {"nested": {"tokens": Lazy(iter(rows)), "after": [1, 2]}})
    assert b"\n" not in compact
    assert orjson.loads(compact) == orjson.loads(orjson.dumps(plain, default=list))
    indented = _written(
        document | {"nested": {"tokens": Lazy(iter(rows)), "after": [1, 2]}}, indent=True
    )
    assert json.loads(indented) == orjson.loads(orjson.dumps(plain, default=list))
    lines = indented.decode().splitlines()
    token_lines = [line for line in lines if line.lstrip().startswith('{"index"')]
    assert len(token_lines) == len(rows) + 3  # one line per item of a lazy array


def test_items_are_made_while_the_document_is_written():
    written: list[bytes] = []
    seen_before_item: list[int] = []

    def items():
        for k in range(3 * json_stream.BATCH):
            if k % json_stream.BATCH == 0:
                seen_before_item.append(sum(map(len, written)))
            yield {"k": k}

    json_stream.write({"head": "first", "rows": Lazy(items())}, written.append)
    # Each batch is made after the previous one was handed to the sink: never all at once.
    assert seen_before_item[0] > 0 and seen_before_item == sorted(set(seen_before_item))
    assert len(orjson.loads(b"".join(written))["rows"]) == 3 * json_stream.BATCH


def test_output_is_terminal_safe_and_strict_json():
    nasty = "a\x1b[2J\x07\x7f\x9b31m\u202eevil\u2066x\u061c\u200f"
    data = _written({"text": nasty, "rows": Lazy([{"t": nasty, "x": math.nan}])})
    text = data.decode()
    for char in ("\x1b", "\x07", "\x7f", "\x9b", "\u202e", "\u2066", "\u061c", "\u200f"):
        assert char not in text
    decoded = json.loads(text)  # strict: NaN became null
    assert decoded == {"text": nasty, "rows": [{"t": nasty, "x": None}]}


def test_what_orjson_refuses_goes_through_the_standard_module():
    huge = 2**70
    data = _written({"big": huge, "rows": Lazy([{"id": huge, "x": math.inf}, {"b": b"\x01"}])})
    assert json.loads(data) == {"big": huge, "rows": [{"id": huge, "x": None}, {"b": [1]}]}


def test_unknown_objects_are_refused():
    with pytest.raises(TypeError):
        _written({"x": object()})


def test_every_character_jsonio_escapes_is_escaped_here_too():
    """The streamed writer and :func:`tui.core.jsonio.dumps` keep the same promise: whatever
    the latter escapes (terminal controls, invisible characters), the former does too."""
    code_points = [*range(0x7F, 0xD800), *range(0xE000, 0x10000), *range(0xE0000, 0xE1000)]
    text = "".join(map(chr, code_points))
    by_jsonio = json.loads(jsonio.dumps(text))
    assert by_jsonio == text  # lossless
    plain_in_jsonio = set(jsonio.dumps(text, indent=None))
    plain_here = set(json_stream.dumps(text).decode())
    escaped_by_jsonio = set(text) - plain_in_jsonio
    escaped_here = set(text) - plain_here
    assert escaped_by_jsonio  # DEL, C1, bidi at least
    assert escaped_by_jsonio <= escaped_here, sorted(
        map(hex, map(ord, escaped_by_jsonio - escaped_here))
    )
    assert json.loads(json_stream.dumps(text)) == text
    # Tags beyond the Basic Multilingual Plane are written as a surrogate pair.
    assert json_stream.dumps("\U000e0041") == b'"\\udb40\\udc41"'
