"""Case 10, a question set on the screen: 3 prompts × 200 questions × 5 samples (3000
requests, default concurrency 4) against the scripted server in its own process
(``tests.bench.set_server``: 50-token answers, top-5), run by the set screen in the headless
app at 160×48 with the real history store (every result written as it comes).

Measures, per run:

* the longest event-loop stall (an asyncio timer re-armed every 5 ms, as in case 2;
  target ≤ 100 ms), from the first result to the end: the screen stays responsive while
  3000 answers stream in and are written to the history;
* resident memory at the end ÷ at 10 % done (target ≤ 1.10). An answer with its tokens
  is ~50 KB here: a run that kept the 2700 answers in between would grow by ~135 MB (a
  ratio near 2); the set keeps its numbers and texts only (the tokens are in the history).
  The KB held per result, (RSS at the end − at 10 %) ÷ the results in between, is reported
  beside it;
* requests per second and the wall time, for reference.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.cases.screen import SIZE, BenchApp, Probe
from tests.bench.runner import ROOT, Context, Measure
from tui.app.screens.question_set import QuestionSetScreen
from tui.core.backend import Backend
from tui.core.compare import PromptSpec
from tui.core.questions import Question
from tui.core.sets.plan import SetPlan
from tui.core.settings import Connection, Sampling

PROMPTS = (
    PromptSpec.from_text("You are a helpful assistant."),
    PromptSpec.from_text("Answer like a pirate."),
    PromptSpec.from_text("Answer in one short sentence."),
)
TOKENS, TOP = 50, 5


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def plan(ctx: Context) -> SetPlan:
    questions = 10 if ctx.small else 200
    return SetPlan(
        PROMPTS,
        tuple(
            Question(str(j + 1), f"Question number {j + 1}: what is {j} + {j}?")
            for j in range(questions)
        ),
        samples=2 if ctx.small else 5,
        sampling=Sampling(temperature=0.7, top_logprobs=TOP, max_tokens=TOKENS, seed=1),
        source="bench.jsonl",
    )


async def set_run(url: str, ctx: Context, data_dir: Path) -> dict[str, float]:
    app = BenchApp(
        backend=Backend(Connection(url, model="bench-model"), "bench server"),
        data_dir=data_dir,
        local_clipboard=False,
        cursor_blink=False,
        new_conversation=True,
    )
    the_plan = plan(ctx)
    async with app.run_test(size=SIZE) as pilot:
        while app.session.client is None:
            await asyncio.sleep(0.01)
        await pilot.pause()
        marks: dict[str, float] = {}
        screen = QuestionSetScreen(the_plan)

        def tick(now: float) -> None:
            if "tenth" not in marks and len(screen.results) >= the_plan.total // 10:
                marks["tenth"] = len(screen.results)
                marks["rss"] = rss_mb()

        probe = Probe(tick)
        start = time.perf_counter()
        await app.push_screen(screen)
        # Measured from the first result on: opening the screen (composing its tables) is
        # the same work whatever the set's size, and not what a run must not slow.
        while not screen.results:
            await asyncio.sleep(0.005)
        probe.start()
        while screen.running or screen.state == "starting":
            await asyncio.sleep(0.05)
        await pilot.pause()
        total = time.perf_counter() - start
        probe.stop()
        assert screen.state == "finished" and len(screen.results) == the_plan.total, screen.state
        assert all(r.ok for r in screen.results.values())
        end = rss_mb()
        held = (end - marks["rss"]) * 1024 / (the_plan.total - marks["tenth"])
        growth = end / marks["rss"]
        await app.shutdown()
    return {
        "stall": probe.worst,
        "total": total,
        "growth": growth,
        "held": held,
        "rate": the_plan.total / total,
    }


def case(ctx: Context) -> list[Measure]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.set_server", str(TOKENS), str(TOP)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        runs = []
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(ctx.repeat):
                runs.append(asyncio.run(set_run(url, ctx, Path(tmp) / str(i))))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    name = "sets"
    return [
        Measure(
            name, "longest event-loop stall", "ms", [r["stall"] * 1e3 for r in runs], target=100
        ),
        Measure(
            name, "RSS at the end ÷ at 10 % done", "x", [r["growth"] for r in runs], target=1.1
        ),
        Measure(
            name,
            "RSS held per result",
            "KB",
            [r["held"] for r in runs],
            note="can be ≤ 0: the allocator reuses what earlier answers freed",
        ),
        Measure(name, "requests per second", "req/s", [r["rate"] for r in runs]),
        Measure(name, "wall time", "s", [r["total"] for r in runs]),
    ]
