"""Entry point: parse the command line and run a subcommand (the TUI when none is given)."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from tui.cli.configured import parse_args_with_config
from tui.cli.options import PROG, OneLineParser, fail, version_text
from tui.core.errors import LogprobChatError, one_line

SUBCOMMANDS = ("chat", "ask", "compare", "score", "export", "history")
"""In the order ``--help`` lists them; each is the module ``tui.cli.<name>`` with its
``add_parser``."""


def build_parser(only: str | None = None) -> OneLineParser:
    """The command line's parser: every subcommand, or only the one named ``only`` (the one
    being run: the others' modules are not even imported, which the chat's start-up feels:
    ``score`` alone imports the HTTP client, ``compare`` the statistics module)."""
    parser = OneLineParser(
        prog=PROG,
        description="A terminal chat that shows how confident a language model was in every "
        "answer, from its token logprobs. Without a subcommand, opens the chat.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=OneLineParser
    )
    for name in SUBCOMMANDS if only is None else (only,):
        importlib.import_module(f"tui.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # No subcommand (or only options) means the chat: `logprob-chat --model x` opens the TUI.
    if not args_list or (
        args_list[0] not in SUBCOMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list.insert(0, "chat")
    only = args_list[0] if args_list[0] in SUBCOMMANDS else None
    args = parse_args_with_config(build_parser(only), args_list)
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
