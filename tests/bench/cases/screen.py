"""Case 2, screen under load: the TUI receives the case-1 stream with the heatmap on.

The app runs headless (``run_test``) at 160×48 with the real client, the real history store
(SQLite in a temporary directory) and the stream server of case 1. Headless Textual skips
turning each screen update into terminal bytes, so the bench app does that step too (and
throws the bytes away): the cost measured is the cost on a terminal, minus the write.

Measures, per run:

* total time from Enter to the finished answer on screen, ÷ the client's ingest time of
  case 1 (target ≤ 2, issue 18): what drawing costs on top of reading;
* the longest event-loop stall: an asyncio timer re-armed every 5 ms records how late it
  fires (target ≤ 50 ms, issue 18);
* key-press latency: a character typed into the prompt at 25 %, 50 % and 75 % of the stream,
  from the key event posted to the prompt showing it; the worst of the three (target ≤ 100 ms).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events

from tests.bench.cases.ingest import ingest_times
from tests.bench.runner import Context, Measure
from tui.app.app import LogprobChatApp
from tui.core.backend import Backend
from tui.core.settings import Connection, Sampling

SIZE = (160, 48)
PROBE = 0.005  # seconds between stall probes
KEYS = {0.25: "x", 0.5: "y", 0.75: "z"}


class BenchApp(LogprobChatApp):
    """The app, plus the terminal-output rendering that headless mode skips."""

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        render = getattr(renderable, "render_segments", None)
        if render is not None and self.is_headless:
            render(self.console)


def bench_app(backend: Backend, sampling: Sampling, data_dir: Path) -> BenchApp:
    """A fresh app for one run: a new conversation, no local clipboard, no blinking cursor.
    (Earlier runs' apps are garbage by then: the app's first GC settle is a full collection,
    so they are freed, not frozen into this run.)"""
    return BenchApp(
        backend=backend,
        sampling=sampling,
        data_dir=data_dir,
        local_clipboard=False,
        cursor_blink=False,
        new_conversation=True,
    )


async def heat_on_and_type(pilot: Any, app: BenchApp, question: str) -> None:
    """Wait for the first screen, turn the heatmap on, type ``question`` (not sent yet)."""
    main = app.main
    await pilot.pause()
    if not main.pane.heat_on:
        main.pane.action_toggle_heatmap()
    main.input.focus()
    main.input.insert(question)


class Probe:
    """An asyncio timer re-armed every ``PROBE`` s: how late it fires is how long the event
    loop was busy with something else (a stall the person would feel)."""

    def __init__(self, tick: Any = None) -> None:
        self.worst = 0.0
        self._loop = asyncio.get_running_loop()
        self._due = 0.0
        self._handle: asyncio.TimerHandle | None = None
        self._tick = tick

    def start(self) -> None:
        self._due = time.perf_counter() + PROBE
        self._handle = self._loop.call_later(PROBE, self._fire)

    def _fire(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._due)
        if self._tick is not None:
            self._tick(now)
        self.start()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()


async def screen_run(url: str, ctx: Context, data_dir: Path) -> dict[str, float]:
    sampling = Sampling(temperature=0.0, top_logprobs=ctx.top, max_tokens=ctx.tokens)
    app = bench_app(
        Backend(Connection(url, model="bench-model"), "bench server"), sampling, data_dir
    )
    async with app.run_test(size=SIZE) as pilot:
        main = app.main
        await heat_on_and_type(pilot, app, "Tell me about Tokyo, at length.")
        await pilot.pause()
        latencies: list[float] = []
        pending: dict[str, float] = {}
        sent: set[float] = set()

        def tick(now: float) -> None:
            live = main.chat.pump.live
            if live is not None:
                done = len(live.builder.answer.tokens) / ctx.tokens
                for share, key in KEYS.items():
                    if done >= share and share not in sent:
                        sent.add(share)
                        pending[key] = time.perf_counter()
                        app.post_message(events.Key(key, key))
            text = main.input.text
            for key in list(pending):
                if key in text:
                    latencies.append(now - pending.pop(key))

        probe = Probe(tick)
        start = time.perf_counter()
        probe.start()
        await pilot.press("enter")
        while not main.chat.views or main.chat.views[-1].turn.answer is None:
            await asyncio.sleep(0.01)
        await pilot.pause()  # the finished answer painted
        total = time.perf_counter() - start
        probe.stop()
        answer = main.chat.views[-1].turn.answer
        assert answer is not None and answer.metrics.tokens == ctx.tokens, answer
        assert not pending and latencies, (pending, latencies)
        # (A tiny smoke-test stream can end between two probe ticks: fewer keys then.)
        assert ctx.small or len(latencies) == len(KEYS), latencies
        await app.shutdown()
    return {"total": total, "stall": probe.worst, "key": max(latencies)}


def case(ctx: Context) -> list[Measure]:
    client, _ = ingest_times(ctx)
    ingest = sorted(client)[len(client) // 2]
    url = ctx.stream_server()
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(ctx.repeat):
            runs.append(asyncio.run(screen_run(url, ctx, Path(tmp) / str(i))))
    name = "screen"
    return [
        Measure(
            name, "total ÷ client ingest time", "x", [r["total"] / ingest for r in runs], target=2.0
        ),
        Measure(name, "screen tokens/s", "tok/s", [ctx.tokens / r["total"] for r in runs]),
        Measure(
            name, "longest event-loop stall", "ms", [r["stall"] * 1e3 for r in runs], target=50
        ),
        Measure(
            name, "key-press latency (worst of 3)", "ms", [r["key"] * 1e3 for r in runs], target=100
        ),
    ]
