"""``logprob-chat export``: a stored conversation as JSON, JSONL, Markdown or a CSV token table.

logprob-chat export --last --format md                 # the latest conversation, stdout
logprob-chat export --conversation 12 --format csv -o tokens.csv
logprob-chat export --last --format json --raw -o all.json   # with the server's raw rows
logprob-chat export --list                             # ids, dates, first questions
logprob-chat export --last --format csv -o - | less    # -o - is standard output
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from tui.cli.options import add_store_options, fail
from tui.core.export import CONVERSATION_FORMATS, FORMATS, export_pieces
from tui.core.export.documents import iso_time
from tui.core.export.formats import format_for_path, suffix_list
from tui.core.export.rows import write_private_file
from tui.core.paths import data_dir_problem
from tui.core.report import fmt_prob
from tui.core.safety import safe_line
from tui.core.store import Store, StoreError, history_path


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help=f"export a conversation from the history ({', '.join(FORMATS)})",
        description="Export a stored conversation: "
        + "; ".join(f"{fmt.name}: {fmt.description}" for fmt in CONVERSATION_FORMATS)
        + ". Writes to standard output unless -o is given.",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--conversation", type=_conversation_id, metavar="ID", help="the conversation to export"
    )
    which.add_argument(
        "--last", action="store_true", help="the most recent conversation (the default)"
    )
    which.add_argument("--list", action="store_true", help="list stored conversations and exit")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the -o file's extension)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (a new file is made 0600; a symbolic link writes the file it "
        "names; a FIFO is written through; - is standard output; device nodes are refused)",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="json: also the server's logprob rows exactly as received (key 'raw')",
    )
    parser.add_argument(
        "--raw-cells",
        action="store_true",
        help="csv: text cells exactly as they are (by default a cell starting with =, +, -, "
        "@, tab or a line break gets a ' in front, so a spreadsheet never runs it as a "
        "formula)",
    )
    add_store_options(parser)
    parser.set_defaults(run=run)


def _conversation_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a conversation id number, not {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a conversation id number, not {text}")
    return value


def choose_format(given: str | None, output: str | None) -> str:
    if given:
        return given
    if output:
        fmt = format_for_path(CONVERSATION_FORMATS, output)
        if fmt is not None:
            return fmt.name
    raise StoreError(
        f"give --format ({'|'.join(FORMATS)}) or an -o file ending in "
        f"{suffix_list(CONVERSATION_FORMATS)}"
    )


def run(args: argparse.Namespace) -> int:
    path = history_path(args.data_dir)
    try:
        fmt = None if args.list else choose_format(args.format, args.output)
    except StoreError as exc:
        return fail(str(exc))
    if args.raw and fmt != "json":
        return fail("--raw goes with --format json (the other formats never carry raw rows)")
    if args.raw_cells and fmt != "csv":
        return fail("--raw-cells goes with --format csv")
    if not path.exists():
        return fail(data_dir_problem(path.parent) or f"no history yet at {path}", 1)
    with Store.open(path) as store:
        if store.problem:
            if store.in_memory and store.last_conversation_id() is None:
                return fail(store.fault or store.problem, 1)
            sys.stderr.write(f"note: {store.problem}\n")
        try:
            if args.list:
                return _list(store, sys.stdout)
            conversation_id = args.conversation or store.last_conversation_id()
            if conversation_id is None:
                return fail(f"the history at {path} has no conversations yet", 1)
            # Lazy: raw rows stay compressed bytes until the export reaches their answer.
            conversation = store.load_conversation(conversation_id, lazy=True)
        except StoreError as exc:
            return fail(str(exc), 1)
    assert fmt is not None
    pieces = export_pieces(conversation, fmt, raw=args.raw, raw_cells=args.raw_cells)
    if args.output and args.output != "-":
        target = Path(args.output).expanduser()
        try:
            write_private_file(target, pieces)
        except OSError as exc:
            return fail(f"cannot write {target}: {exc.strerror or exc}", 1)
        sys.stderr.write(f"exported conversation {conversation.id} ({fmt}) to {target}\n")
        return 0
    return _write_stdout_pieces(pieces)


def _list(store: Store, out: TextIO) -> int:
    summaries = store.list_conversations()
    if not summaries:
        sys.stderr.write("no conversations yet\n")
        return 0
    lines = [f"{'id':>5}  {'updated (UTC)':<16}  {'answers':>7}  {'mean p':>7}  title"]
    for s in summaries:
        when = (iso_time(s.updated_at) or "")[:16].replace("T", " ")
        lines.append(
            f"{s.id:>5}  {when:<16}  {s.answers:>7}  {fmt_prob(s.mean_prob):>7}  "
            f"{safe_line(s.display_title)}"
        )
    return _write_stdout("\n".join(lines) + "\n", out)


def _write_stdout(text: str, out: TextIO | None = None) -> int:
    return _write_stdout_pieces([text.encode("utf-8")], out)


def _write_stdout_pieces(pieces: Iterable[bytes], out: TextIO | None = None) -> int:
    """Write the pieces as they come (binary when the stream has a buffer)."""
    stream = out or sys.stdout
    binary = getattr(stream, "buffer", None)
    try:
        stream.flush()
        for piece in pieces:
            if binary is not None:
                binary.write(piece)
            else:
                stream.write(piece.decode("utf-8"))
        (binary or stream).flush()
    except BrokenPipeError:
        # `export ... | head`: the reader left; exit quietly like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0
