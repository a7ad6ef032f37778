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

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        self._width = width
        entries = self.items()
        by_item = {
            id(item): (binding, enabled, tooltip) for item, binding, enabled, tooltip in entries
        }
        for item in fit_footer([e[0] for e in entries], width - self._palette_width()):
            binding, enabled, tooltip = by_item[id(item)]
            yield FooterKey(
                binding.key,
                item.key,
                item.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        app = self.app
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            active = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if active is not None:
                binding = active.binding
                yield FooterKey(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not active.enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def on_resize(self) -> None:
        if self._bindings_ready and self.size.width != self._width:
            self.call_after_refresh(self.recompose)
