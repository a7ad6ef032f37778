"""Command line: ``logprob-chat`` (the TUI), ``ask``, ``compare``, ``export``."""

from tui.cli.main import main

__all__ = ["main"]
