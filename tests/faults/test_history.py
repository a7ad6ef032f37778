"""The history against a hostile machine and a second instance: a data directory that is a
file, a backup taken while the chat runs, two chats on one data directory, a conversation
reopened against another server (issue 17, items 5, 6, 16, 17)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=60,
    )  # fmt: skip


def test_a_data_dir_that_is_a_file_is_named_as_the_problem(scripted, tmp_path):
    data = tmp_path / "notes.txt"
    data.write_text("my notes\n")
    expected = f"the data directory {data} is a file, not a directory"
    exported = _run("export", "--last", "--format", "md", "--data-dir", str(data))
    assert exported.returncode == 1
    assert expected in exported.stderr and exported.stderr.count("\n") == 1
    listed = _run("export", "--list", env={"LOGPROB_CHAT_DATA_DIR": str(data / "sub")})
    assert listed.returncode == 1 and f"the data directory {data / 'sub'}" in listed.stderr
    assert f"{data} is a file" in listed.stderr
    asked = _run("ask", "--base-url", scripted.base_url, "--model", "m", "--data-dir", str(data),
                 "Hi")  # fmt: skip
    assert expected in asked.stderr and "Hello world!" in asked.stdout
    assert data.read_text() == "my notes\n"  # never touched
