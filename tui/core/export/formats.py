"""What an export format is: one entry of a registry, read by every place that offers formats.

A registry is a tuple of :class:`ExportFormat`; the command line (``--format`` choices, the
format guessed from an ``-o`` file's suffix, its error message), the chat's F7 menu and command
palette, and the notification naming the written file all read it, so a new format is one
entry. :data:`tui.core.export.CONVERSATION_FORMATS` is the conversation's registry;
:data:`tui.core.compare.export.COMPARE_FORMATS` lists the files a comparison is written to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One way of writing something down.

    * ``name``: what the command line calls it (``--format md``);
    * ``label``: what people call it (``Markdown``), in menus and notifications;
    * ``description``: what the file holds, one short phrase;
    * ``suffixes``: file-name endings, the first one written, every one recognised when a
      format is guessed from a file name (``.md`` and ``.markdown``);
    * ``key``: the letter that picks it in a menu;
    * ``writer``: the function that writes it (its arguments and result depend on the
      registry: UTF-8 pieces of a stored conversation for conversations, the text of a result
      with extra fields for comparisons).
    """

    name: str
    label: str
    description: str
    suffixes: tuple[str, ...]
    key: str
    writer: Callable[..., Any]

    @property
    def suffix(self) -> str:
        """The ending of the files written in this format."""
        return self.suffixes[0]

    @property
    def title(self) -> str:
        """``"Markdown: readable, each answer with its stats table"``."""
        return f"{self.label}: {self.description}"


def find_format(registry: Sequence[ExportFormat], name: str) -> ExportFormat:
    """The entry called ``name``; ``ValueError`` names the known ones."""
    for fmt in registry:
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in registry)
    raise ValueError(f"unknown export format {name!r} (use one of {known})")


def format_for_path(registry: Sequence[ExportFormat], path: str | PurePath) -> ExportFormat | None:
    """The entry whose suffix ``path`` ends with (case does not matter), or ``None``."""
    name = PurePath(path).name.lower()
    for fmt in registry:
        if any(name.endswith(suffix) for suffix in fmt.suffixes):
            return fmt
    return None


def suffix_list(registry: Sequence[ExportFormat]) -> str:
    """``".json, .jsonl, .md or .csv"``: every written suffix, for messages."""
    suffixes = [fmt.suffix for fmt in registry]
    return ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]


__all__ = ["ExportFormat", "find_format", "format_for_path", "suffix_list"]
