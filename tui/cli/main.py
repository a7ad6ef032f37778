"""Entry point: parse the command line and run a subcommand (the TUI when none is given)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tui.cli import ask, chat, compare, export, history, score
from tui.cli.configured import parse_args_with_config
from tui.cli.options import PROG, OneLineParser, fail, version_text
from tui.core.errors import LogprobChatError, one_line

SUBCOMMANDS = ("chat", "ask", "compare", "score", "export", "history")


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
    compare.add_parser(subparsers)
    score.add_parser(subparsers)
    export.add_parser(subparsers)
    history.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # No subcommand (or only options) means the chat: `logprob-chat --model x` opens the TUI.
    if not args_list or (
        args_list[0] not in SUBCOMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list.insert(0, "chat")
    args = parse_args_with_config(build_parser(), args_list)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except LogprobChatError as exc:
        return fail(str(exc), 1)
    except Exception as exc:
        # A bug, not a user error: still one line (no traceback over the user's terminal)
        # unless LOGPROB_CHAT_DEBUG asks for the details.
        if os.environ.get("LOGPROB_CHAT_DEBUG"):
            raise
        return fail(
            f"unexpected {type(exc).__name__}: {one_line(str(exc))} "
            "(set LOGPROB_CHAT_DEBUG=1 to see where)",
            70,
        )
