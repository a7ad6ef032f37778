"""Secrets: a server that echoes the API key back in its error (a common 401 body) must not
get it into the terminal, the history file or any export."""

from __future__ import annotations

import csv
import io
import os
import pty
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from tests.app.support import RecordingBackend, block_texts, make_app, send, wait_for
from tests.faults.support import run_together
from tests.support.scripted_server import Reply, stream_of
from tui.core.settings import Connection
from tui.core.store import codec

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


# ------------------------------------------------------------------ 17.11: a key in the answer

ECHOED = "zq9-Echo-Secret-4242-abcd"  # no usual prefix: a key is a key whatever it starts with
PIECES = ["Your", " key", " is", " Bearer ", "zq9-Ec", "ho-Secret-", "4242-ab", "cd", "."]


def _echoing_server_reply() -> Reply:
    """The key echoed in the answer, split over four tokens (each with its bytes), the
    sampled piece among the alternatives at its position; and the whole key as an
    alternative of another row."""
    rows = []
    for n, piece in enumerate(PIECES):
        top = [(piece, -0.1), (f"{piece}x" if n % 2 else ECHOED, -2.0), ("other", -3.0)]
        rows.append((piece, -0.1, top))
    return Reply.sse(stream_of(rows))


def _forms() -> list[bytes]:
    """Every way the key can be written in an output or a file: as text, as JSON's list of
    byte values, as hex (whole, or split over a column of hex cells)."""
    data = ECHOED.encode()
    return [data, ",".join(str(b) for b in data).encode(), data.hex().encode()]


def _history_bytes(home: Path) -> bytes:
    """The history as plain bytes: its text columns and every token part decompressed."""
    path = next(home.rglob("history.sqlite3"))
    with closing(sqlite3.connect(path)) as conn:
        texts = [str(row) for row in conn.execute("SELECT * FROM messages")]
        texts += [str(row) for row in conn.execute("SELECT * FROM answers")]
        parts = conn.execute("SELECT format, tokens, raw FROM answer_parts").fetchall()
    blobs = [codec.unpack(fmt, blob) for fmt, tokens, raw in parts for blob in (tokens, raw)]
    return "\n".join(texts).encode() + b"\n".join(blobs)


def _hex_column(csv_text: str) -> bytes:
    return "".join(row["bytes_hex"] for row in csv.DictReader(io.StringIO(csv_text))).encode()


def _live_ask(*args: str) -> tuple[int, bytes]:
    """``ask`` with its standard output on a pseudo-terminal (the live, streamed output)."""
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", *args],
        stdin=subprocess.DEVNULL, stdout=child_fd, stderr=subprocess.PIPE, cwd=ROOT,
        env=dict(os.environ),
    )  # fmt: skip
    os.close(child_fd)
    shown = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main_fd)
    process.communicate(timeout=60)
    return process.returncode, shown


def test_a_key_echoed_in_the_answer_is_scrubbed_from_every_form(scripted, isolated_home):
    base = ["--base-url", scripted.base_url, "--model", "m", "--api-key", ECHOED]
    scripted.queue(_echoing_server_reply(), _echoing_server_reply())
    code, shown = _live_ask(*base, "What is my key?")
    assert code == 0 and b"Your key is Bearer ***." in shown
    as_json = _run("ask", *base, "--json", "--raw", "What is my key?")
    assert as_json.returncode == 0, as_json.stderr
    outputs = [shown, as_json.stdout.encode()]
    exports = run_together(
        ["export", "--last", "--format", fmt, *extra]
        for fmt, extra in (("json", ["--raw"]), ("jsonl", []), ("csv", []), ("md", []))
    )
    assert all(e.returncode == 0 for e in exports)
    outputs += [e.stdout.encode() for e in exports]
    outputs += [_history_bytes(isolated_home), _hex_column(exports[2].stdout)]
    for output in outputs:
        for form in _forms():
            assert form not in output
    # What was scrubbed: the text, each piece of the key (text, bytes), the alternatives at
    # its positions and the one that held it whole; what was not: the rest of the answer.
    assert '"answer":"Your key is Bearer ***."' in as_json.stdout
    assert "Your key is Bearer ***." in exports[3].stdout
    rows = list(csv.DictReader(io.StringIO(exports[2].stdout)))
    assert [r["token"] for r in rows] == ["Your", " key", " is", " Bearer ", "***", "", "", "", "."]
    assert [r["alt1_text"] for r in rows[4:8]] == ["***"] * 4
    assert rows[0]["alt2_text"] == "***" and rows[1]["alt2_text"] == " keyx"
    assert rows[4]["bytes_hex"] == b"***".hex() and rows[5]["bytes_hex"] == ""


async def test_the_chat_shows_an_echoed_key_scrubbed_once_the_answer_ends(scripted):
    backend = RecordingBackend(Connection(scripted.base_url, api_key=ECHOED, model="m"), "remote")
    app = make_app(scripted, backend=backend)
    scripted.queue(_echoing_server_reply())
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "What is my key?")
        # The answer is redrawn scrubbed once it ends (its blocks are mounted afresh).
        await wait_for(pilot, lambda: "Your key is Bearer ***." in block_texts(app))
        shown = block_texts(app)
        assert "Your key is Bearer ***." in shown and "zq9-Ec" not in shown
        answer = app.main.chat.views[-1].turn.answer
        assert ECHOED.encode() not in codec.dump_json(answer.raw_logprobs())
