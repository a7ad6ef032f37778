"""Command palette entries (ctrl+p): the actions a screen offers, titled as in the help with
their keys; on the chat screen also every export format and every preset."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from functools import partial
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.app.actions import ActionSpec, key_label, palette_actions
from tui.core.export import CONVERSATION_FORMATS
from tui.core.safety import safe_line


def palette_title(spec: ActionSpec, keymap: dict[str, str] | None = None) -> str:
    return f"{spec.title} ({key_label(spec, keymap)})"


Entry = tuple[str, str, Callable[[], object]]
"""A palette entry: its title (searched), its help line, what it runs."""


class ActionScreen(Protocol):
    """What :class:`ActionsProvider` asks of its screen."""

    @property
    def keymap(self) -> dict[str, str]: ...

    def offers(self, spec: ActionSpec) -> bool: ...

    def run_spec(self, spec: ActionSpec) -> None: ...


class EntriesProvider(Provider):
    """A provider over a list of entries: all shown on open, fuzzy-searched by title.
    Subclasses say what the entries are (they may change with the screen's state); Textual
    builds providers from their classes, so the entries are a method of the subclass."""

    @abstractmethod
    def _entries(self) -> list[Entry]:
        """The entries now."""

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class ActionsProvider(EntriesProvider):
    """The actions of the action table the screen offers (:class:`ActionScreen`), with the
    keys they have now (a ``[keys]`` rebinding included)."""

    def _entries(self) -> list[Entry]:
        screen: ActionScreen = self.screen  # type: ignore[assignment]
        return [
            (palette_title(spec, screen.keymap), spec.help, partial(screen.run_spec, spec))
            for spec in palette_actions()
            if screen.offers(spec)
        ]


class MainCommands(ActionsProvider):
    """The chat screen's actions (a new conversation among them), then one entry per export
    format, and one per preset."""

    def _entries(self) -> list[Entry]:
        entries = super()._entries()
        dialogs = self.screen.dialogs  # type: ignore[attr-defined]
        for fmt in CONVERSATION_FORMATS:
            entries.append(
                (
                    f"Export this conversation as {fmt.label}",
                    fmt.title + " (into the exports folder)",
                    partial(dialogs.export_as, fmt.name),
                )
            )
        for name in dialogs.preset_names():
            title = f"Use preset: {safe_line(name)}"
            entries.append(
                (title, "Make this preset the system prompt", partial(dialogs.use_preset, name))
            )
        return entries
