"""Export a stored conversation: pure functions from a ``Conversation`` to text.

The formats are one registry, :data:`CONVERSATION_FORMATS` (name, label, suffixes, menu key,
writer; see :class:`~tui.core.export.formats.ExportFormat`). ``logprob-chat export``, the
chat's F7 menu and its command palette read it, so a new format is one entry here:

=========  ==========================================================  ======================
format     what                                                        writer's module
=========  ==========================================================  ======================
``json``   one document, everything, raw logprobs included             :mod:`.documents`
``jsonl``  one answer per line (question, params, metrics, tokens)     :mod:`.documents`
``md``     readable, each answer with its stats table                  :mod:`.markdown`
``csv``    one row per token with its top alternatives                 :mod:`.csv_tokens`
=========  ==========================================================  ======================

Every output is terminal-safe (model text cannot carry escape sequences into a terminal that
shows the file) and holds no API key (the store never has one).
"""

from __future__ import annotations

import re
from pathlib import Path

from tui.core.export.csv_tokens import to_csv
from tui.core.export.documents import to_json, to_jsonl
from tui.core.export.formats import ExportFormat, find_format
from tui.core.export.markdown import to_markdown
from tui.core.presets import write_private
from tui.core.store.models import Conversation

CONVERSATION_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("json", "JSON", "everything, raw logprobs included", (".json",), "j", to_json),
    ExportFormat("jsonl", "JSONL", "one answer per line (pandas, jq)", (".jsonl",), "l", to_jsonl),
    ExportFormat(
        "md",
        "Markdown",
        "readable, each answer with its stats table",
        (".md", ".markdown"),
        "m",
        to_markdown,
    ),
    ExportFormat(
        "csv", "CSV", "one row per token with its top alternatives", (".csv",), "c", to_csv
    ),
)
"""Every format a conversation can be exported in; writers take a stored ``Conversation``."""

FORMATS = tuple(fmt.name for fmt in CONVERSATION_FORMATS)


def conversation_format(name: str) -> ExportFormat:
    """The registry entry called ``name`` (``ValueError`` for an unknown one)."""
    return find_format(CONVERSATION_FORMATS, name)


def export_conversation(conversation: Conversation, fmt: str) -> str:
    """The conversation as ``fmt`` (one of :data:`FORMATS`)."""
    return conversation_format(fmt).writer(conversation)


def suggested_filename(conversation: Conversation, fmt: str) -> str:
    """``logprob-chat-<id>-<slug><suffix>``: a name safe on every file system."""
    slug = re.sub(r"[^\w-]+", "-", conversation.display_title, flags=re.UNICODE).strip("-_")
    slug = slug[:40].rstrip("-_") or "conversation"
    return f"logprob-chat-{conversation.id}-{slug}{conversation_format(fmt).suffix}"


def export_to_directory(conversation: Conversation, fmt: str, directory: Path) -> Path:
    """Write the conversation as ``fmt`` into ``directory`` (made 0700 if missing) under its
    :func:`suggested_filename`, atomically and 0600; return the path. A second export of the
    same conversation in the same format replaces the first (it holds everything the first
    did, and more). Raises ``OSError`` when the file cannot be written."""
    text = export_conversation(conversation, fmt)
    directory.mkdir(parents=True, mode=0o700, exist_ok=True)
    path = directory / suggested_filename(conversation, fmt)
    write_private(path, text)
    return path


__all__ = [
    "CONVERSATION_FORMATS",
    "FORMATS",
    "ExportFormat",
    "conversation_format",
    "export_conversation",
    "export_to_directory",
    "suggested_filename",
    "to_csv",
    "to_json",
    "to_jsonl",
    "to_markdown",
]
