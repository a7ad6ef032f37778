"""Case 4, start-up on a real terminal: ``python -m tui`` (the built-in model) in a
pseudo-terminal of 160×48 whose output a terminal emulator (pyte) reads, as a person would see
it. Fresh config and data directories each run.

A first, unmeasured run warms the OS file cache and writes the bytecode (``.pyc``) of every
module the app imports, as the first start after an install does (pip compiles at install
time; otherwise Python writes them on first import). ``PYTHONDONTWRITEBYTECODE`` is dropped
from the app's environment for that: set (as on some build machines and sandboxes), no
bytecode is ever kept, and every measured start would compile the ~600 modules from source
again (0.3–0.4 s here), which no second start of an installed program does.

* process start → first screen painted: the status line shows "starting built-in model…"
  (target ≤ 0.5 s, issue 18);
* process start → embedded engine ready: the status line names the model (target ≤ 2.0 s).

The screen is polled every 5 ms, so each time is late by at most that much.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tests.bench.runner import ROOT, Context, Measure
from tests.support.pty_terminal import PtyTerminal, app_env
from tui.app.session import STARTING
from tui.core.engine import BUILTIN_FRIENDLY

POLL = 0.005


def startup_run(home: Path) -> tuple[float, float]:
    env = app_env(
        LOGPROB_CHAT_CONFIG_DIR=str(home / "config"), LOGPROB_CHAT_DATA_DIR=str(home / "data")
    )
    env.pop("OPENAI_BASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-up's bytecode is kept (see above)
    term = PtyTerminal([sys.executable, "-m", "tui"], cols=160, rows=48, env=env, cwd=str(ROOT))
    start = time.perf_counter()
    with term:
        term.wait_for(STARTING, timeout=30, interval=POLL)
        painted = time.perf_counter() - start
        term.wait_for(f"model: {BUILTIN_FRIENDLY}", timeout=60, interval=POLL)
        ready = time.perf_counter() - start
        term.type("\x11")  # ctrl+q
        assert term.wait_exit(30) == 0
    return painted, ready


def case(ctx: Context) -> list[Measure]:
    painted: list[float] = []
    ready: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        startup_run(Path(tmp) / "warm")  # warm-up: the OS file cache, .pyc files (see above)
        for i in range(ctx.repeat):
            p, r = startup_run(Path(tmp) / str(i))
            painted.append(p)
            ready.append(r)
    name = "startup"
    return [
        Measure(name, "process start → first screen painted", "s", painted, target=0.5),
        Measure(name, "process start → embedded engine ready", "s", ready, target=2.0),
    ]
