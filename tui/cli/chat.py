"""``logprob-chat`` / ``logprob-chat chat``: open the TUI."""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli.options import (
    add_connection_options,
    add_sampling_options,
    add_store_options,
    fail,
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("chat", help="open the chat (the default)")
    add_connection_options(parser)
    add_sampling_options(parser)
    add_store_options(parser)
    parser.add_argument("--new", action="store_true", help="start a new conversation")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return fail("the chat screen is not built yet; use `logprob-chat ask MESSAGE`", 1)
