"""The footer: the keys that matter now, whole, as many as fit beside the palette key.

Textual's :class:`~textual.widgets.Footer` shows every binding in the order of the binding
chain and lets the palette key (docked right) cover what does not fit: at 80 columns that
cut labels ("f4 " with no word) and left a stray letter at the right edge. This one orders
the keys by what matters now and drops whole keys that do not fit
(:mod:`tui.app.text.footer`); it recomposes when the bindings or the width change.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui.app.actions import ACTIONS, binding_id
from tui.app.text.footer import FooterItem, action_name, fit_footer, footer_rank

TABLE_ORDER = {binding_id(spec): i for i, spec in enumerate(ACTIONS)}
"""Each binding id's place in the action table: the order within a rank."""


class KeyFooter(Footer):
    """See the module docstring. Used like Textual's footer (``KeyFooter(compact=True)``)."""

    _width = 0
    _shown: list[tuple[Any, ...]] | None = None  # what compose showed last

    def items(self) -> list[tuple[FooterItem, Any, bool, str]]:
        """Every shown binding of the screen, once per action, ranked: ``(item, binding,
        enabled, tooltip)``."""
        screen = self.screen
        app = self.app
        seen: set[str] = set()
        out = []
        for position, (key, active) in enumerate(screen.active_bindings.items()):
            node, binding, enabled, tooltip = active
            if not binding.show or key == app.COMMAND_PALETTE_BINDING or binding.action in seen:
                continue
            seen.add(binding.action)
            order = TABLE_ORDER.get(binding.id or "", len(TABLE_ORDER) + position)
            local = node is not screen and node is not app
            rank = footer_rank(action_name(binding.action), local=local, order=order)
            item = FooterItem(app.get_key_display(binding), binding.description, rank)
            out.append((item, binding, enabled, tooltip))
        return out

    def _palette_width(self) -> int:
        app = self.app
        active = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE) or active is None:
            return 0
        binding = active.binding
        # key, space, word, the border before it, and one cell of air.
        return cell_len(app.get_key_display(binding)) + 1 + cell_len(binding.description) + 2

    def plan(self) -> list[tuple[Any, ...]]:
        """The keys to show now, as the arguments of their ``FooterKey`` widgets (the last:
        the palette key), fitted to the width."""
        width = self.size.width or self.app.size.width
        entries = self.items()
        by_item = {
            id(item): (binding, enabled, tooltip) for item, binding, enabled, tooltip in entries
        }
        keys: list[tuple[Any, ...]] = []
        for item in fit_footer([e[0] for e in entries], width - self._palette_width()):
            binding, enabled, tooltip = by_item[id(item)]
            keys.append(
                (binding.key, item.key, item.description, binding.action, "", enabled, tooltip)
            )
        app = self.app
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            active = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if active is not None:
                binding = active.binding
                keys.append(
                    (
                        binding.key,
                        app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        "-command-palette",
                        active.enabled,
                        binding.tooltip or binding.description,
                    )
                )
        return keys

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._width = self.size.width or self.app.size.width
        self._shown = self.plan()
        for key, display, description, action, classes, enabled, tooltip in self._shown:
            footer_key = FooterKey(
                key,
                display,
                description,
                action,
                classes=classes,
                disabled=not enabled,
                tooltip=tooltip,
            )
            yield footer_key if classes else footer_key.data_bind(compact=Footer.compact)

    def bindings_changed(self, screen: Any) -> None:
        """Textual's footer recomposes whenever the screen's bindings are refreshed (a turn
        starting or ending, a key typed into the prompt): fifteen new widgets mounted and
        styled each time, ~10 ms while an answer streams. Only a different set of keys is."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        if self._shown is None or self.plan() != self._shown:
            await self.recompose()

    def on_resize(self) -> None:
        if self._bindings_ready and self.size.width != self._width:
            self.call_after_refresh(self.recompose)
