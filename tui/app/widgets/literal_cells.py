"""Table cells shown exactly as written.

A ``DataTable`` parses a plain string cell as markup, so ``[bold]`` in a question, an answer
or a prompt label would be styling instead of text. Cells of user and model text go in as
``rich.text.Text`` (literal) through these.
"""

from __future__ import annotations

from rich.text import Text


def literal(cell: str, *, right: bool = False) -> Text:
    """A table cell shown as written: a DataTable parses plain strings as markup, and
    questions, answers and prompt labels are user and model text."""
    return Text(cell, justify="right" if right else "left")


def literal_row(cells: list[str], numbers_from: int = 1) -> list[Text]:
    """A row of literal cells, right-aligned from column ``numbers_from`` on."""
    return [literal(cell, right=c >= numbers_from) for c, cell in enumerate(cells)]
