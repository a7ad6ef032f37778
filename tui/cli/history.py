"""``logprob-chat history``: copies of the history file.

logprob-chat history backup ~/history-backup.sqlite3    # safe while the chat runs
logprob-chat history recover ~/history-recovered.sqlite3  # what a damaged file still holds
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tui.cli.options import add_store_options, fail
from tui.core.paths import data_dir_problem
from tui.core.store import history_path
from tui.core.store.problems import StoreError
from tui.core.store.salvage import CopyReport, backup, recover


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "history",
        help="back up the history, or recover what a damaged one still holds",
        description="Copies of the history file (history.sqlite3 in the data directory). "
        "Neither command ever writes to the history itself.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    backup_parser = commands.add_parser(
        "backup",
        help="copy the history to FILE (safe while the chat runs)",
        description="Copy the history to a new FILE with SQLite's backup API: one consistent "
        "copy, safe while the chat runs (a plain cp of history.sqlite3 then misses what is "
        "still in its -wal file). FILE must not exist; it is made readable by you only.",
    )
    backup_parser.add_argument("file", metavar="FILE", help="the new file")
    add_store_options(backup_parser)
    backup_parser.set_defaults(run=run_backup)
    recover_parser = commands.add_parser(
        "recover",
        help="copy what a damaged history still holds to FILE",
        description="Copy every conversation, message and answer that can still be read from "
        "a damaged history into a new FILE, skipping the damaged pages. The damaged file is "
        "left as it is: move it away and put FILE in its place (history.sqlite3 in the data "
        "directory) to carry on with what was saved.",
    )
    recover_parser.add_argument("file", metavar="FILE", help="the new file")
    add_store_options(recover_parser)
    recover_parser.set_defaults(run=run_recover)


def _source(args: argparse.Namespace) -> Path:
    path = history_path(args.data_dir)
    problem = data_dir_problem(path.parent)
    if problem:
        raise StoreError(problem)
    return path


def run_backup(args: argparse.Namespace) -> int:
    target = Path(args.file).expanduser()
    try:
        source = _source(args)
        report = backup(source, target)
    except StoreError as exc:
        return fail(str(exc), 1)
    sys.stderr.write(f"backed up {report.counts()} from {source} to {target}\n")
    if report.damaged:
        sys.stderr.write(
            f"note: the history is damaged ({report.damaged}); the backup is an exact copy, "
            "damage included: `logprob-chat history recover NEW_FILE` copies what can be read\n"
        )
    return 0


def run_recover(args: argparse.Namespace) -> int:
    target = Path(args.file).expanduser()
    try:
        source = _source(args)
        report = recover(source, target)
    except StoreError as exc:
        return fail(str(exc), 1)
    sys.stderr.write(f"recovered {report.counts()} from {source} to {target}\n")
    sys.stderr.write(_losses(report) + f"; {source} was left as it is\n")
    return 0


def _losses(report: CopyReport) -> str:
    if not report.unreadable:
        return "every row could be read"
    line = f"some rows of {', '.join(report.unreadable)} could not be read (damaged pages)"
    if report.dropped:
        line += f", and {report.dropped} rows that belonged to them were left out"
    return line
