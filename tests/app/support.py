"""Helpers for the TUI tests: an app wired to the scripted server, a fake clock, waits,
and stand-ins for the modal screens (built on another branch) with the agreed signatures."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Static

from tests.support.scripted_server import ScriptedServer
from tui.app.app import LogprobChatApp
from tui.app.modals import Modals
from tui.core.backend import Backend
from tui.core.presets import PresetStore
from tui.core.settings import Connection, Sampling


def fake_clock(step: float = 0.01) -> Callable[[], float]:
    """A clock that advances ``step`` seconds per reading: timings become deterministic."""
    ticks = itertools.count()
    return lambda: next(ticks) * step


# An answer with known probabilities: " sat" is the least likely (p = 0.04 < 0.1).
TOKENS: list[tuple[str, float, list[tuple[str, float]]]] = [
    ("The", math.log(0.9), [("The", math.log(0.9)), ("A", math.log(0.08))]),
    (" cat", math.log(0.5), [(" cat", math.log(0.5)), (" dog", math.log(0.3))]),
    (" sat", math.log(0.04), [(" ran", math.log(0.6)), (" sat", math.log(0.04))]),
    (" on", math.log(0.95), [(" on", math.log(0.95))]),
    (" the", math.log(0.7), [(" the", math.log(0.7)), (" a", math.log(0.2))]),
    (" mat", math.log(0.6), [(" mat", math.log(0.6)), (" rug", math.log(0.3))]),
    (".", math.log(0.85), [(".", math.log(0.85)), ("!", math.log(0.1))]),
]
TEXT = "".join(t for t, _, _ in TOKENS)


@dataclass(frozen=True)
class PromptChoice:
    name: str | None
    prompt: str


@dataclass(frozen=True)
class SettingsChoice:
    model: str
    sampling: Sampling


class StandInModal(ModalScreen[Any]):
    """Shows what it was built with; Enter dismisses with ``result``, Esc with ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [("enter", "accept"), ("escape", "cancel")]

    def __init__(self, args: tuple[Any, ...], result: Any) -> None:
        super().__init__()
        self.args = args
        self.result = result

    def compose(self) -> ComposeResult:
        yield Static(repr(self.args)[:200], markup=False)

    def action_accept(self) -> None:
        self.dismiss(self.result)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StandInModals(Modals):
    """Modal factory for tests: records what each screen was built with."""

    def __init__(self) -> None:
        self.prompt_result: Any = None
        self.settings_result: Any = None
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def system_prompt(self, store: PresetStore, prompt: str, preset: str | None) -> StandInModal:
        self.calls.append(("system_prompt", (store, prompt, preset)))
        return StandInModal((prompt, preset), self.prompt_result)

    def settings(self, models: list[str], model: str, sampling: Sampling) -> StandInModal:
        self.calls.append(("settings", (models, model, sampling)))
        return StandInModal((models, model, sampling), self.settings_result)

    def help(self, rows: list[tuple[str, str, str]]) -> StandInModal:
        self.calls.append(("help", (rows,)))
        return StandInModal((len(rows),), None)


class RecordingBackend(Backend):
    """A remote backend that remembers being closed."""

    closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


def make_app(
    server: ScriptedServer | None = None,
    *,
    base_url: str | None = None,
    tmp_presets: Any = None,
    **kwargs: Any,
) -> LogprobChatApp:
    url = base_url or (server.base_url if server is not None else "http://127.0.0.1:9/v1")
    # A model name up front: no GET /models at start-up to eat a queued reply.
    kwargs.setdefault(
        "backend", RecordingBackend(Connection(url, model="scripted-model"), "scripted")
    )
    kwargs.setdefault("clock", fake_clock())
    kwargs.setdefault("local_clipboard", False)
    kwargs.setdefault("cursor_blink", False)
    kwargs.setdefault("modals", StandInModals())
    if tmp_presets is not None:
        kwargs.setdefault("presets", PresetStore(tmp_presets))
    return LogprobChatApp(**kwargs)


async def wait_for(pilot: Pilot, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until ``predicate()`` holds (fails the test after ``timeout`` s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


async def send(pilot: Pilot, text: str) -> None:
    """Type ``text`` in the input bar and press Enter, then wait until the answer ended."""
    app = pilot.app
    assert isinstance(app, LogprobChatApp)
    before = len(app.main.views)
    app.main.input.focus()
    app.main.input.insert(text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(app.main.views) > before)
    view = app.main.views[-1]
    await wait_for(pilot, lambda: view.turn.answer is not None)
    await pilot.pause()


def block_texts(app: LogprobChatApp, index: int = -1) -> str:
    """What the answer's blocks render, joined as shown (one newline between blocks)."""
    view = app.main.views[index]
    blocks = view.text_view.query("AnswerBlock")
    return "\n".join(b.render().plain for b in blocks)  # type: ignore[attr-defined]
