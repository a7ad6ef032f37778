"""The raw logprob JSON of an answer as lines, formatted only when they are looked at.

A 20,000-token answer with ``top_logprobs`` 20 is about 40 MB of JSON: formatting it into one
string (and laying that out in a text area) would freeze the screen for seconds. Instead each
row's line count is known without formatting it, so the viewer knows the total height at once
and formats only the rows on screen (a few dozen), with a small cache.

Layout (valid JSON when the lines are joined with newlines; within a row ``token`` and
``logprob`` come first, so they are in sight however narrow the pane, then the server's
other keys in its order, and the alternatives list last)::

    {"content": [
      {"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": [
        {"token": "Hi", "logprob": -0.1, "bytes": [72, 105]},
        {"token": "Hello", "logprob": -2.4, "bytes": [72, 101, 108, 108, 111]}
      ]},
      {"token": "!", "logprob": -0.5, "top_logprobs": [
      ]}
    ]}

A row with an alternatives list takes 2 + len(list) lines; any other row takes one line.
Text goes through :func:`tui.core.jsonio.dumps` (control and bidi characters escaped), so no
line can act on the terminal. A line longer than :data:`MAX_LINE_CHARS` (a hostile server's
1 MB token) is cut for display, ending with how many characters were left out: the viewer
never lays out megabytes for one line. Copying or saving the JSON gives every byte.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from typing import Any

from tui.core.jsonio import dumps

TOP_KEYS = ("top_logprobs", "top_probs")
"""Where servers put a row's alternatives (OpenAI/vLLM/llama.cpp; llama.cpp probabilities)."""

FRONT_KEYS = ("token", "logprob", "prob")
"""Keys shown first in a row and in each alternative (``prob``: llama.cpp's ``top_probs``)."""

INDENT = "  "
OPEN_LINE = '{"content": ['
CLOSE_LINE = "]}"
EMPTY_LINE = "null"
CACHE_ROWS = 256
MAX_LINE_CHARS = 2000
"""Longest line shown; real rows are a few hundred characters (bytes lists included)."""


def _top_key(row: Any) -> str | None:
    if type(row) is dict:
        for key in TOP_KEYS:
            if type(row.get(key)) is list:
                return key
    return None


def row_line_count(row: Any) -> int:
    """Lines one row takes: 2 + alternatives with an alternatives list, else 1 (O(1))."""
    key = _top_key(row)
    return 1 if key is None else 2 + len(row[key])


def front_first(value: Any) -> Any:
    """A dict with :data:`FRONT_KEYS` first (then the others in their order); anything else
    as it is."""
    if type(value) is not dict or not any(key in value for key in FRONT_KEYS):
        return value
    front = {key: value[key] for key in FRONT_KEYS if key in value}
    return {**front, **{k: v for k, v in value.items() if k not in front}}


def _one_line(value: Any) -> str:
    return dumps(front_first(value), indent=None)


def cut_line(line: str, limit: int = MAX_LINE_CHARS) -> str:
    """``line``, or its first ``limit`` characters and how many more there were."""
    if len(line) <= limit:
        return line
    return f"{line[:limit]} … ({len(line) - limit:,} more characters)"


def format_row(row: Any) -> list[str]:
    """The lines of one row (without the comma that separates it from the next row), each cut
    to :data:`MAX_LINE_CHARS`."""
    return [cut_line(line) for line in _full_lines(row)]


def _full_lines(row: Any) -> list[str]:
    key = _top_key(row)
    if key is None:
        return [INDENT + _one_line(row)]
    rest = {k: v for k, v in row.items() if k != key}
    head = _one_line(rest)[:-1]  # drop the closing brace
    head = head + (", " if rest else "") + f'"{key}": ['
    alternatives = row[key]
    lines = [INDENT + head]
    last = len(alternatives) - 1
    for i, alt in enumerate(alternatives):
        lines.append(INDENT * 2 + _one_line(alt) + ("," if i < last else ""))
    lines.append(INDENT + "]}")
    return lines


class RawJsonLines:
    """Line access to ``{"content": rows}`` for a row list that may still be growing."""

    def __init__(self, rows: list[Any] | None = None) -> None:
        self._rows: list[Any] = []
        self._starts: list[int] = []  # first line of each row
        self._total = 0  # lines of all rows
        self._cache: OrderedDict[int, list[str]] = OrderedDict()
        if rows is not None:
            self.attach(rows)

    def attach(self, rows: list[Any]) -> None:
        """Show ``rows`` (kept by reference: later appends are picked up by :meth:`sync`).
        The list already shown (a streamed answer as it ends) keeps its index: only rows
        added since are counted (re-counting a 20k-row answer stalled the screen ~20 ms)."""
        if rows is self._rows and len(rows) >= len(self._starts):
            self._cache.clear()  # a row may have been rewritten in place (a scrubbed key)
            self.sync()
            return
        self._rows = rows
        self._starts = []
        self._total = 0
        self._cache.clear()
        self.sync()

    def sync(self) -> int:
        """Index the rows appended since the last call; return how many there were. O(new)."""
        rows = self._rows
        starts = self._starts
        first = len(starts)
        total = self._total + 1  # line 0 is the opening line
        for i in range(first, len(rows)):
            starts.append(total)
            total += row_line_count(rows[i])
        self._total = total - 1
        # The previous last row gains a trailing comma once another row follows it.
        return len(rows) - first

    @property
    def row_count(self) -> int:
        return len(self._starts)

    @property
    def line_count(self) -> int:
        if not self._starts:
            return 1
        return self._total + 2

    def row_of_line(self, line: int) -> int | None:
        """The row shown on ``line``, or ``None`` for the opening and closing lines."""
        if not self._starts or line <= 0 or line >= self.line_count - 1:
            return None
        return bisect_right(self._starts, line) - 1

    def line_of_row(self, row: int) -> int:
        return self._starts[row]

    def line(self, index: int) -> str:
        """Line ``index`` (0-based) of the document; "" outside it."""
        if not self._starts:
            return EMPTY_LINE if index == 0 else ""
        if index == 0:
            return OPEN_LINE
        last_line = self.line_count - 1
        if index == last_line:
            return CLOSE_LINE
        if index < 0 or index > last_line:
            return ""
        row = bisect_right(self._starts, index) - 1
        lines = self._row_lines(row)
        offset = index - self._starts[row]
        text = lines[offset]
        if offset == len(lines) - 1 and row < len(self._starts) - 1:
            text += ","
        return text

    def _row_lines(self, row: int) -> list[str]:
        cache = self._cache
        lines = cache.get(row)
        if lines is None:
            lines = format_row(self._rows[row])
            cache[row] = lines
            if len(cache) > CACHE_ROWS:
                cache.popitem(last=False)
        else:
            cache.move_to_end(row)
        return lines

    def text(self) -> str:
        """Every line joined (for tests and small answers; never used for display; valid JSON
        only when no line was cut)."""
        return "\n".join(self.line(i) for i in range(self.line_count))
