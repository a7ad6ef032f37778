"""Export a stored conversation: written piece by piece, from a ``Conversation``.

The formats are one registry, :data:`CONVERSATION_FORMATS` (name, label, suffixes, menu key,
writer; see :class:`~tui.core.export.formats.ExportFormat`). ``logprob-chat export``, the
chat's F7 menu and its command palette read it, so a new format is one entry here:

=========  ==========================================================  ======================
format     what                                                        writer's module
=========  ==========================================================  ======================
``json``   one document, everything (the server's rows with ``raw``)   :mod:`.documents`
``jsonl``  one answer per line (question, params, metrics, tokens)     :mod:`.documents`
``md``     readable, each answer with its stats table                  :mod:`.markdown`
``csv``    one row per token with its top alternatives                 :mod:`.csv_tokens`
=========  ==========================================================  ======================

Each format is a generator of pieces (:func:`export_pieces`), written to the file as they come
(:func:`write_export`): a 200 answers × 500 tokens × top-20 conversation never exists as one
string, and a conversation reopened lazily has its raw rows parsed one answer at a time
(:mod:`.rows`). Every output is terminal-safe (model text cannot carry escape sequences into a
terminal that shows the file) and holds no API key (the store never has one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from tui.core.export.csv_tokens import csv_pieces, to_csv
from tui.core.export.documents import json_pieces, jsonl_pieces, to_json, to_jsonl
from tui.core.export.formats import ExportFormat, find_format
from tui.core.export.markdown import markdown_pieces, to_markdown
from tui.core.export.rows import write_private_file
from tui.core.store.models import Conversation


def _encoded(pieces: Iterator[str]) -> Iterator[bytes]:
    for piece in pieces:
        yield piece.encode("utf-8")


def _json(conversation: Conversation, raw: bool, raw_cells: bool) -> Iterator[bytes]:
    return json_pieces(conversation, raw=raw)


def _jsonl(conversation: Conversation, raw: bool, raw_cells: bool) -> Iterator[bytes]:
    return jsonl_pieces(conversation)


def _markdown(conversation: Conversation, raw: bool, raw_cells: bool) -> Iterator[bytes]:
    return _encoded(markdown_pieces(conversation))


def _csv(conversation: Conversation, raw: bool, raw_cells: bool) -> Iterator[bytes]:
    return _encoded(csv_pieces(conversation, raw_cells=raw_cells))


CONVERSATION_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "json", "JSON", "everything (the server's rows too with raw)", (".json",), "j", _json
    ),
    ExportFormat("jsonl", "JSONL", "one answer per line (pandas, jq)", (".jsonl",), "l", _jsonl),
    ExportFormat(
        "md",
        "Markdown",
        "readable, each answer with its stats table",
        (".md", ".markdown"),
        "m",
        _markdown,
    ),
    ExportFormat("csv", "CSV", "one row per token with its top alternatives", (".csv",), "c", _csv),
)
"""Every format a conversation can be exported in; each writer takes a stored ``Conversation``,
``raw`` (carry the server's rows, where the format can) and ``raw_cells`` (CSV: text cells
as they are, formulas not neutralised) and yields UTF-8 pieces."""

FORMATS = tuple(fmt.name for fmt in CONVERSATION_FORMATS)


def conversation_format(name: str) -> ExportFormat:
    """The registry entry called ``name`` (``ValueError`` for an unknown one)."""
    return find_format(CONVERSATION_FORMATS, name)


def export_pieces(
    conversation: Conversation, fmt: str, *, raw: bool = False, raw_cells: bool = False
) -> Iterator[bytes]:
    """The conversation as ``fmt`` (one of :data:`FORMATS`), UTF-8, in pieces. ``raw``: the
    JSON export also carries the server's rows as received; ``raw_cells``: CSV text cells
    are written as they are (see :mod:`.cells`)."""
    return conversation_format(fmt).writer(conversation, raw, raw_cells)


def export_conversation(conversation: Conversation, fmt: str, *, raw: bool = False) -> str:
    """The conversation as ``fmt``, whole (small conversations, tests)."""
    return b"".join(export_pieces(conversation, fmt, raw=raw)).decode("utf-8")


def write_export(conversation: Conversation, fmt: str, path: Path, *, raw: bool = False) -> None:
    """Write the conversation as ``fmt`` to ``path`` as it is made: atomically, 0600.
    Raises ``OSError`` when the file cannot be written, ``ValueError`` for a bad ``fmt``."""
    pieces = export_pieces(conversation, fmt, raw=raw)  # a bad format fails before any file
    write_private_file(path, pieces)


def suggested_filename(conversation: Conversation, fmt: str) -> str:
    """``logprob-chat-<id>-<slug><suffix>``: a name safe on every file system."""
    slug = re.sub(r"[^\w-]+", "-", conversation.display_title, flags=re.UNICODE).strip("-_")
    slug = slug[:40].rstrip("-_") or "conversation"
    return f"logprob-chat-{conversation.id}-{slug}{conversation_format(fmt).suffix}"


def export_to_directory(
    conversation: Conversation, fmt: str, directory: Path, now: datetime | None = None
) -> Path:
    """Write the conversation as ``fmt`` into ``directory`` (made 0700 if missing),
    atomically and 0600; return the path. The name is :func:`suggested_filename` with the
    time (``now``) before its suffix, and ``-2``, ``-3``… when that is taken: an export never
    replaces an earlier file. Raises ``OSError`` when the file cannot be written."""
    directory.mkdir(parents=True, mode=0o700, exist_ok=True)
    name = Path(suggested_filename(conversation, fmt))
    stem = f"{name.stem}-{(now or datetime.now()):%Y%m%d-%H%M%S}"
    path = reserve_name(directory, stem, name.suffix)
    try:
        write_export(conversation, fmt, path)
    except BaseException:
        path.unlink(missing_ok=True)  # the empty file that held the name
        raise
    return path


def reserve_name(directory: Path, stem: str, suffix: str) -> Path:
    """``directory/stem+suffix``, or ``stem-2``, ``stem-3``… : the first name no file has,
    created empty (0600) so that no other export takes it meanwhile."""
    n = 1
    while True:
        path = directory / f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            n += 1
            continue
        return path


__all__ = [
    "CONVERSATION_FORMATS",
    "FORMATS",
    "ExportFormat",
    "conversation_format",
    "export_conversation",
    "export_pieces",
    "export_to_directory",
    "reserve_name",
    "suggested_filename",
    "to_csv",
    "to_json",
    "to_jsonl",
    "to_markdown",
    "write_export",
]
