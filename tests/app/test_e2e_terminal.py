"""End to end on a real terminal: the installed command in a pseudo-terminal, its screen read
by a terminal emulator (pyte), its raw output scanned for control sequences.

1. The built-in model (the embedded llama.cpp engine, zero setup): ask, watch the answer and
   its stats appear, quit with ctrl+q, exit status 0.
2. A hostile server (the scripted one, through ``--base-url``): model text full of OSC 0
   (window title) and OSC 52 (clipboard) sequences shows as visible symbols; the terminal's
   title never changes and the only OSC 52 that reaches the terminal is the user's own copy.
"""

from __future__ import annotations

import base64
import os
import sys
import time

import pytest

from tests.support.pty_terminal import PtyTerminal, app_env
from tests.support.scripted_server import Reply, stream_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ESC_DELAY = 0.4  # a lone Esc must not be read as the start of alt+key


@pytest.mark.engine
@pytest.mark.slow
def test_built_in_model_answers_on_a_real_terminal_and_quits_cleanly():
    argv = [sys.executable, "-m", "tui", "--temperature", "0", "--seed", "1", "--max-tokens", "24"]
    with PtyTerminal(argv, cols=140, rows=40, env=app_env(), cwd=ROOT) as term:
        term.wait_for("model: SmolLM2-135M-Instruct (built-in)", timeout=60)
        # The screen was painted before the engine was ready (the engine loads in a thread).
        assert "starting built-in model…".encode() in term.raw_bytes()
        term.type("What is the capital of France?\r")
        # 24 tokens may cut the answer: then it says so, never "complete".
        ended = ("✓ complete", "✂ cut: max_tokens")
        screen = term.wait_for(lambda text: any(words in text for words in ended), timeout=120)
        assert "What is the capital of France?" in screen
        label = "complete" if "✓ complete" in screen else "cut: max_tokens"
        screen = term.wait_for(f"Answer #1 · {label}", timeout=10)
        for label in ("Mean prob exp(mean) = 1/PPL", "Σ logprob", "Lowest prob"):
            assert label in screen
        assert "#1 · no preset · smollm2-135m-instruct · T0 k5 max24 seed1" in screen
        term.type("\x11")  # ctrl+q
        assert term.wait_exit(30) == 0
        raw = term.raw_bytes()
    assert term.osc(0) == [] and term.osc(2) == [] and term.osc(52) == []
    assert b"Traceback" not in raw


HOSTILE = [
    ("Safe", -0.1),
    (" \x1b]0;pwned-title\x07", -0.5),
    (" \x1b]52;c;SElKQUNLRUQ=\x07", -0.6),
    (" \x1b[2J\x1b[31mred", -0.7),
    (" [bold]x[/bold] [/INST]", -0.2),
]


@pytest.mark.slow
def test_hostile_model_text_never_acts_on_a_real_terminal(scripted):
    scripted.queue(Reply.sse(stream_of(HOSTILE)))
    argv = [sys.executable, "-m", "tui", "--base-url", scripted.base_url, "--model", "m"]
    with PtyTerminal(argv, cols=140, rows=40, env=app_env(), cwd=ROOT) as term:
        term.wait_for("Ask a question", timeout=30)
        term.type("hi\r")
        # The pane's headline can say "✓ complete" a frame before the log draws the end of
        # the answer (a busy machine): wait for both.
        screen = term.wait_for(lambda text: "✓ complete" in text and "[/INST]" in text, timeout=30)
        assert "␛]0;pwned-title␇" in screen
        assert "␛]52;c;SElKQUNLRUQ=␇" in screen
        assert "[bold]x[/bold] [/INST]" in screen
        # (pyte reads Textual's own OSC 22 pointer-shape sequence as a title ";default";
        # what matters is that no title and no clipboard write came from the model.)
        assert "pwned" not in term.title
        assert term.osc(0) == [] and term.osc(2) == [] and term.osc(52) == []
        # The user's own copy is the only clipboard write, and it carries no escape either.
        term.type("\x1b")
        time.sleep(ESC_DELAY)
        term.type("y")
        deadline = time.monotonic() + 15
        while not term.osc(52) and time.monotonic() < deadline:
            time.sleep(0.1)
        (payload,) = term.osc(52)
        copied = base64.b64decode(payload.split(b";", 1)[1]).decode()
        assert copied.startswith("Safe ␛]0;pwned-title␇ ␛]52;c;SElKQUNLRUQ=␇")
        assert "\x1b" not in copied
        term.type("\x11")
        assert term.wait_exit(30) == 0
    assert "pwned" not in term.title
    assert b"pwned-title\x07" not in term.raw_bytes()
