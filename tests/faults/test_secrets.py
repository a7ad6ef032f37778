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


def _run_with_stdin(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=60,
    )  # fmt: skip


def test_the_api_key_can_be_given_where_other_users_cannot_see_it(scripted, tmp_path):
    # --api-key puts the key in every user's `ps`; a file or standard input does not.
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    from_file = _run("ask", "--base-url", scripted.base_url, "--model", "m",
                     "--api-key-file", str(key_file), "Hi")  # fmt: skip
    assert from_file.returncode == 0, from_file.stderr
    from_stdin = _run_with_stdin(
        "ask", "--base-url", scripted.base_url, "--model", "m", "--api-key", "-", "Hi",
        stdin=KEY + "\n",
    )  # fmt: skip
    assert from_stdin.returncode == 0, from_stdin.stderr
    sent = [r.headers["authorization"] for r in scripted.chat_requests()]
    assert sent == [f"Bearer {KEY}", f"Bearer {KEY}"]
    # Standard input cannot hold both the key and the question; an empty key file is refused.
    both = _run_with_stdin("ask", "--base-url", scripted.base_url, "--api-key", "-", "-",
                           stdin="Hi")  # fmt: skip
    assert both.returncode == 2 and both.stderr.count("\n") == 1
    assert "both read standard input" in both.stderr
    key_file.write_text("\n")
    empty = _run("ask", "--base-url", scripted.base_url, "--api-key-file", str(key_file), "Hi")
    assert empty.returncode == 2 and f"no API key in {key_file}" in empty.stderr
    missing = _run("ask", "--base-url", scripted.base_url, "--api-key-file", "/nonexistent", "Hi")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "cannot read the API key file /nonexistent" in missing.stderr
    # --help says where the key shows and what to use instead.
    shown = " ".join(_run("ask", "--help").stdout.split())
    assert "visible to other users (ps)" in shown and "--api-key-file" in shown
