"""Helpers for the TUI tests: an app wired to the scripted server (with the real modal
screens), a fake clock, waits."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Callable
from typing import Any

from textual import events
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.worker import WorkerState

from tests.support.scripted_server import ScriptedServer
from tui.app.app import LogprobChatApp
from tui.core.backend import Backend
from tui.core.presets import PresetStore
from tui.core.settings import Connection


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


async def search_palette(pilot: Pilot, words: str) -> None:
    """Open the command palette (ctrl+p), type ``words`` and wait until its search has listed
    what it found. The palette searches in a worker after each key and fills its list as
    hits come, so Enter picks the best hit only once the last search has ended (a fixed
    0.3 s pause stood in for that: too long when idle, maybe too short under load)."""
    app = pilot.app
    await pilot.press("ctrl+p", *words)
    await wait_for(pilot, lambda: _palette_searched(app.screen, words))


def _palette_searched(screen: Any, words: str) -> bool:
    if not isinstance(screen, CommandPalette) or not screen.is_mounted:
        return False
    if screen.query_one(CommandInput).value != words:
        return False
    searching = (WorkerState.PENDING, WorkerState.RUNNING)
    if any(w.node is screen and w.state in searching for w in screen.app.workers):
        return False
    return screen.query_one(CommandList).option_count > 0


def type_ahead(app: LogprobChatApp, *keys: str) -> None:
    """Queue key events all at once, as a terminal delivers a fast typist's keys: unlike
    ``pilot.press``, nothing waits for one key to be handled before the next arrives."""
    for key in keys:
        character = key if len(key) == 1 else None
        name = {" ": "space"}.get(key, key)
        app.post_message(events.Key(name, character))


async def send(pilot: Pilot, text: str) -> None:
    """Type ``text`` in the input bar and press Enter, then wait until the answer ended."""
    app = pilot.app
    assert isinstance(app, LogprobChatApp)
    before = len(app.main.chat.views)
    app.main.input.focus()
    app.main.input.insert(text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(app.main.chat.views) > before)
    view = app.main.chat.views[-1]
    await wait_for(pilot, lambda: view.turn.answer is not None)
    await pilot.pause()


def block_texts(app: LogprobChatApp, index: int = -1) -> str:
    """What the answer's blocks render, joined as shown (one newline between blocks)."""
    view = app.main.chat.views[index]
    blocks = view.text_view.query("AnswerBlock")
    return "\n".join(b.render().plain for b in blocks)  # type: ignore[attr-defined]
