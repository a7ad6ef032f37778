"""Make server text safe to show: it is data, never terminal control.

A model (or a hostile server) can put escape sequences in its text: OSC 0 retitles the window,
OSC 52 writes the clipboard, CSI moves the cursor, bracketed-paste markers fake input. Textual
passes some of them to the terminal as they are (see ``shared/reference/terminal_safety.md``),
so every piece of server text is passed through :func:`safe_text` before it reaches a widget,
a notification, the terminal or a file a terminal may ``cat``.

* C0 controls other than newline and tab, and DEL, become their visible Control Pictures
  (ESC → ``␛``, CR → ``␍``), so a reader sees that they were there.
* C1 controls (U+0080–U+009F, 8-bit CSI/OSC) and bidirectional overrides/isolates (which can
  reorder what a terminal shows) become U+FFFD.
* Lone surrogates (which cannot be encoded) become U+FFFD.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␀ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def safe_text(text: str) -> str:
    """``text`` with every character that could act on a terminal made visible or replaced."""
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    return _UNSAFE.sub(_visible, text)


def safe_line(text: str) -> str:
    """Like :func:`safe_text`, and newlines and tabs shown as ``⏎`` / ``→`` (for one-line
    places: table cells, titles, notifications, the token inspector)."""
    return safe_text(text).replace("\n", "\u23ce").replace("\t", "\u2192")
