"""CSV token table: one row per token of every answer of a conversation.

Columns::

    conversation_id, message_id, answer_number, question_id, index, scope, token, text,
    bytes_hex, token_id, logprob, prob, note, top_count, top_mass, residual_mass,
    top_entropy, char_start, recovered, alt1_text, alt1_logprob, ..., altK_text, altK_logprob

* ``message_id`` is the answer's id (the same as ``message_id`` in the JSONL export, to join
  them); ``index`` is the row's position in its answer; ``scope`` is answer/reasoning/other.
* ``token`` is the token string as the server sent it, ``text`` what it displays as. Both go
  through ``safe_line``: control characters become visible symbols and a newline shows as
  ``⏎``, so the file is safe to ``cat`` and every row is one line. ``bytes_hex`` keeps the
  token's exact bytes (hex) when the server sent them, for anyone who needs them faithfully.
* Numbers are written in full precision (``repr``); unknown values are empty cells.
  ``logprob`` is the natural log, ``prob`` = exp(logprob), ``residual_mass`` = 1 − Σ top-k p,
  ``top_entropy`` in nats.
* ``char_start``: for a token that is one of several forming one character, the ``index`` of
  the first of them (empty otherwise); ``recovered`` is 1 for a token llama.cpp hid and that
  was measured afterwards (:mod:`tui.core.recovery`).
* Alternatives are the top-k candidates, most likely first (``TokenRecord.alternatives``),
  one ``altN_text``/``altN_logprob`` pair each, K = the most any row of the export has
  (``top_count``: the header is written first, the rows answer by answer after).
  Fixed columns rather than a JSON cell, so a spreadsheet or ``pandas.read_csv`` reads them
  without parsing.

Rows end in ``\\n``; cells are quoted only when needed (the ``csv`` module's minimal quoting).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from tui.core.export.rows import raw_rows
from tui.core.safety import safe_line
from tui.core.store.models import Conversation

BASE_COLUMNS = (
    "conversation_id",
    "message_id",
    "answer_number",
    "question_id",
    "index",
    "scope",
    "token",
    "text",
    "bytes_hex",
    "token_id",
    "logprob",
    "prob",
    "note",
    "top_count",
    "top_mass",
    "residual_mass",
    "top_entropy",
    "char_start",
    "recovered",
)


def _number(value: float | int | None) -> str:
    return "" if value is None else repr(value)


def columns(alternatives: int) -> list[str]:
    names = list(BASE_COLUMNS)
    for n in range(1, alternatives + 1):
        names += [f"alt{n}_text", f"alt{n}_logprob"]
    return names


class _SafeCells(dict[str, str]):
    """``safe_line`` of each text, computed once per distinct text: alternatives repeat the
    vocabulary, and a 100k-token export has 2 million alternative cells."""

    def __missing__(self, text: str) -> str:
        value = self[text] = safe_line(text)
        return value


def _token_row(
    conversation_id: int, stored: Any, answer_number: int, token: Any, safe: _SafeCells
) -> list[Any]:
    row: list[Any] = [
        conversation_id,
        stored.id,
        answer_number,
        _number(stored.question_id),
        token.index,
        token.scope,
        safe[token.token],
        safe[token.text],
        "" if token.bytes is None else token.bytes.hex(),
        _number(token.id),
        _number(token.logprob),
        _number(token.prob),
        token.note,
        token.top_count,
        _number(token.top_mass) if token.top_count else "",
        _number(token.residual_mass),
        _number(token.top_entropy),
        _number(token.char_start),
        int(token.recovered),
    ]
    append = row.append
    for alt in token.alternatives():
        append(safe[alt.text])
        logprob = alt.logprob
        append("" if logprob is None else repr(logprob))  # _number, inlined: 2M cells
    return row


def widest(conversation: Conversation) -> int:
    """K: the most alternatives any token of the conversation has (known from the records
    alone, so the header is written before any raw row is read)."""
    return max(
        (t.top_count for stored in conversation.answers for t in stored.answer.tokens),
        default=0,
    )


def csv_pieces(conversation: Conversation) -> Iterator[str]:
    """The table in pieces: the header, then one piece per answer (its rows loaded only
    while its piece is made)."""
    k = widest(conversation)
    width = len(BASE_COLUMNS) + 2 * k
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns(k))
    safe = _SafeCells()
    for answer_number, stored in enumerate(conversation.answers, start=1):
        with raw_rows(stored.answer):
            rows = [
                _token_row(conversation.id, stored, answer_number, token, safe)
                for token in stored.answer.tokens
            ]
        for row in rows:
            if len(row) < width:
                row.extend([""] * (width - len(row)))
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def to_csv(conversation: Conversation) -> str:
    return "".join(csv_pieces(conversation))
