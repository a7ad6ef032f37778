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
Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) get a
``'`` in front (:mod:`.cells`, OWASP's advice; ``raw_cells`` writes them as they are); number
cells are numbers.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from typing import Any

import orjson

from tui.core.export.cells import neutral_cell
from tui.core.export.rows import raw_rows
from tui.core.safety import safe_line
from tui.core.store.models import Conversation
from tui.core.wire.values import alternative_cells

_exp = math.exp

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


_SHORT_LOW = -1e16
"""Between this and -1e-4 (and at 0) orjson writes a float exactly as ``repr`` does: the
shortest digits that read back the same, in plain notation (outside it ``repr`` turns to
``1e-05`` where orjson writes ``1e-5``; tests/core/test_csv_cells.py)."""


def _numbers(logprobs: list[float | None]) -> list[str]:
    """``repr`` of each logprob (``None``: ``""``), a row's at once through orjson: 0.3 µs
    for 20 where ``repr`` takes 0.3 µs for each (2.5 million in a 200 × 500 × top-20
    export). Logprobs are ≤ 0; a row holding one outside orjson's plain range (or an
    unknown) is given to ``repr``."""
    if None not in logprobs and min(logprobs) > _SHORT_LOW:
        high = max(logprobs)
        if high <= -1e-4 or (high == 0.0 and not any(-1e-4 < v < 0.0 for v in logprobs)):
            return orjson.dumps(logprobs)[1:-1].decode().split(",")
    return ["" if value is None else repr(value) for value in logprobs]


def columns(alternatives: int) -> list[str]:
    names = list(BASE_COLUMNS)
    for n in range(1, alternatives + 1):
        names += [f"alt{n}_text", f"alt{n}_logprob"]
    return names


class _SafeCells(dict[str, str]):
    """The cell of each text, computed once per distinct text: ``safe_line``, then the
    formula neutralised (:mod:`.cells`) unless ``raw_cells``. Alternatives repeat the
    vocabulary, and a 100k-token export has 2 million alternative cells."""

    def __init__(self, *, raw_cells: bool = False) -> None:
        super().__init__()
        self.raw_cells = raw_cells

    def __missing__(self, text: str) -> str:
        value = safe_line(text)
        if not self.raw_cells:
            value = neutral_cell(value)
        value = self[text] = _quoted(value)
        return value


def _quoted(cell: str) -> str:
    """``cell`` as the csv module writes it with minimal quoting: in double quotes (doubled
    inside) when it holds a comma, a quote or a line break (``safe_line`` leaves none of
    the latter, but a raw cell is still a cell)."""
    if "," in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


class _Cells:
    """What one export shares between its rows: the text cells and the alternatives' texts."""

    def __init__(self, *, raw_cells: bool) -> None:
        self.safe = _SafeCells(raw_cells=raw_cells)
        self.texts: dict[str, tuple[Any, str, bool]] = {}  # token → (bytes, cell, …)


def _token_row(head: str, token: Any, cells: _Cells) -> list[str]:
    """One row's cells as text (``head``: the answer's first four cells, joined once)."""
    safe = cells.safe  # text → its finished cell (safe, neutralised, quoted)
    logprob = token.logprob
    top_count = token.top_count
    row = [
        head,
        str(token.index),
        safe[token.scope],
        safe[token.token],
        safe[token.text],
        "" if token.bytes is None else token.bytes.hex(),
        _text(token.id),
        _text(logprob),
        "" if logprob is None else repr(_exp(logprob)),
        safe[token.note],
        str(top_count),
        _text(token.top_mass) if top_count else "",
        _text(token.residual_mass),
        _text(token.top_entropy),
        _text(token.char_start),
        "1" if token.recovered else "0",
    ]
    # The lean path: the same texts and logprobs as token.alternatives(), in the same order,
    # without an Alternative object per cell (tests/core/test_csv_cells.py).
    texts, logprobs = alternative_cells(token.raw_top, token.bytes, token.id, cells.texts, safe)
    if texts:
        pairs = [""] * (2 * len(texts))
        pairs[::2] = texts
        pairs[1::2] = _numbers(logprobs)
        row += pairs
    return row


def _text(value: float | int | None) -> str:
    """A number cell: ``repr`` (full precision), or empty when unknown."""
    return "" if value is None else repr(value)


def widest(conversation: Conversation) -> int:
    """K: the most alternatives any token of the conversation has (known from the records
    alone, so the header is written before any raw row is read)."""
    return max(
        (t.top_count for stored in conversation.answers for t in stored.answer.tokens),
        default=0,
    )


def csv_pieces(conversation: Conversation, *, raw_cells: bool = False) -> Iterator[str]:
    """The table in pieces: the header, then one piece per answer (its rows loaded only
    while its piece is made). Text cells are neutralised against formula injection unless
    ``raw_cells`` (:mod:`.cells`).

    Rows are joined here rather than by ``csv.writer``: text cells come quoted from their
    cache (:func:`_quoted`, the csv module's minimal quoting), numbers are ``str`` (which is
    ``repr`` for floats), so each of the ~6 million cells of a 200 × 500 × top-20 export is
    not scanned again for characters to quote (the writer was a third of the export)."""
    k = widest(conversation)
    width = len(BASE_COLUMNS) + 2 * k
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(columns(k))
    yield header.getvalue()
    cells = _Cells(raw_cells=raw_cells)
    join = ",".join
    for answer_number, stored in enumerate(conversation.answers, start=1):
        head = join(
            [str(conversation.id), str(stored.id), str(answer_number), _text(stored.question_id)]
        )
        with raw_rows(stored.answer):
            rows = [_token_row(head, token, cells) for token in stored.answer.tokens]
        lines = []
        for row in rows:
            # (head holds 4 cells; an unknown or missing alternative is an empty cell)
            lines.append(join(row) + "," * (width - 3 - len(row)))
        lines.append("")
        yield "\n".join(lines)  # (an answer without tokens is an empty piece)


def to_csv(conversation: Conversation, *, raw_cells: bool = False) -> str:
    return "".join(csv_pieces(conversation, raw_cells=raw_cells))
