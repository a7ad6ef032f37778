"""The benchmark runner: cases, their measures, the table and the JSON report.

A case is a function of a :class:`Context` that runs its work ``ctx.repeat`` times and returns
:class:`Measure` objects holding every run's value; the report gives the median of the runs
and whether it meets the target. Ratios are measured side by side in the same run (the machine
is shared and noisy, so absolute times drift between runs but ratios hold).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Measure:
    """One measured quantity of a case: every run's value, a target and its direction."""

    case: str
    name: str
    unit: str
    values: list[float] = field(default_factory=list)
    target: float | None = None
    at_most: bool = True  # the target is an upper bound (else a lower bound)
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.median is None:
            return None
        return self.median <= self.target if self.at_most else self.median >= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "measure": self.name,
            "unit": self.unit,
            "median": self.median,
            "values": self.values,
            "target": None
            if self.target is None
            else ("<= " if self.at_most else ">= ") + f"{self.target:g}",
            "met": self.met,
            "note": self.note,
        }


@dataclass
class Context:
    """What every case gets: sizes, repeats, shared results, the stream server."""

    repeat: int = 5
    tokens: int = 20_000
    top: int = 20
    small: bool = False  # the smoke test's tiny sizes (no engine cases)
    shared: dict[str, Any] = field(default_factory=dict)
    _servers: dict[tuple[int, int], tuple[subprocess.Popen[str], str]] = field(default_factory=dict)

    def stream_server(self) -> str:
        """Base URL of a stream server (its own process) for ``tokens`` × ``top``."""
        key = (self.tokens, self.top)
        if key not in self._servers:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.bench.serve", str(self.tokens), str(self.top)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            if not url:
                process.kill()
                raise RuntimeError("the stream server did not start")
            self._servers[key] = (process, url)
        return self._servers[key][1]

    def engine(self) -> Any:
        """The embedded engine (started once per run, in this process, as the app does)."""
        if "engine" not in self.shared:
            from tui.core.engine import EmbeddedEngine

            embedded = EmbeddedEngine()
            embedded.start()
            self.shared["engine"] = embedded
        return self.shared["engine"]

    def close(self) -> None:
        engine = self.shared.pop("engine", None)
        if engine is not None:
            engine.stop()
        for process, _ in self._servers.values():
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self._servers.clear()


Case = Callable[[Context], list[Measure]]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def machine() -> dict[str, Any]:
    """The machine the numbers come from."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu or platform.processor(),
        "ram_gb": round(ram / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:,.0f} {unit}"


def table(measures: list[Measure]) -> str:
    rows = [("case", "measure", "median", "target", "met?")]
    for m in measures:
        target = "" if m.target is None else ("≤ " if m.at_most else "≥ ") + _fmt(m.target, m.unit)
        met = {True: "yes", False: "NO", None: ""}[m.met]
        rows.append((m.case, m.name, _fmt(m.median, m.unit), target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def run(cases: dict[str, Case], ctx: Context, names: list[str], out: Path | None) -> list[Measure]:
    measures: list[Measure] = []
    started = time.time()
    try:
        for name in names:
            print(f"[{name}] running ×{ctx.repeat}…", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            found = cases[name](ctx)
            print(f"[{name}] {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
            measures.extend(found)
    finally:
        ctx.close()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "seconds": round(time.time() - started, 1),
            "machine": machine(),
            "settings": {"repeat": ctx.repeat, "tokens": ctx.tokens, "top": ctx.top},
            "measures": [m.to_json() for m in measures],
        }
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return measures
