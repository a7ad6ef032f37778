"""The CSV export's lean path (issue 18 item 19) writes exactly the cells the normalising path
wrote: the reference below is the writer as it was (``TokenRecord.alternatives()``, ``repr``,
``csv.writer``), run on the bench conversation and on rows that take every branch of the
alternatives' text (merged llama.cpp bytes, a character split over tokens, escapes, unknown
and odd logprobs, unsorted lists, repeated tokens with other bytes)."""

from __future__ import annotations

import csv
import io
import math
import random
from pathlib import Path

import orjson

from tests.bench.cases.history import write_history
from tui.core.answer import AnswerBuilder
from tui.core.export import to_csv
from tui.core.export.csv_tokens import _numbers, columns, widest
from tui.core.export.rows import raw_rows
from tui.core.safety import safe_line
from tui.core.store import AnswerParams, Conversation, Store, history_path
from tui.core.store.lineage import answer_trees
from tui.core.wire.events import TokensReceived
from tui.core.wire.normalise import normalise_row


def _reference_csv(conversation: Conversation) -> str:
    """The CSV writer before the lean path (raw cells: it had no formula guard), with the
    branch columns as that writer wrote them."""

    def number(value: float | int | None) -> str:
        return "" if value is None else repr(value)

    k = widest(conversation)
    width = len(columns(k))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(k))
    trees = answer_trees(conversation)
    for answer_number, stored in enumerate(conversation.answers, start=1):
        tree = trees.get(stored.id)
        place: list[object] = (
            ["", "", "", "", ""]
            if tree is None
            else [tree.origin, number(tree.follows_id), number(tree.source_id), tree.label,
                  int(tree.on_path)]
        )  # fmt: skip
        given = stored.answer.prefill_tokens
        with raw_rows(stored.answer):
            for token in stored.answer.tokens:
                row: list[object] = [
                    conversation.id, stored.id, answer_number, number(stored.question_id),
                    *place, token.index, token.scope, safe_line(token.token), safe_line(token.text),
                    "" if token.bytes is None else token.bytes.hex(), number(token.id),
                    number(token.logprob), number(token.prob), token.note, token.top_count,
                    number(token.top_mass) if token.top_count else "",
                    number(token.residual_mass), number(token.top_entropy),
                    number(token.char_start), int(token.recovered), int(token.index < given),
                ]  # fmt: skip
                for alt in token.alternatives():
                    row += [safe_line(alt.text), number(alt.logprob)]
                row += [""] * (width - len(row))
                writer.writerow(row)
    return out.getvalue()


def _load(data_dir: Path) -> Conversation:
    with Store.open(history_path(data_dir)) as store:
        return store.load_conversation(store.last_conversation_id(), lazy=True)


def test_the_bench_conversation_gives_the_same_cells(tmp_path: Path) -> None:
    write_history(tmp_path, 6, 120)
    assert to_csv(_load(tmp_path)) == _reference_csv(_load(tmp_path))
    assert to_csv(_load(tmp_path), raw_cells=True) == _reference_csv(_load(tmp_path))


def _alt(token: object, logprob: object, data: object = "auto", **extra: object) -> dict:
    if data == "auto":
        data = list(str(token).encode()) if isinstance(token, str) else None
    return {"token": token, "logprob": logprob, "bytes": data, **extra}


