"""The benchmark runner: cases, their measures, the table and the JSON report.

A case is a function of a :class:`Context` that runs its work ``ctx.repeat`` times and returns
:class:`Measure` objects holding every run's value; the report gives the median of the runs
and whether it meets the target. Ratios are measured side by side in the same run (the machine
is shared and noisy, so absolute times drift between runs but ratios hold).

A case listed in :data:`LOADED` is also run a second time with one CPU-bound neighbour
process beside it (:func:`neighbour`, started and ended by the runner): a real SSH box is
rarely idle. Those measures carry " (loaded)" after their name, with the same targets.
Whole processes (``ask``, ``export``) are measured by :func:`run_process`: CPU time from the
kernel's accounting of that child alone, wall time, and the peak memory it reports itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
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
    loaded: bool = False  # a CPU-bound neighbour process is running (see neighbour())
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

LOADED = ("screen", "startup")
"""Cases run twice by default: idle, then beside a CPU-bound neighbour (``--loaded`` picks
others)."""

LOADED_SUFFIX = " (loaded)"

NEIGHBOUR_CODE = "while True: pass"
"""The neighbour: one pure-Python busy loop, i.e. one core kept at 100 % by another process
(its own interpreter, so it shares no GIL with the measured work, as on a shared box)."""


@contextlib.contextmanager
def neighbour() -> Iterator[subprocess.Popen[bytes]]:
    """One CPU-bound process beside the measured work, for the ``with`` block; ended (killed
    and reaped) on leaving it."""
    process = subprocess.Popen([sys.executable, "-c", NEIGHBOUR_CODE], stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``). Not ``ru_maxrss``: Linux carries that
    over from the parent across fork and exec, so a child of the runner (which has loaded the
    model by then) would report the runner's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # (not Linux)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass(frozen=True)
class ProcessRun:
    """What one child process cost, from the kernel (``wait4``) and from the child."""

    cpu: float  # user + system seconds of the child alone (all its threads)
    wall: float  # seconds from start to exit, as seen by the runner
    output: bytes  # its standard output
    peak_rss_mb: float | None  # VmHWM the child printed as "peak_rss_mb=N" on stderr, if any


def run_process(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 300,
) -> ProcessRun:
    """Run ``argv`` from the project's root and measure it; raise with its standard error if
    it fails. CPU time comes from ``wait4`` on that very child, so the runner's own work
    (and a neighbour's) is never counted."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}… exited {process.returncode}: {errors[-2000:]}")
    peak = None
    for line in errors.splitlines():
        if line.startswith("peak_rss_mb="):
            peak = float(line.split("=", 1)[1])
    return ProcessRun(usage.ru_utime + usage.ru_stime, wall, output, peak)


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
        return f"{value:.1f} MB" if value < 100 else f"{value:.0f} MB"
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


def _run_case(name: str, case: Case, ctx: Context) -> list[Measure]:
    label = name + (LOADED_SUFFIX if ctx.loaded else "")
    print(f"[{label}] running ×{ctx.repeat}…", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    found = case(ctx)
    print(f"[{label}] {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    if ctx.loaded:
        for m in found:
            m.name += LOADED_SUFFIX
    return found


def run(
    cases: dict[str, Case],
    ctx: Context,
    names: list[str],
    out: Path | None,
    loaded: Sequence[str] = LOADED,
) -> list[Measure]:
    """Run the cases ``names`` in order; each of ``loaded`` a second time beside a
    :func:`neighbour`. Write the JSON report to ``out``."""
    measures: list[Measure] = []
    started = time.time()
    try:
        for name in names:
            measures.extend(_run_case(name, cases[name], ctx))
            if name in loaded:
                with neighbour():
                    ctx.loaded = True
                    try:
                        measures.extend(_run_case(name, cases[name], ctx))
                    finally:
                        ctx.loaded = False
    finally:
        ctx.close()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "seconds": round(time.time() - started, 1),
            "machine": machine(),
            "settings": {
                "repeat": ctx.repeat,
                "tokens": ctx.tokens,
                "top": ctx.top,
                "loaded": [name for name in names if name in loaded],
            },
            "measures": [m.to_json() for m in measures],
        }
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return measures
