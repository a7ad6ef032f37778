"""Terminal safety on a real terminal: the chat in a pseudo-terminal (pyte reads the screen),
answering with every kind of sequence that can act on a terminal, plus a server error and a
model name carrying them. The screen shows them as symbols; the raw output carries none of
them (no hyperlink, title, clipboard write, screen clear or fake paste from the server).

(OSC 0/52, colours and markup in the chat, inspector and JSON pane are also checked in the
widget tree by ``tests/app/test_safety.py``; exports by ``tests/core/test_export.py``.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.pty_terminal import PtyTerminal, app_env
from tests.support.scripted_server import Reply, stream_of

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    ("Start", -0.1),
    (" \x1b]8;;https://evil.example/\x07click-me\x1b]8;;\x07", -0.2),  # OSC 8 hyperlink
    (" \x1b]0;pwned-title\x07", -0.3),  # OSC 0 window title
    (" \x1b]52;c;SElKQUNLRUQ=\x07", -0.4),  # OSC 52 clipboard write
    (" \x1b[2J\x1b[H\x1b[10;10Hmoved", -0.5),  # clear screen, cursor movement
    (" \x1b[200~rm -rf ~\x1b[201~", -0.6),  # bracketed paste markers
    (" \x9b31mc1\x1b[31mred\x1b[0m", -0.7),  # 8-bit CSI, ANSI colour
    (" [link=https://evil.example]markup[/link] [/INST]", -0.8),
]


@pytest.mark.slow
def test_no_server_text_acts_on_a_real_terminal(scripted):
    scripted.queue(
        Reply.sse(stream_of(HOSTILE, model="m\x1b]0;model-title\x07")),
        Reply.json({"error": {"message": "bad \x1b]52;c;RVZJTA==\x07 \x1b]0;err-title\x07"}}, 400),
    )
    argv = [sys.executable, "-m", "tui", "--base-url", scripted.base_url, "--model", "m"]
    with PtyTerminal(argv, cols=160, rows=48, env=app_env(), cwd=ROOT) as term:
        term.wait_for("Ask a question", timeout=30)
        term.type("hi\r")
        screen = term.wait_for("✓ complete", timeout=30)
        for seen in ("␛]8;;https://evil.example/␇click-me", "␛]0;pwned-title␇",
                     "␛]52;c;SElKQUNLRUQ=␇", "␛[2J␛[H␛[10;10Hmoved", "␛[200~rm -rf ~␛[201~",
                     "[link=https://evil.example]markup[/link] [/INST]"):  # fmt: skip
            assert seen in screen, seen
        assert "\ufffd31mc1" in screen  # the 8-bit CSI is replaced
        term.type("again\r")
        screen = term.wait_for("HTTP 400", timeout=30)
        assert "␛]52;c;RVZJTA==␇" in screen
        term.type("\x11")  # ctrl+q
        assert term.wait_exit(30) == 0
    raw = term.raw_bytes()
    assert term.osc(0) == [] and term.osc(2) == [] and term.osc(52) == []
    assert not [link for link in term.osc(8) if b"evil" in link]
    for title in ("pwned", "model-title", "err-title"):
        assert title not in term.title
    text = raw.decode("utf-8", "replace")  # (0x9b bytes are inside ␛'s UTF-8: look at text)
    assert "\x1b[200~" not in text and "\x9b" not in text
    assert "\x1b[10;10Hmoved" not in text and "Traceback" not in text
