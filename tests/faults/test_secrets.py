"""Secrets: a server that echoes the API key back in its error (a common 401 body) must not
get it into the terminal, the history file or any export."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.scripted_server import Reply

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-echoed-back-secret-777777"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=60,
    )  # fmt: skip


def test_a_key_echoed_by_the_server_reaches_no_output_file_or_export(scripted, isolated_home):
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}.", "code": "invalid_api_key"}}
    scripted.queue(Reply.json(echo, 401))
    asked = _run("ask", "--base-url", scripted.base_url, "--model", "m", "--api-key", KEY, "Hi")
    assert asked.returncode == 1
    assert asked.stderr == (
        "logprob-chat: error: HTTP 401 Unauthorized: Incorrect API key provided: ***.\n"
    )
    exports = [_run("export", "--last", "--format", fmt) for fmt in ("json", "csv", "md")]
    assert all(e.returncode == 0 for e in exports)
    assert "Incorrect API key provided: ***." in exports[0].stdout  # the error was kept
    written = b"".join(p.read_bytes() for p in isolated_home.rglob("*") if p.is_file())
    for text in [asked.stdout, asked.stderr, *(e.stdout + e.stderr for e in exports)]:
        assert KEY not in text
    assert KEY.encode() not in written
    assert scripted.requests[-1].headers["authorization"] == f"Bearer {KEY}"  # it was sent
