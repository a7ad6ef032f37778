"""Entry point: parse the command line and run a subcommand (the TUI when none is given)."""

from __future__ import annotations

import argparse
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


class CommandLineParser(OneLineParser):
    """The top-level parser: arguments no subcommand took are named with the subcommand they
    were given to, and where its options are listed."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        command = getattr(parsed, "command", None)
        if extras and command:
            self.exit(
                2,
                f"{PROG}: error: {' '.join(extras)}: not an argument of `{PROG} {command}` "
                f"(see {PROG} {command} --help)\n",
            )
        return parsed, extras


def build_parser(only: str | None = None) -> OneLineParser:
    """The command line's parser: every subcommand, or only the one named ``only`` (the one
    being run: the others' modules are not even imported, which the chat's start-up feels:
    ``score`` alone imports the HTTP client, ``compare`` the statistics module)."""
    parser = CommandLineParser(
        prog=PROG,
        description="A terminal chat that shows how confident a language model was in every "
        "answer, from its token logprobs. Without a subcommand, opens the chat.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=OneLineParser, dest="command"
    )
    for name in SUBCOMMANDS if only is None else (only,):
        importlib.import_module(f"tui.cli.{name}").add_parser(subparsers)
    return parser


def _option_arities(parser: argparse.ArgumentParser) -> dict[str, bool]:
    """Every option string of every subcommand → whether it takes a value."""
    arities: dict[str, bool] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                arities.update(_option_arities(sub))
        for option in action.option_strings:
            arities[option] = action.nargs != 0
    return arities


def subcommand_first(args: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """The arguments with the subcommand first: ``--base-url X ask hi`` → ``ask hi --base-url
    X`` (options typed before the subcommand are the subcommand's, moved to the end of its
    arguments, before a ``--``); no subcommand at all means the chat (``--model x`` opens it).

    Options are skipped with their values (known from every subcommand's parser), so a value
    that happens to be a subcommand's name (``--system ask``) is never taken for one."""
    args = list(args)
    arities = _option_arities(parser)
    i = 0
    while i < len(args):
        token = args[i]
        if token in ("-h", "--help", "--version") and i == 0:
            return args
        if token == "--" or not token.startswith("-") or token == "-":
            break
        if "=" not in token and arities.get(token, False):
            i += 1  # its value
        i += 1
    if i >= len(args) or args[i] not in SUBCOMMANDS:
        return ["chat", *args]
    leading, command, rest = args[:i], args[i], args[i + 1 :]
    end = rest.index("--") if "--" in rest else len(rest)
    return [command, *rest[:end], *leading, *rest[end:]]


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw and raw[0] in (*SUBCOMMANDS, "-h", "--help", "--version"):
        args_list = raw
    elif not any(token in SUBCOMMANDS for token in raw):
        # No subcommand anywhere (or only options) means the chat: `logprob-chat --model x`.
        args_list = ["chat", *raw]
    else:
        # Options before a subcommand: every subcommand's options are needed to tell their
        # values from the subcommand's name (the rare case pays for importing them all).
        args_list = subcommand_first(raw, build_parser())
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