def _odd_rows() -> list[dict]:
    ha, ta = "は".encode(), "た".encode()  # e3 81 af, e3 81 9f
    rows = [
        # llama.cpp merged a split character into this row (ids known: merged_prefix exact).
        {"token": "ち", "logprob": -0.2, "id": 7, "bytes": list("ち".encode()),
         "top_logprobs": [_alt("\\x81", -0.2, [0xA1], id=7), _alt("x", -1.5, [0x81], id=8),
                          _alt("\\xaf", -2.0, [0xAF], id=9)]},
        # Merged bytes unknown (no ids): continuation alternatives completed from the row.
        {"token": "は", "logprob": -0.3, "bytes": list(ha),
         "top_logprobs": [_alt("\\xaf", -0.3, [0xAF]), _alt("\\x9f", -0.9, [ta[2]]),
                          _alt("a", -1.2)]},
        # Unknown, sentinel and probability-valued logprobs, unsorted, non-dict, no bytes.
        {"token": "q", "logprob": -0.5, "bytes": [113],
         "top_logprobs": [_alt("b", -3.0), _alt("c", None), "junk", _alt("d", -9999.0),
                          _alt("e", float("nan")), _alt("f", 0.25), _alt("q", -0.5),
                          _alt("g", -1e-05), _alt("h", 0.0), _alt(5, -2.0, None),
                          _alt(None, -2.5, None), _alt("Ġspace", -4.0, None)]},
        # Bytes that are not text, escapes, U+FFFD bytes, a repeated token with other bytes.
        {"token": "\\xf0\\x9f", "logprob": -0.1, "bytes": None,
         "top_logprobs": [_alt("\\xf0\\x9f", -0.1, None), _alt("b", -0.7, [0xF0, 0x9F]),
                          _alt("c", -0.8, list("\ufffd".encode())), _alt("x", -0.9, [0x78])]},
        # Tiny, zero and huge-magnitude logprobs (repr's exponent forms), a formula text.
        {"token": "=1+2", "logprob": -1e-07, "bytes": list(b"=1+2"),
         "top_logprobs": [_alt("=1+2", -1e-07), _alt("-", -0.0001), _alt("@", -1.5e16),
                          _alt("+", -123456789.125), _alt(",", -5e-324)]},
        {"token": "z", "logprob": 0.0, "bytes": [122],
         "top_logprobs": [_alt("z", 0.0), _alt('"q"', -0.5), _alt("\n", -0.6)]},
    ]  # fmt: skip
    rng = random.Random(7)
    for i in range(40):  # random odd values in sorted and unsorted lists
        top = [_alt(f"t{j % 5}", -abs(rng.choice([1e-6, 1e-3, 1.0, 30.0]) * rng.random()))
               for j in range(8)]  # fmt: skip
        if i % 2:
            top.sort(key=lambda a: a["logprob"], reverse=True)
        rows.append({"token": "r", "logprob": -0.3, "bytes": [114], "top_logprobs": top})
    return rows


def test_rows_that_take_every_branch_give_the_same_cells(tmp_path: Path) -> None:
    raw = _odd_rows()
    raw = orjson.loads(orjson.dumps(raw, option=orjson.OPT_SERIALIZE_NUMPY))  # as stored
    tokens = [normalise_row(row, i, "answer", 20) for i, row in enumerate(raw)]
    builder = AnswerBuilder()
    builder.apply(TokensReceived(tokens, raw))
    with Store.open(history_path(tmp_path)) as store:
        cid = store.create_conversation()
        store.add_user_message(cid, "q")
        store.save_answer(cid, AnswerParams(model="m"), builder.finish("complete"))
    assert to_csv(_load(tmp_path), raw_cells=True) == _reference_csv(_load(tmp_path))
    # The default differs only where a text cell would be a formula.
    guarded = list(csv.reader(io.StringIO(to_csv(_load(tmp_path)))))
    plain = list(csv.reader(io.StringIO(_reference_csv(_load(tmp_path)))))
    changed = {
        (a, b) for row_a, row_b in zip(guarded, plain, strict=True)
        for a, b in zip(row_a, row_b, strict=True) if a != b
    }  # fmt: skip
    assert changed == {("'=1+2", "=1+2"), ("'-", "-"), ("'@", "@"), ("'+", "+")}


def test_logprobs_are_written_as_repr_writes_them() -> None:
    rng = random.Random(3)
    values = [0.0, -0.0, -1e-4, -1e-05, -0.00011, -1e15, -1e16, -9999999999999998.0, -5e-324]
    values += [-(10 ** rng.uniform(-8, 17)) for _ in range(20_000)]
    values += [-rng.random() * 30 for _ in range(20_000)]
    for start in range(0, len(values), 20):
        chunk = values[start : start + 20]
        assert _numbers(chunk) == [repr(v) for v in chunk]
        assert _numbers([*chunk, None]) == [*(repr(v) for v in chunk), ""]
    assert all(math.isfinite(v) for v in values)
