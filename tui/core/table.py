"""Plain-text tables that fit a terminal: every table the command line prints goes through
:func:`fit_table`.

Widths are terminal cells (:mod:`tui.core.cells`: an East Asian wide character takes two).
When the table is wider than the terminal it gives way in this order, never breaking a number:

1. headings: a column's heading wraps at its spaces, or its ``short`` form is used, so a
   column is as wide as its values, not its heading (``mean logprob ± 95% CI`` over
   ``-0.551 ± 3.401``);
2. text columns (``wrap``: labels, notes) wrap onto more lines, down to ``min_cells``, at
   spaces, or between two wide characters (Japanese has no spaces);
3. columns marked ``drop`` are left out, the highest first, and named in
   :attr:`Table.dropped` so the caller can say where they are (``--csv-summary``);
4. still too wide (a terminal narrower than the columns that are always kept): those are
   wrapped too, a value then breaks between its characters, so nothing runs off the edge.

Each line is right-trimmed; cells are separated by ``gap`` spaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.cells import cell_width, char_cells

GAP = 2

NO_LINE_START = frozenset("。、，．・：；！？）」』】〕〉》ー…ぁぃぅぇぉっゃゅょァィゥェォッャュョ")
"""Characters a Japanese line never starts with (a simple kinsoku rule): they stay with the
character before them."""


@dataclass(frozen=True, slots=True)
class Column:
    """How one column gives way. ``drop`` 0 keeps it always; a higher value is left out
    first. ``min_cells``: a wrapping column is never made narrower (its content may be)."""

    heading: str = ""
    right: bool = False
    wrap: bool = False
    short: str | None = None
    drop: int = 0
    min_cells: int = 10


@dataclass(frozen=True, slots=True)
class Table:
    lines: list[str]
    dropped: tuple[str, ...] = ()
    """Headings of the columns left out for lack of room, in table order."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def fit_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int | None = None,
    *,
    header: bool = True,
    gap: int = GAP,
) -> Table:
    """``rows`` (one string per column, one line each) laid out in at most ``width`` cells
    (``None``: as wide as they are). See the module docstring for what gives way first."""
    keep = list(range(len(columns)))
    while True:
        cols = [columns[i] for i in keep]
        cells = [[row[i] for i in keep] for row in rows]
        widths = _widths(cols, cells, width, gap, header)
        if widths is not None or not any(c.drop for c in cols):
            break
        victim = max((i for i in keep if columns[i].drop), key=lambda i: (columns[i].drop, i))
        keep.remove(victim)
    if widths is None:  # narrower than what is always kept: wrap everything
        assert width is not None
        widths = _squeezed(cols, cells, width, gap, header)
    dropped = tuple(c.heading for i, c in enumerate(columns) if i not in keep)
    return Table(_render(cols, cells, widths, gap, header), dropped)


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` cells: at spaces, between wide characters, and inside a
    word only when the word alone is wider than ``width``. Runs of spaces become one."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for unit, spaced in _units(paragraph):
            sep = " " if spaced and line else ""
            size = cell_width(unit)
            if used + len(sep) + size <= width:
                line, used = line + sep + unit, used + len(sep) + size
                continue
            if line:
                lines.append(line)
                line, used = "", 0
            for piece in _split_word(unit, width):
                if used:
                    lines.append(line)
                line, used = piece, cell_width(piece)
        lines.append(line)
    return lines


def _units(text: str) -> list[tuple[str, bool]]:
    """(unit, preceded by a space): words of narrow characters, and each wide character
    alone (a line may break on either side of it) but for :data:`NO_LINE_START`."""
    units: list[tuple[str, bool]] = []
    word, spaced = "", False
    for char in text:
        if char == " ":
            if word:
                units.append((word, spaced))
                word = ""
            spaced = True
        elif char_cells(char) == 2:
            if word:
                units.append((word, spaced))
                word, spaced = "", False
            if char in NO_LINE_START and units and not spaced:
                units[-1] = (units[-1][0] + char, units[-1][1])
            else:
                units.append((char, spaced))
            spaced = False
        else:
            word += char
    if word:
        units.append((word, spaced))
    return units


def _split_word(word: str, width: int) -> list[str]:
    """``word`` in pieces of at most ``width`` cells (a wide character is never split)."""
    pieces, piece, used = [], "", 0
    for char in word:
        size = char_cells(char)
        if used + size > width and piece:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + char, used + size
    pieces.append(piece)
    return pieces


def _longest_word(text: str) -> int:
    return max((cell_width(unit) for unit, _ in _units(text)), default=0)


def _natural(col: Column, values: list[str], header: bool) -> int:
    head = cell_width(col.heading) if header else 0
    return max([head, *(cell_width(v) for v in values)])


def _floor(col: Column, values: list[str], header: bool) -> int:
    """The narrowest this column gets before columns are dropped."""
    head = 0
    if header:
        head = min(_longest_word(h) for h in (col.heading, col.short) if h is not None)
    if col.wrap:
        return min(_natural(col, values, header), max(col.min_cells, head))
    return max([head, *(cell_width(v) for v in values)])


def _widths(
    cols: list[Column], cells: list[list[str]], width: int | None, gap: int, header: bool
) -> list[int] | None:
    """Column widths within ``width``, or None when even the floors do not fit."""
    columns = [[row[c] for row in cells] for c in range(len(cols))]
    natural = [_natural(col, values, header) for col, values in zip(cols, columns, strict=True)]
    gaps = gap * max(0, len(cols) - 1)
    if width is None or sum(natural) + gaps <= width:
        return natural
    widths = [_floor(col, values, header) for col, values in zip(cols, columns, strict=True)]
    room = width - gaps - sum(widths)
    if room < 0:
        return None
    # What is left goes to the text first (each wrapped cell costs a line per row), then to
    # headings, whole ones only (half a heading's growth still wraps it), the nearest first.
    room = _grow(widths, natural, [c for c in range(len(cols)) if cols[c].wrap], room)
    for c in sorted(range(len(cols)), key=lambda c: natural[c] - widths[c]):
        if not cols[c].wrap and 0 < natural[c] - widths[c] <= room:
            room -= natural[c] - widths[c]
            widths[c] = natural[c]
    return widths


def _grow(widths: list[int], natural: list[int], which: list[int], room: int) -> int:
    """Give ``room`` cells to the columns ``which``, one at a time to the one missing most."""
    while room > 0:
        short = [c for c in which if widths[c] < natural[c]]
        if not short:
            break
        c = max(short, key=lambda c: natural[c] - widths[c])
        widths[c] += 1
        room -= 1
    return room


def _squeezed(
    cols: list[Column], cells: list[list[str]], width: int, gap: int, header: bool
) -> list[int]:
    """Widths when nothing else helps: every column shares ``width`` (at least 1 cell each)."""
    columns = [[row[c] for row in cells] for c in range(len(cols))]
    natural = [_natural(col, values, header) for col, values in zip(cols, columns, strict=True)]
    widths = [1] * len(cols)
    _grow(widths, natural, list(range(len(cols))), width - gap * (len(cols) - 1) - len(cols))
    return widths


def _heading_lines(col: Column, width: int) -> list[str]:
    if cell_width(col.heading) <= width:
        return [col.heading]
    if col.short is not None and cell_width(col.short) <= width:
        return [col.short]
    return wrap_cells(col.heading, width)


def _cell_lines(col: Column, value: str, width: int) -> list[str]:
    if cell_width(value) <= width:
        return [value]
    return wrap_cells(value, width)


def _render(
    cols: list[Column], cells: list[list[str]], widths: list[int], gap: int, header: bool
) -> list[str]:
    spacer = " " * gap
    lines: list[str] = []

    def emit(block: list[list[str]], bottom: bool) -> None:
        height = max((len(b) for b in block), default=1)
        for i in range(height):
            parts = []
            for c, col in enumerate(cols):
                piece = block[c]
                offset = height - len(piece) if bottom else 0
                text = piece[i - offset] if 0 <= i - offset < len(piece) else ""
                gap_cells = max(0, widths[c] - cell_width(text))
                parts.append(" " * gap_cells + text if col.right else text + " " * gap_cells)
            lines.append(spacer.join(parts).rstrip())

    if header:
        emit([_heading_lines(col, widths[c]) for c, col in enumerate(cols)], bottom=True)
    for row in cells:
        emit([_cell_lines(col, row[c], widths[c]) for c, col in enumerate(cols)], bottom=False)
    return lines
