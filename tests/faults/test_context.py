"""A question too long for the built-in model's context: llama.cpp's own advice ("try
increasing it") is for whoever runs the server, which for the built-in model nobody can; the
chat and ``ask`` say what the user can do instead, in one core text (issue 17, item 18)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONG = "word " * 2500  # about 2,500 tokens: more than a slot's 2,048


@pytest.mark.engine
def test_ask_on_the_built_in_model_does_not_pass_on_increase_the_context():
    result = subprocess.run(
        [sys.executable, "-m", "tui", "ask", "--max-tokens", "4", "--no-save", LONG],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert "exceeds the available context size (2048 tokens)" in line  # the server's words
    assert "increas" not in line
    assert "the question no longer fits the model's context" in line
    assert "shorten the question or the system prompt" in line
