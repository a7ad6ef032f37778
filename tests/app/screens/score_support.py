"""Driving the score screen on the real built-in model: ask a question greedily, then score
its answer under the prompt it was asked with and a pirate's (deterministic: greedy
generation and scoring agree run after run, to the last digit)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import TextArea

from tests.app.support import make_app, send, wait_for
from tui.app.app import LogprobChatApp
from tui.app.screens.score import ScoreScreen
from tui.core.backend import Backend
from tui.core.engine import EngineInfo
from tui.core.settings import Connection, Sampling

SYSTEM = "Answer in one short sentence."
PIRATE = "You are a pirate. Talk like one."
QUESTION = "What is the capital of Japan?"


def engine_app(engine: EngineInfo) -> LogprobChatApp:
    backend = Backend(
        Connection(engine.base_url, api_key=engine.api_key, model=engine.model), "built-in"
    )
    return make_app(
        backend=backend,
        system_prompt=SYSTEM,
        sampling=Sampling(temperature=0.0, top_logprobs=3, max_tokens=24),
    )


async def scored_under_two_prompts(pilot: Pilot) -> ScoreScreen:
    """The chat's answer scored under its own prompt and the pirate's, the second shown."""
    app = pilot.app
    assert isinstance(app, LogprobChatApp)
    await send(pilot, QUESTION)
    await pilot.press("f8", "o")
    await wait_for(pilot, lambda: isinstance(app.screen, ScoreScreen))
    screen = app.screen
    assert isinstance(screen, ScoreScreen)
    screen.query_one("#score-written", TextArea).text = f"{SYSTEM}\n---\n{PIRATE}"
    await pilot.pause()
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: bool(screen.entries) and not screen.running, timeout=60)
    await pilot.press("down")
    await wait_for(pilot, lambda: screen.shown == 1 and len(screen.chat.views) == 2)
    await pilot.pause()
    return screen
