"""Entry point: parse the command line and run a subcommand (the TUI when none is given)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tui.cli import ask, chat, export
from tui.cli.configured import parse_args_with_config
from tui.cli.options import PROG, OneLineParser, version_text

SUBCOMMANDS = ("chat", "ask", "export")


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog=PROG,
        description="A terminal chat that shows how confident a language model was in every "
        "answer, from its token logprobs. Without a subcommand, opens the chat.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=OneLineParser
    )
    chat.add_parser(subparsers)
    ask.add_parser(subparsers)
    export.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # No subcommand (or only options) means the chat: `logprob-chat --model x` opens the TUI.
    if not args_list or (
        args_list[0] not in SUBCOMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list.insert(0, "chat")
    args = parse_args_with_config(build_parser(), args_list)
    return int(args.run(args) or 0)
