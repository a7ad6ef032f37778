"""Terminal cell widths, for labels and aligned plain-text tables: East Asian wide and
fullwidth characters take two cells (Japanese text is most of what users write), combining
marks and zero-width characters none."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def char_cells(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Cells ``text`` takes in a terminal (one line, already made safe)."""
    if text.isascii():
        return len(text)
    return sum(char_cells(c) for c in text)


def fit_cells(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` cells, ending in "…" when cut."""
    if cell_width(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        cells = char_cells(char)
        if used + cells > width - 1:
            break
        out.append(char)
        used += cells
    return "".join(out).rstrip() + "…"


def pad_cells(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` cells (left-aligned unless ``right``)."""
    gap = " " * max(0, width - cell_width(text))
    return gap + text if right else text + gap
