"""``logprob-chat`` / ``logprob-chat chat``: open the TUI."""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli.options import (
    add_connection_options,
    add_sampling_options,
    add_store_options,
    backend_options,
    fail,
    given_options,
    sampling_options,
    system_prompt,
)
from tui.core import gc_pause
from tui.core.backend import validate_options
from tui.core.errors import LogprobChatError
from tui.core.paths import data_dir


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("chat", help="open the chat (the default)")
    add_connection_options(parser)
    add_sampling_options(parser)
    add_store_options(parser)
    parser.add_argument(
        "--new",
        action="store_true",
        help="start a new conversation (default: reopen the last one, with its prompt, "
        "model and sampling unless given here)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Every bad value is reported here, in one line, before the screen opens.
    try:
        system, preset = system_prompt(args)
        options = backend_options(args)
        sampling = sampling_options(args, options)
        validate_options(options)
    except LogprobChatError as exc:
        return fail(str(exc))
    # Textual loads only when the TUI is wanted. Its import and the app's construction build
    # ~90,000 objects that live as long as the app: with the collector on, its passes walk
    # them again and again meanwhile (~15 ms of the start-up); the app's first settle,
    # once its screen is painted, collects and freezes them once.
    with gc_pause.paused():
        from tui.app.app import LogprobChatApp

        app = LogprobChatApp(
            options=options,
            sampling=sampling,
            system_prompt=system or "",
            preset=preset,
            stream=not args.no_stream,
            data_dir=data_dir(args.data_dir),
            config=getattr(args, "app_config", None),
            new_conversation=args.new,
            given_options=given_options(args),
        )
    try:
        result = app.run()
    finally:
        app.close_backend()
    # After an unexpected error Textual sets return_code (1) but returns no result.
    return app.return_code or int(result or 0)
