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
  one ``altN_text``/``altN_logprob`` pair each, K = the most any row of the export has.
  Fixed columns rather than a JSON cell, so a spreadsheet or ``pandas.read_csv`` reads them
  without parsing.

Rows end in ``\\n``; cells are quoted only when needed (the ``csv`` module's minimal quoting).
"""

from __future__ import annotations

import csv
import io
from typing import Any

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


def token_rows(conversation: Conversation) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of the token table."""
    rows: list[list[Any]] = []
    widest = 0
    for answer_number, stored in enumerate(conversation.answers, start=1):
        for token in stored.answer.tokens:
            alternatives = token.alternatives()
            widest = max(widest, len(alternatives))
            row: list[Any] = [
                conversation.id,
                stored.id,
                answer_number,
                _number(stored.question_id),
                token.index,
                token.scope,
                safe_line(token.token),
                safe_line(token.text),
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
            for alt in alternatives:
                row += [safe_line(alt.text), _number(alt.logprob)]
            rows.append(row)
    for row in rows:
        row.extend([""] * (len(BASE_COLUMNS) + 2 * widest - len(row)))
    return columns(widest), rows


def to_csv(conversation: Conversation) -> str:
    header, rows = token_rows(conversation)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
