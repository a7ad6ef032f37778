"""User input to the headless commands: a broken presets file with ``--preset``, and a 1 MB
question on stdin (run as a person runs them: ``python -m tui`` in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=60,
    )  # fmt: skip


def test_a_broken_presets_file_is_one_line_and_left_as_it_is(scripted, isolated_home):
    presets = isolated_home / "config" / "presets.toml"
    presets.parent.mkdir(parents=True)
    broken = '[[preset]\nname = "polite'
    presets.write_text(broken, encoding="utf-8")
    named = _run("ask", "--base-url", scripted.base_url, "--model", "m", "--preset", "polite", "q")
    assert named.returncode == 2 and named.stdout == ""
    assert named.stderr.count("\n") == 1
    assert named.stderr.startswith(f"logprob-chat: error: {presets} is not valid TOML (")
    assert named.stderr.endswith("; presets not loaded\n")
    # Without --preset the broken file is no obstacle; it is never rewritten either way.
    plain = _run("ask", "--base-url", scripted.base_url, "--model", "m", "q")
    assert plain.returncode == 0 and plain.stdout.startswith("Hello world!")
    assert presets.read_text(encoding="utf-8") == broken
    assert scripted.chat_requests()  # only the second command asked


def test_a_1_mb_question_on_stdin_is_sent_whole(scripted):
    question = ("日本の首都はどこですか？" * 1000 + "\n") * 30  # 30,030 lines, about 1 MB
    result = _run("ask", "--base-url", scripted.base_url, "--model", "m", "-", stdin=question)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hello world!")
    (sent,) = scripted.chat_requests()
    assert sent.json["messages"][-1]["content"] == question
