"""The report printed when the program itself fails: where, and nothing private.

Textual's own crash report is a traceback with every frame's local variables, which hold the
connection (and its API key), the conversation and server text. This one has no locals, every
line goes through :func:`tui.core.errors.redact` (registered keys, bearer tokens, ``sk-…``
keys, URL userinfo) and :func:`tui.core.safety.safe_text` (server text in an exception message
must not act on the terminal either).
"""

from __future__ import annotations

import traceback

from tui.core.errors import redact
from tui.core.safety import safe_text

HEADING = "logprob-chat stopped on an unexpected error (a bug: please report it with this):"


def crash_report(error: BaseException | None) -> str:
    """A plain-text traceback of ``error`` without local variables or secrets."""
    if error is None:
        return HEADING
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    return HEADING + "\n" + safe_text(redact("".join(lines))).rstrip("\n")
