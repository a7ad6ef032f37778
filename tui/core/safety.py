"""Make server text safe to show: it is data, never terminal control, and never hidden.

A model (or a hostile server) can put escape sequences in its text: OSC 0 retitles the window,
OSC 52 writes the clipboard, CSI moves the cursor, bracketed-paste markers fake input. Textual
passes some of them to the terminal as they are (see ``shared/reference/terminal_safety.md``),
so every piece of server text is passed through :func:`safe_text` before it reaches a widget,
a notification, the terminal or a file a terminal may ``cat``. Text can also hide from the
reader: Unicode tag characters spell whole sentences no terminal draws (a known way to smuggle
instructions past a person), zero-width characters split or join words unseen.

One character always becomes one character (the chat places tokens by position):

* C0 controls other than newline and tab, and DEL, become their visible Control Pictures
  (ESC → ``␛``, CR → ``␍``), so a reader sees that they were there.
* C1 controls (U+0080–U+009F, 8-bit CSI/OSC) and bidirectional overrides/isolates (which can
  reorder what a terminal shows) become U+FFFD; so do lone surrogates (cannot be encoded).
* Tag characters (U+E0000–U+E007F) become ``⧈``, except inside an emoji flag such as
  England's (U+1F3F4, tags, U+E007F CANCEL TAG), where they draw the flag.
* Zero-width and other invisible characters (Unicode's default-ignorable code points: ZERO
  WIDTH SPACE, WORD JOINER, BYTE ORDER MARK, SOFT HYPHEN, invisible operators, Hangul fillers,
  ...) become ``⬚``, except a ZERO WIDTH JOINER between two emoji (👨‍👩‍👧 is one picture)
  and a ZERO WIDTH NON-JOINER between two letters of a script that needs it (Persian
  ``می‌خواهم``). A variation selector is kept after a character; a second one in a row (a
  way to hang hidden bytes on one emoji) becomes ``⬚``.
* LINE SEPARATOR and PARAGRAPH SEPARATOR become ``␤`` and ``⁋``.

:func:`hidden_characters` names what was changed, for the token inspector.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

_ASCII_CLASS = "\x00-\x08\x0b-\x1f\x7f"  # C0 controls but tab and newline, DEL
_BMP_CLASS = (
    _ASCII_CLASS
    + "\x80-\x9f"  # C1 controls
    + "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"  # default-ignorable ...
    + "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    + "\ud800-\udfff"  # lone surrogates
)
_ASTRAL_CLASS = "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"  # ... tags
_UNSAFE = re.compile(f"[{_BMP_CLASS}{_ASTRAL_CLASS}]")
# The same, for text that cannot hold the rest (a class with astral ranges costs ~3x more
# per character; the chat runs this on every repaint of the answer being written).
_UNSAFE_ASCII = re.compile(f"[{_ASCII_CLASS}]")
_UNSAFE_BMP = re.compile(f"[{_BMP_CLASS}]")

TAG_MARK = "\u29c8"  # ⧈ SQUARED SQUARE
INVISIBLE_MARK = "\u2b1a"  # ⬚ DOTTED SQUARE
LINE_SEPARATOR_MARK = "\u2424"  # ␤ SYMBOL FOR NEWLINE
PARAGRAPH_SEPARATOR_MARK = "\u204b"  # ⁋ REVERSED PILCROW SIGN

_BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_VARIATION = re.compile("[\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_FLAG = "\U0001f3f4"  # WAVING BLACK FLAG: the base of a tag sequence (England, Scotland, ...)
_CANCEL_TAG = 0xE007F
_FLAG_TAGS = 7  # tags in a subdivision flag: up to 6 letters or digits, then CANCEL TAG


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␀ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F or code in _BIDI or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if code == 0x2028:
        return LINE_SEPARATOR_MARK
    if code == 0x2029:
        return PARAGRAPH_SEPARATOR_MARK
    text, at = match.string, match.start()
    if 0xE0000 <= code <= 0xE007F:
        return char if _in_flag(text, at) else TAG_MARK
    if _VARIATION.match(char):
        before = text[at - 1] if at else ""
        return INVISIBLE_MARK if before and _VARIATION.match(before) else char
    if code == 0x200D and _between(text, at, _emoji):
        return char
    if code == 0x200C and _between(text, at, _joining_letter):
        return char
    return INVISIBLE_MARK


def _between(text: str, at: int, kind: Callable[[str], bool]) -> bool:
    return 0 < at < len(text) - 1 and kind(text[at - 1]) and kind(text[at + 1])


def _emoji(char: str) -> bool:
    """A pictographic character, or what may end one (VS16, a skin tone)."""
    code = ord(char)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or code == 0xFE0F


def _joining_letter(char: str) -> bool:
    """A letter or mark of a script beyond Latin (where ZWNJ shapes words)."""
    return ord(char) > 0x2FF and unicodedata.category(char)[0] in "LM"


def _in_flag(text: str, at: int) -> bool:
    """Whether the tag character at ``at`` belongs to an emoji flag: U+1F3F4, 1 to 6 tag
    letters or digits, CANCEL TAG. Bounded look-around: a million tags cost linear time."""
    start = at
    while start > 0 and at - start < _FLAG_TAGS and 0xE0000 <= ord(text[start - 1]) < _CANCEL_TAG:
        start -= 1
    if start == 0 or text[start - 1] != _FLAG:
        return False
    end = at
    while end < len(text) and end - start < _FLAG_TAGS and ord(text[end]) != _CANCEL_TAG:
        end += 1
    if end >= len(text) or ord(text[end]) != _CANCEL_TAG or end == start:
        return False
    return all(_flag_letter(text[i]) for i in range(start, end))


def _flag_letter(char: str) -> bool:
    code = ord(char) - 0xE0000
    return 0x30 <= code <= 0x39 or 0x61 <= code <= 0x7A


def safe_text(text: str) -> str:
    """``text`` with every character that could act on a terminal or hide from its reader
    made visible or replaced, one character for one (see the module docstring)."""
    if text.isascii():
        return text if text.isprintable() else _UNSAFE_ASCII.sub(_visible, text)
    return _pattern(text).sub(_visible, text)


def _pattern(text: str) -> re.Pattern[str]:
    """The cheapest pattern that covers ``text``: astral characters (beyond U+FFFF: emoji,
    tags) show as two UTF-16 units, which encoding counts in C (~1 µs for 2 KB)."""
    if len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        return _UNSAFE
    return _UNSAFE_BMP


def safe_line(text: str) -> str:
    """Like :func:`safe_text`, and newlines and tabs shown as ``⏎`` / ``→`` (for one-line
    places: table cells, titles, notifications, the token inspector)."""
    return safe_text(text).replace("\n", "\u23ce").replace("\t", "\u2192")


SPELLED_CHARS = 80
"""Characters of the text that tag characters spell, shown by :func:`hidden_characters`."""


def hidden_characters(text: str) -> list[str]:
    """What :func:`safe_text` changes in ``text``, named, for the token inspector: one entry
    per character, in order of first appearance, counted (``"U+200B ZERO WIDTH SPACE ×2"``).
    Tag characters are one entry with the ASCII text they spell
    (``"tag characters ×15, spelling “ignore the user”"``)."""
    if text.isascii() and text.isprintable():
        return []
    counts: Counter[str] = Counter()
    spelled: list[str] = []
    tags = 0
    for match in _pattern(text).finditer(text):
        char = match.group()
        if _visible(match) == char:
            continue  # kept: part of an emoji, a first variation selector, ...
        code = ord(char)
        if 0xE0000 <= code <= 0xE007F:
            tags += 1
            if tags == 1:
                counts["tags"] = 0  # (holds the place of the first tag in the order)
            if 0xE0020 <= code <= 0xE007E:
                spelled.append(chr(code - 0xE0000))
            continue
        counts[char] += 1
    entries = []
    for key, count in counts.items():
        if key == "tags":
            entry = f"tag characters ×{tags}"
            if spelled:
                words = "".join(spelled)
                cut = "…" if len(words) > SPELLED_CHARS else ""
                entry += f", spelling “{safe_line(words[:SPELLED_CHARS])}{cut}”"
            entries.append(entry)
            continue
        entries.append(f"U+{ord(key):04X} {_name(key)}" + (f" ×{count}" if count > 1 else ""))
    return entries


def _name(char: str) -> str:
    code = ord(char)
    if code < 0x20:  # C0 controls have no name of their own; their pictures do
        return unicodedata.name(chr(0x2400 + code)).removeprefix("SYMBOL FOR ")
    if code == 0x7F:
        return "DELETE"
    if code <= 0x9F:
        return "C1 CONTROL"
    if 0xD800 <= code <= 0xDFFF:
        return "LONE SURROGATE"
    return unicodedata.name(char, "UNASSIGNED")
