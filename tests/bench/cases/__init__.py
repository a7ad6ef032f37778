"""The benchmark cases, in the issue's order."""

from __future__ import annotations

from tests.bench.cases import (
    ask,
    compare,
    engine,
    exports,
    history,
    ingest,
    recovery,
    screen,
    sets,
    startup,
)
from tests.bench.runner import Case

CASES: dict[str, Case] = {
    "ingest": ingest.case,
    "screen": screen.case,
    "engine": engine.case,
    "startup": startup.case,
    "history": history.case,
    "compare": compare.case,
    "recovery": recovery.case,
    "ask": ask.case,
    "export": exports.case,
    "sets": sets.case,
}
TITLES: dict[str, str] = {
    "ingest": "1. client vs bare httpx + json.loads on a 20k-token top-20 stream",
    "screen": "2. the TUI (headless, 160x48, heatmap on) on the same stream",
    "engine": "3. client tokens/s vs the embedded engine's predicted_per_second",
    "startup": "4. start-up of python -m tui in a real pty: first paint, engine ready",
    "history": "5. reopen a 200-answer x 500-token top-20 conversation: time, RSS, scroll",
    "compare": "6. compare K=3 x N=5 on the embedded engine: concurrent / sequential",
    "recovery": "7. recover llama.cpp's hidden tokens of a Japanese answer ÷ its generation",
    "ask": "8. ask as a process: CPU vs bare reader and openai SDK, --json size, history size",
    "export": "9. export the case-5 conversation as json, jsonl, md, csv: time, peak RSS",
    "sets": "10. question set 3 prompts x 200 questions x 5 samples on the set screen: stall, RSS",
}
