"""An answer's raw rows for the time an export needs them, and streamed, private files.

A conversation reopened from the history keeps its raw rows as stored (compressed) bytes
(``codec.RawParts``). An export needs them one answer at a time (the alternatives of the
tokens, the ``raw`` key of the JSON): :func:`raw_rows` parses them for the ``with`` block and
lets go of them after, so exporting 200 answers × 500 tokens × top-20 holds one answer's rows
at a time (~10 MB), not all of them (~1 GB). Answers whose rows are already parsed are left
as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tui.core import gc_pause
from tui.core.answer import Answer
from tui.core.private_file import write_private


@contextmanager
def raw_rows(answer: Answer) -> Iterator[list]:
    """The answer's raw rows, with the alternatives on its tokens, inside the block.

    The cyclic collector stays paused for the whole block, not only while the rows are
    parsed: they are garbage at its end, and a collection after the parse walked all of them
    once more before they were freed (15 % of a JSON export, py-spy)."""
    pending = answer.raw_pending
    if pending is None:
        yield answer.raw
        return
    with gc_pause.paused():
        rows = pending.load(answer.tokens, keep=True)
        try:
            yield rows
        finally:
            pending.release(answer.tokens)
            del rows  # freed here, while collection is still off


def write_private_file(path: Path, pieces: Iterable[bytes]) -> None:
    """Write ``pieces`` to ``path`` as they come: atomically and 0600 for a file (through a
    symbolic link to the file it names), through for a FIFO or standard output; a device
    node is refused (:func:`tui.core.private_file.write_private`). Raises ``OSError``."""
    write_private(path, pieces)
