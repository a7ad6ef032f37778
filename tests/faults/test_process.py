"""The process on a real terminal: an unexpected error ends it with a non-zero code, and a
terminal that goes away while SIGHUP is ignored (``nohup``, ``trap '' HUP``) ends it too, with
the answer saved (issue 17, items 4 and 8)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

from tests.app.support import TOKENS
from tests.support.pty_terminal import PtyTerminal, app_env
from tests.support.scripted_server import Reply, Stall, stream_of

ROOT = Path(__file__).resolve().parents[2]


def test_the_chat_exits_non_zero_after_an_unexpected_error(scripted, tmp_path):
    # The real command on a real terminal; the app's code fails once the screen is up.
    script = textwrap.dedent(
        """
        import sys
        from tui.app.app import LogprobChatApp
        from tui.cli.main import main

        def fail(self):
            raise RuntimeError("a bug")

        LogprobChatApp.on_ready = lambda self: self.set_timer(0.05, lambda: fail(self))
        sys.exit(main(sys.argv[1:]))
        """
    )
    argv = [sys.executable, "-c", script, "--base-url", scripted.base_url, "--model", "m",
            "--data-dir", str(tmp_path / "data")]  # fmt: skip
    with PtyTerminal(argv, cols=100, rows=30, env=app_env(), cwd=str(ROOT)) as term:
        code = term.wait_exit(60)
        assert "RuntimeError: a bug" in " ".join(term.screen_text().split())
    assert code == 1


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_lost_terminal_with_sighup_ignored_saves_and_exits(scripted, tmp_path):
    # `nohup` / `trap '' HUP`: no signal ends the app when its terminal goes away; it must
    # notice the terminal itself (EOF/EIO), keep the answer it was showing, and leave.
    scripted.queue(
        Reply.sse([*stream_of(TOKENS)[:5], Stall()], done=False)
    )  # 4 tokens, then silence
    data = tmp_path / "data"
    command = (
        f"trap '' HUP; exec {sys.executable} -m tui --base-url {scripted.base_url} "
        f"--model m --data-dir {data}"
    )
    with PtyTerminal(
        ["sh", "-c", command], cols=100, rows=30, env=app_env(), cwd=str(ROOT)
    ) as term:
        term.wait_for("Ask a question", timeout=30)
        term.type("Where did the cat sit?\r")
        term.wait_for("The cat sat on", timeout=30)
        assert term.process is not None
        term.hang_up()
        try:
            code = term.process.wait(5)
        except subprocess.TimeoutExpired:
            spent = _cpu_seconds(term.process.pid)
            time.sleep(1)
            busy = _cpu_seconds(term.process.pid) - spent
            raise AssertionError(f"still running 5 s after the hang-up, {busy:.0%} CPU") from None
    assert code == 129  # 128 + SIGHUP: ended by the hang-up, as a shell would report it
    with closing(sqlite3.connect(data / "history.sqlite3")) as conn:
        rows = conn.execute(
            "SELECT m.text, a.status FROM answers a JOIN messages m ON m.id = a.message_id"
        ).fetchall()
    assert rows == [("The cat sat on", "stopped")]
