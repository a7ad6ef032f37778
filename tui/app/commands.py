"""Command palette entries (ctrl+p): every action of the action table, and every preset."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.app.actions import ActionSpec, key_label, palette_actions
from tui.app.screens.export import EXPORT_CHOICES
from tui.core.safety import safe_line

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen


def palette_title(spec: ActionSpec, keymap: dict[str, str] | None = None) -> str:
    return f"{spec.title} ({key_label(spec, keymap)})"


Entry = tuple[str, str, Callable[[], object]]
"""A palette entry: its title (searched), its help line, what it runs."""


class EntriesProvider(Provider):
    """A provider over a list of entries: all shown on open, fuzzy-searched by title.
    Subclasses say what the entries are (they may change with the screen's state)."""

    def _entries(self) -> list[Entry]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class MainCommands(EntriesProvider):
    """Actions of the main screen, titled as in the help, with their keys."""

    @property
    def main(self) -> MainScreen:
        return self.screen  # type: ignore[return-value]

    def _entries(self) -> list[Entry]:
        entries: list[Entry] = []
        keymap = self.main.chat_app.keymap
        for spec in palette_actions():
            entries.append(
                (palette_title(spec, keymap), spec.help, partial(self.main.run_spec, spec))
            )
        for fmt, _letter, label in EXPORT_CHOICES:
            name = label.split(":", 1)[0]
            entries.append(
                (
                    f"Export this conversation as {name}",
                    label + " (into the exports folder)",
                    partial(self.main.export_as, fmt),
                )
            )
        entries.append(
            (
                "New conversation",
                "Start a new conversation (the current one stays in the history)",
                self.main.new_conversation,
            )
        )
        for name in self.main.preset_names():
            title = f"Use preset: {safe_line(name)}"
            entries.append(
                (title, "Make this preset the system prompt", partial(self.main.use_preset, name))
            )
        return entries
