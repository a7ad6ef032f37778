"""``python -m tests.bench.export_child DATA_DIR FORMAT FILE``: one export for case 9.

``logprob-chat export --last --format FORMAT -o FILE --data-dir DATA_DIR``, then a line
``peak_rss_mb=N`` on standard error (the process's ``VmHWM``). A module of its own, outside
``tests.bench.cases``, whose package imports every case (the whole TUI with them): the process
measured imports what ``logprob-chat export`` imports, and nothing else.
"""

from __future__ import annotations

import sys

from tests.bench.runner import peak_rss_mb


def child(data_dir: str, fmt: str, target: str) -> int:
    from tui.cli.main import main

    code = main(["export", "--last", "--format", fmt, "-o", target, "--data-dir", data_dir])
    sys.stderr.write(f"peak_rss_mb={peak_rss_mb():.1f}\n")
    return code


if __name__ == "__main__":
    raise SystemExit(child(*sys.argv[1:4]))
