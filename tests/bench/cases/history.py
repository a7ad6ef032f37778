"""Case 5, big history: a conversation of 200 answers × 500 tokens with top-20 alternatives in
the real SQLite store, reopened by the app (as at start-up: the last conversation).

The history file is written once per run of the case (through ``Store.save_answer``, as the
app writes finished answers); each measurement is a fresh child process
(``python -m tests.bench.cases.history DATA_DIR``) so its memory is the app's alone. In it the
app runs headless at 160×48 and reports:

* open time: from creating the app to every answer of the conversation on screen (target
  ≤ 2 s);
* RSS: the process's peak resident memory at that point (target ≤ 400 MB);
* scroll stall: the log focused, PageUp held down (30 keys at 30 a second; earlier answers
  are mounted as the top is reached) then End, the longest event-loop stall meanwhile (the
  probe of case 2; target ≤ 100 ms, as any stall).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.runner import ROOT, Context, Measure, peak_rss_mb
from tests.bench.stream_data import logprob_at, token_at
from tui.core.answer import AnswerBuilder
from tui.core.store import AnswerParams, Store, history_path
from tui.core.wire.events import ResponseStarted, TextDelta, TokensReceived, UsageReported
from tui.core.wire.normalise import normalise_row

ANSWERS = 200
SCROLL_PAGES = 30
KEY_REPEAT = 1 / 30  # seconds between repeated keys
TOKENS = 500
TOP = 20


def _answer(n: int, offset: int):
    raw = []
    for i in range(offset, offset + n):
        token, lp = token_at(i), logprob_at(i)
        top = [{"token": token, "logprob": lp, "bytes": list(token.encode())}]
        top += [
            {"token": f"{token}{j}", "logprob": lp - 0.4 * j, "bytes": list(f"{token}{j}".encode())}
            for j in range(1, TOP)
        ]
        raw.append(
            {"token": token, "logprob": lp, "bytes": list(token.encode()), "top_logprobs": top}
        )
    tokens = [normalise_row(row, i, "answer", TOP) for i, row in enumerate(raw)]
    for t in tokens:
        t.text = t.token
    builder = AnswerBuilder()
    builder.apply(ResponseStarted("bench-model", "x"))
    builder.apply(TokensReceived(tokens, raw))
    builder.apply(TextDelta("".join(t.token for t in tokens)))
    builder.apply(UsageReported({"completion_tokens": n, "prompt_tokens": 10}, None))
    return builder.finish("complete")


def write_history(data_dir: Path, answers: int, tokens: int) -> None:
    store = Store.open(history_path(data_dir))
    try:
        cid = store.create_conversation()
        params = AnswerParams(model="bench-model", top_logprobs=TOP, max_tokens=tokens)
        for k in range(answers):
            store.add_user_message(cid, f"Question {k + 1}: tell me more about Tokyo.")
            store.save_answer(cid, params, _answer(tokens, k * tokens))
    finally:
        store.close()


# ---------------------------------------------------------------- the child process


async def child(data_dir: Path, answers: int, pages: int) -> dict[str, float]:
    from textual import events

    from tests.bench.cases.screen import BenchApp, Probe
    from tui.core.backend import Backend
    from tui.core.settings import Connection

    backend = Backend(Connection("http://127.0.0.1:9/v1", model="bench-model"), "none")
    start = time.perf_counter()
    app = BenchApp(backend=backend, data_dir=data_dir, local_clipboard=False, cursor_blink=False)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        # Opened: every answer has its view and the last one is on screen (earlier ones may
        # wait until scrolled to: tui.app.widgets.earlier_answers).
        while len(main.chat.views) < answers or not main.chat.views[-1].is_mounted:
            await asyncio.sleep(0.005)
        await pilot.pause()
        opened = time.perf_counter() - start
        mounted = sum(v.is_mounted for v in main.chat.views)
        rss = peak_rss_mb()
        main.action_focus_log()
        await pilot.pause()
        probe = Probe()
        probe.start()
        for key in ["pageup"] * pages + ["end"]:
            # Held down: a terminal repeats the key about 30 times a second.
            app.post_message(events.Key(key, None))
            await asyncio.sleep(KEY_REPEAT)
        await pilot.pause()
        probe.stop()
        revealed = sum(v.is_mounted for v in main.chat.views)
        await app.shutdown()
    return {
        "open": opened,
        "rss": rss,
        "stall": probe.worst,
        "mounted": mounted,
        "revealed": revealed,
    }


def case(ctx: Context) -> list[Measure]:
    answers, tokens, pages = (12, 50, 2) if ctx.small else (ANSWERS, TOKENS, SCROLL_PAGES)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        write_history(data_dir, answers, tokens)
        for _ in range(ctx.repeat):
            if ctx.small:  # the smoke test: in this process (its RSS means nothing then)
                runs.append(asyncio.run(child(data_dir, answers, pages)))
                continue
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.cases.history",
                    str(data_dir),
                    str(answers),
                    str(pages),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
                timeout=300,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    name = "history"
    label = f"{answers}×{tokens} tokens"
    return [
        Measure(name, f"open {label}", "s", [r["open"] for r in runs], target=2.0),
        Measure(name, "peak RSS", "MB", [r["rss"] for r in runs], target=400),
        Measure(
            name,
            f"scroll stall (PageUp ×{pages}, End)",
            "ms",
            [r["stall"] * 1e3 for r in runs],
            target=100,
            note="answers mounted at open / after scrolling: "
            + ", ".join(f"{r['mounted']}/{r['revealed']}" for r in runs),
        ),
    ]


if __name__ == "__main__":
    result = asyncio.run(child(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
    print(json.dumps(result))
