"""The process on a real terminal: an unexpected error ends it with a non-zero code, and a
terminal that goes away while SIGHUP is ignored (``nohup``, ``trap '' HUP``) ends it too, with
the answer saved (issue 17, items 4 and 8)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from tests.support.pty_terminal import PtyTerminal, app_env

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
