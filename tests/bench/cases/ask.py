"""Case 8, ``ask`` as a whole process: CPU time against two baselines, output and history size.

Every run starts fresh processes, alternating, all reading the same stream (``ctx.tokens``
tokens with ``ctx.top`` alternatives, the stream server of case 1):

* the **bare reader** (httpx + ``json.loads``, :mod:`tests.bench.readers`) and the **openai
  SDK** streaming the same request: the two baselines;
* ``ask --no-save`` (text), ``ask`` (text, saved: the default), ``ask --json --no-save`` and
  ``ask --json``, standard output to a file, fresh config and data directories each.

CPU is user + system seconds of that process alone (``wait4``), interpreter start and imports
included: what a user running the command pays. Measures (medians):

* each ``ask`` ÷ the bare reader (targets: text saved ≤ 2.0, ``--json --no-save`` ≤ 3.0) and
  ÷ the openai SDK (no target: the second baseline the README reports);
* ``--json`` output bytes ÷ the stream's logprob bytes (target ≤ 1.2): the rows of
  ``choices[0].logprobs.content`` as compact JSON, as llama.cpp and vLLM send them (the bench
  server's own bytes have spaces after ``:`` and ``,``; compact is the stricter measure);
* the history file after one saved answer, in MB (target ≤ 10 for 20k tokens top-20).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import orjson

from tests.bench.runner import Context, Measure, ProcessRun, run_process
from tests.bench.stream_data import events

QUESTION = "Tell me about Tokyo, at length."

VARIANTS: dict[str, list[str]] = {
    "ask --no-save": ["--no-save"],
    "ask": [],
    "ask --json --no-save": ["--json", "--no-save"],
    "ask --json": ["--json"],
}
TARGETS = {"ask": 2.0, "ask --json --no-save": 3.0}
"""Each variant's target, as a multiple of the bare reader's CPU time (issue 18)."""


def logprob_bytes(tokens: int, top: int) -> int:
    """Bytes of the stream's logprob rows as compact JSON (see the module docstring)."""
    total = 0
    for event in events(tokens, top):
        for choice in event.get("choices") or ():
            for row in (choice.get("logprobs") or {}).get("content") or ():
                total += len(orjson.dumps(row)) + 1  # the comma between rows
    return total


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LOGPROB_CHAT_DEBUG"):
        env.pop(name, None)
    env["LOGPROB_CHAT_CONFIG_DIR"] = str(home / "config")
    env["LOGPROB_CHAT_DATA_DIR"] = str(home / "data")
    return env


def ask_run(url: str, ctx: Context, flags: list[str], home: Path) -> ProcessRun:
    argv = [sys.executable, "-m", "tui", "ask", "--base-url", url, "--model", "bench-model"]
    argv += ["--temperature", "0", "--top-logprobs", str(ctx.top)]
    argv += ["--max-tokens", str(ctx.tokens), *flags, QUESTION]
    return run_process(argv, env=_env(home))


def reader_run(name: str, url: str, ctx: Context) -> ProcessRun:
    argv = [sys.executable, "-m", "tests.bench.readers", name, url, str(ctx.tokens), str(ctx.top)]
    return run_process(argv)


def history_mb(home: Path) -> float:
    """The history file with its WAL and shared-memory files, MB (10⁶ bytes)."""
    data = home / "data"
    return sum(p.stat().st_size for p in data.glob("history.sqlite3*")) / 1e6


def check_json(output: bytes, ctx: Context) -> None:
    document = orjson.loads(output)
    assert len(document["tokens"]) == ctx.tokens, len(document["tokens"])
    assert document["status"] == "complete", document["status"]


def case(ctx: Context) -> list[Measure]:
    url = ctx.stream_server()
    cpu: dict[str, list[float]] = {name: [] for name in ["bare", "openai", *VARIANTS]}
    json_bytes: list[float] = []
    history: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not ctx.small:  # warm-up: the OS file cache, .pyc files, the server's first connection
            reader_run("bare", url, ctx)
            ask_run(url, ctx, ["--no-save"], root / "warm")
        for i in range(ctx.repeat):
            cpu["bare"].append(reader_run("bare", url, ctx).cpu)
            cpu["openai"].append(reader_run("openai", url, ctx).cpu)
            for name, flags in VARIANTS.items():
                home = root / f"{i}-{len(flags)}-{'json' if '--json' in flags else 'text'}"
                run = ask_run(url, ctx, flags, home)
                cpu[name].append(run.cpu)
                if "--json" in flags and i == 0:
                    check_json(run.output, ctx)
                if flags == ["--json", "--no-save"]:
                    json_bytes.append(len(run.output))
                if flags == []:
                    history.append(history_mb(home))
    stream = logprob_bytes(ctx.tokens, ctx.top)
    name = "ask"
    measures = [
        Measure(name, "bare reader CPU (httpx + json.loads)", "s", cpu["bare"]),
        Measure(name, "openai SDK CPU (streaming)", "s", cpu["openai"]),
    ]
    for variant in VARIANTS:
        measures.append(Measure(name, f"{variant} CPU", "s", cpu[variant]))
    for variant in VARIANTS:
        measures.append(
            Measure(
                name,
                f"{variant} ÷ bare reader",
                "x",
                [a / b for a, b in zip(cpu[variant], cpu["bare"], strict=True)],
                target=TARGETS.get(variant),
            )
        )
    for variant in VARIANTS:
        measures.append(
            Measure(
                name,
                f"{variant} ÷ openai SDK",
                "x",
                [a / b for a, b in zip(cpu[variant], cpu["openai"], strict=True)],
            )
        )
    measures += [
        Measure(
            name,
            "--json output ÷ stream logprob bytes",
            "x",
            [b / stream for b in json_bytes],
            target=1.2,
            note=f"stream logprob rows: {stream / 1e6:.1f} MB compact JSON",
        ),
        Measure(
            name,
            f"history file after one {ctx.tokens}-token answer",
            "MB",
            history,
            target=10.0 if (ctx.tokens, ctx.top) == (20_000, 20) else None,
        ),
    ]
    return measures
