"""The registry of rebindable keys (tui/app/keymap.py) cannot rot: every class of the app that
declares bindings is in it, and every binding has an id a ``[keys]`` entry can name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import tui.app
from tui.app.keymap import binding_owners, known_binding_ids


def _classes_with_bindings() -> set[type[DOMNode]]:
    found: set[type[DOMNode]] = set()
    for module_info in pkgutil.walk_packages(tui.app.__path__, "tui.app."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, DOMNode)
                and cls.__module__ == module.__name__
                and cls.__dict__.get("BINDINGS")
            ):
                found.add(cls)
    return found


def test_every_class_with_keys_is_registered_and_every_key_has_an_id():
    owners = set(binding_owners())
    assert _classes_with_bindings() <= owners
    for owner in owners:
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (owner.__name__, binding)


def test_the_sample_screen_shares_the_chat_keys_ids_and_adds_its_own():
    from tui.app.screens.sample import SampleScreen
    from tui.app.widgets.chat_log import ChatLog

    sample = {binding.id for binding in SampleScreen.BINDINGS}
    assert sample == {"sample.back", "main.toggle_pane", "main.toggle_heatmap",
                      "main.focus_log", "main.focus_json"}  # fmt: skip
    assert {binding.id for binding in ChatLog.BINDINGS} <= known_binding_ids()
