"""The benchmark runner itself, on tiny sizes, in the default test run (so it cannot rot):
every fast case runs once (ingest also beside a CPU-bound neighbour), the table prints, the
JSON report holds a median for each measure. The engine cases (3, 4, 6) are left to the real
runs: starting the model costs seconds."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import orjson
import pytest

from tests.bench.__main__ import main
from tests.bench.cases import CASES
from tests.bench.runner import Measure, neighbour, table

FAST = ("ingest", "screen", "history", "ask", "export", "sets")
"""The cases without the engine: fast enough at --small sizes for every test run."""


def test_the_runner_runs_the_fast_cases_and_writes_its_report(tmp_path: Path, capsys):
    out = tmp_path / "report.json"
    argv = ["--small", "--repeat", "1", "--out", str(out), "--loaded", "ingest"]
    for case in FAST:
        argv += ["--only", case]
    assert main(argv) == 0

    report = json.loads(out.read_text())
    assert report["settings"] == {"repeat": 1, "tokens": 300, "top": 5, "loaded": ["ingest"]}
    assert report["machine"]["cpus"] >= 1 and report["machine"]["python"]
    measures = {(m["case"], m["measure"]): m for m in report["measures"]}
    assert {case for case, _ in measures} == set(FAST)
    for m in measures.values():
        assert len(m["values"]) == 1 and m["median"] == m["values"][0]
        assert m["median"] > 0 or m["measure"] == "RSS held per result"  # (its note says why)
    ratio = measures["ingest", "client ÷ baseline time"]
    assert ratio["target"] == "<= 1.5" and isinstance(ratio["met"], bool)
    # The loaded run: the same measures again, named apart, with the same targets.
    loaded = measures["ingest", "client ÷ baseline time (loaded)"]
    assert loaded["target"] == "<= 1.5"
    assert ("screen", "longest event-loop stall (loaded)") not in measures  # only --loaded ones
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split() == ["case", "measure", "median", "target", "met?"]
    assert "client ÷ baseline time" in printed


def test_every_case_of_the_issue_is_registered():
    assert list(CASES) == [
        "ingest",
        "screen",
        "engine",
        "startup",
        "history",
        "compare",
        "recovery",
        "ask",
        "export",
        "sets",
    ]


def test_the_neighbour_keeps_a_core_busy_and_is_ended():
    with neighbour() as process:
        stat = Path(f"/proc/{process.pid}/stat")
        deadline = time.monotonic() + 10
        busy = 0.0
        while busy < 0.2 and time.monotonic() < deadline:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            busy = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime+stime
            time.sleep(0.05)
        assert busy >= 0.2  # CPU time, not wall time: it really computes
    assert process.returncode is not None  # killed and reaped


def test_the_table_marks_met_and_missed_targets():
    rows = table(
        [
            Measure("a", "ratio", "x", [1.0, 2.0, 9.0], target=1.5),
            Measure("b", "rate", "x", [0.97], target=0.95, at_most=False),
            Measure("c", "info", "ms", [3.0]),
        ]
    ).splitlines()
    assert rows[2].split()[-1] == "NO" and "2.00" in rows[2]  # the median, not the mean
    assert rows[3].split()[-1] == "yes" and "≥ 0.95" in rows[3]
    assert rows[4].rstrip().endswith("3.0 ms")
    with pytest.raises(SystemExit):
        main(["--repeat", "0"])


def test_stored_size_measures_the_history_growth_per_answer():
    from tests.bench.stored_size import stored_mb_per_answer
    from tests.core.store.answers import japanese_answer

    answer = japanese_answer()  # 19 real llama.cpp rows, top-5
    per_answer = stored_mb_per_answer([answer] * 20, part_rows=5)  # pages: keep it many
    # Grown pages over an empty file, scaled to 20,000 rows: more than nothing, and far less
    # than the rows' JSON would take uncompressed.
    plain = sum(len(orjson.dumps(row)) for row in answer.raw) / len(answer.raw) * 20_000 / 1e6
    assert 0 < per_answer < plain
