"""Run a command in a real pseudo-terminal and read its screen with the ``pyte`` emulator.

This is the "real screen" check: what the program writes to the terminal is parsed by a
VT100/xterm emulator exactly as a terminal would, so the test sees what a person would see
(``screen_text``), the window title an OSC 0 would set (``title``), and every raw byte written
(``raw``) to scan for control sequences that must never get through (OSC 0/52, ...).

    with PtyTerminal([sys.executable, "-m", "tui"], cols=140, rows=40, env=env) as term:
        term.wait_for("Ask a question")
        term.type("hello\\r")
        ...
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import pyte

OSC = re.compile(rb"\x1b\](\d+);([^\x07\x1b]*)(?:\x07|\x1b\\)")


def app_env(**overrides: str) -> dict[str, str]:
    """The environment for running the app in a pty: this process's (so a test's isolated
    config and data dirs carry over), without Textual's dev-mode switch, without animations
    (their timing would make screens differ run to run), plus ``overrides``."""
    env = dict(os.environ)
    env.pop("TEXTUAL", None)
    env["TEXTUAL_ANIMATIONS"] = "none"
    env.update(overrides)
    return env


class PtyTerminal:
    """A child process on a pty of ``cols`` × ``rows``, its output fed to a pyte screen."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int = 120,
        rows: int = 36,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self.argv = list(argv)
        self.cols, self.rows = cols, rows
        self.env = dict(env if env is not None else os.environ)
        self.env.setdefault("TERM", "xterm-256color")
        self.cwd = cwd
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._master = -1

    # -- lifecycle
    def start(self) -> PtyTerminal:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,  # the pty becomes its controlling terminal
            close_fds=True,
        )
        os.close(slave)
        self._master = master
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            with self._lock:
                self.raw += data
                self.stream.feed(data)

    def close(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if self._reader is not None:
            self._reader.join(5)
        if self._master >= 0:
            os.close(self._master)
            self._master = -1

    def hang_up(self) -> None:
        """Close the terminal's master side, as a closed window or a dropped SSH connection
        does: the child's terminal is hung up (SIGHUP, then EOF/EIO on it)."""
        if self._master >= 0:
            os.close(self._master)
            self._master = -1
        if self._reader is not None:
            self._reader.join(5)

    def __enter__(self) -> PtyTerminal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- input
    def type(self, text: str | bytes, *, delay: float = 0.0) -> None:
        data = text.encode() if isinstance(text, str) else text
        if not delay:
            os.write(self._master, data)
            return
        for i in range(len(data)):
            os.write(self._master, data[i : i + 1])
            time.sleep(delay)

    # -- output
    def screen_text(self) -> str:
        with self._lock:
            return "\n".join(line.rstrip() for line in self.screen.display)

    @property
    def title(self) -> str:
        with self._lock:
            return self.screen.title

    def raw_bytes(self) -> bytes:
        with self._lock:
            return bytes(self.raw)

    def osc(self, number: int) -> list[bytes]:
        """Payloads of every OSC ``number`` sequence written so far."""
        return [m.group(2) for m in OSC.finditer(self.raw_bytes()) if int(m.group(1)) == number]

    def wait_for(
        self, what: str | Callable[[str], bool], timeout: float = 60.0, interval: float = 0.02
    ) -> str:
        """Wait until the screen shows ``what`` (or the predicate holds); return the screen.
        The screen is read every ``interval`` s (a copy of its lines: tens of microseconds)."""
        check = (lambda text: what in text) if isinstance(what, str) else what
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen_text()
            if check(text):
                return text
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"the program exited ({self.process.returncode}) before showing {what!r}:\n"
                    + text
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what!r}; the screen shows:\n{text}")
            time.sleep(interval)

    def wait_exit(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout)
