"""Import contracts (import-linter): the core never imports Textual, Rich or the app; the wire
protocol is layered; widgets never import screens or the app."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_importing_the_core_does_not_load_textual():
    code = (
        "import sys, tui.core.wire.client, tui.core.wire.chunks, tui.core.engine, "
        "tui.core.metrics, tui.core.answer, tui.core.report, tui.core.backend, tui.core.presets\n"
        "print('textual' in sys.modules, 'rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"], out.stderr
