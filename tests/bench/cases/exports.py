"""Case 9, exports: the conversation of case 5 (200 answers × 500 tokens × top-20) exported in
each format by ``logprob-chat export`` to a file, each run a fresh process.

The history is written once (as case 5 writes it); each export runs as
``python -m tests.bench.export_child DATA_DIR FORMAT FILE``, which is ``logprob-chat export
--last --format FORMAT -o FILE`` plus one line on standard error with the process's peak
resident memory (``VmHWM``, see :func:`tests.bench.runner.peak_rss_mb`). Measures per
format (medians): wall time from process start to exit, interpreter start included, as a
user waits for it (target ≤ 3 s); its CPU time (user + system: what the wall time would be on
an otherwise idle core, the machine being shared); peak RSS (target ≤ 400 MB). The file's
size is noted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tests.bench.cases.history import ANSWERS, TOKENS, write_history
from tests.bench.export_child import child
from tests.bench.runner import Context, Measure, peak_rss_mb, run_process

FORMATS = ("json", "jsonl", "md", "csv")


def export_run(
    data_dir: Path, fmt: str, target: Path, ctx: Context
) -> tuple[float, float, float, float]:
    """(seconds, CPU seconds, peak RSS MB, file MB) of one export in a fresh process (in this
    process for the smoke test's tiny sizes: its RSS means nothing then)."""
    if ctx.small:
        start, cpu = time.perf_counter(), time.process_time()
        assert child(str(data_dir), fmt, str(target)) == 0
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return wall, cpu, peak_rss_mb(), target.stat().st_size / 1e6
    argv = [sys.executable, "-m", "tests.bench.export_child", str(data_dir), fmt, str(target)]
    run = run_process(argv)
    assert run.peak_rss_mb is not None
    return run.wall, run.cpu, run.peak_rss_mb, target.stat().st_size / 1e6


def case(ctx: Context) -> list[Measure]:
    answers, tokens = (12, 50) if ctx.small else (ANSWERS, TOKENS)
    times: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    cpu: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    rss: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    size: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        write_history(data_dir, answers, tokens)
        if not ctx.small:  # warm-up: the OS file cache, .pyc files
            export_run(data_dir, "md", Path(tmp) / "warm.md", ctx)
        for _ in range(ctx.repeat):
            for fmt in FORMATS:
                target = Path(tmp) / f"out.{fmt}"
                seconds, used, peak, size[fmt] = export_run(data_dir, fmt, target, ctx)
                times[fmt].append(seconds)
                cpu[fmt].append(used)
                rss[fmt].append(peak)
                target.unlink()
    name = "export"
    label = f"{answers}×{tokens} tokens"
    measures = []
    for fmt in FORMATS:
        note = f"file {size[fmt]:.1f} MB"
        measures.append(
            Measure(name, f"{fmt} {label}: time", "s", times[fmt], target=3.0, note=note)
        )
        measures.append(Measure(name, f"{fmt}: CPU", "s", cpu[fmt]))
        measures.append(Measure(name, f"{fmt}: peak RSS", "MB", rss[fmt], target=400))
    return measures
