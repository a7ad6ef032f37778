"""``uv run python -m tests.bench``: run the benchmarks, print the table, write the report.

    uv run python -m tests.bench                   # every case, 5 runs each
    uv run python -m tests.bench --repeat 3 --only ingest --only screen
    uv run python -m tests.bench --only ask --loaded ask  # idle, then beside a busy neighbour
    uv run python -m tests.bench --list

Cases in ``runner.LOADED`` (the screen, start-up) run twice unless ``--idle``: idle, then
beside one CPU-bound neighbour process the runner starts and ends.

The report goes to ``tests/bench/results/latest.json`` (``--out`` to change). The exit status
is 0 even when a target is missed: the table says which, and the README explains why.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.bench.cases import CASES, TITLES
from tests.bench.runner import LOADED, RESULTS, Context, run, table

SMALL_TOKENS = 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (median reported)")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(CASES),
        metavar="CASE",
        help="run only this case (repeatable): " + ", ".join(CASES),
    )
    parser.add_argument("--tokens", type=int, help="tokens of the streamed answer (20000)")
    parser.add_argument("--top", type=int, help="top_logprobs of the streamed answer (20)")
    parser.add_argument(
        "--small", action="store_true", help="tiny sizes of every case (what the smoke test runs)"
    )
    parser.add_argument(
        "--loaded",
        action="append",
        choices=list(CASES),
        metavar="CASE",
        help="also run this case beside one CPU-bound neighbour process (repeatable; "
        f"default: {', '.join(LOADED)})",
    )
    parser.add_argument(
        "--idle", action="store_true", help="no loaded runs at all (only the idle machine)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name in CASES:
            print(f"{name:8}  {TITLES[name]}")
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    tokens = args.tokens or (SMALL_TOKENS if args.small else 20_000)
    top = args.top or (5 if args.small else 20)
    ctx = Context(repeat=args.repeat, tokens=tokens, top=top, small=args.small)
    loaded = () if args.idle else (args.loaded or LOADED)
    measures = run(CASES, ctx, args.only or list(CASES), args.out, loaded)
    print(table(measures))
    print(f"report: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
