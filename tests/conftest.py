"""Shared fixtures: an isolated home for every test, the scripted server, the real engine."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual._styles_cache import StylesCache

from tests.support.scripted_server import ScriptedServer
from tui.core import errors
from tui.core.engine import EmbeddedEngine, EngineInfo

# Bytecode is kept, for this process, the test workers and every program a test starts
# (~150 `python -m tui` runs, each pty session, each xdist worker). Where
# PYTHONDONTWRITEBYTECODE is set (as on some build machines and sandboxes, this one too)
# each of those compiled the ~600 modules the app imports from source again, 0.4 s of CPU
# per start, which no second start of an installed program does (the same reason as
# tests/bench/cases/startup.py). The bytecode goes where Python puts it, in __pycache__
# folders that git ignores; a tree Python cannot write to is left as it is.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the user's real config or history, or their server settings."""
    home = tmp_path / "home"
    monkeypatch.setenv("LOGPROB_CHAT_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("LOGPROB_CHAT_DATA_DIR", str(home / "data"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    # Keys registered for scrubbing are process-wide: one test's key must not change what
    # another's history holds back or scrubs.
    monkeypatch.setattr(errors, "_secrets", set())
    return home


@pytest.fixture(autouse=True)
def full_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal with full colour, whatever runs the tests (``TERM=xterm`` alone makes
    Rich, hence the app, assume 16 colours): tests of 16 colours and of ``NO_COLOR`` set
    their own (``tests/app/test_colours.py``)."""
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def no_terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables the CLI prints fit ``COLUMNS`` when it is set: whatever runs the tests must not
    choose their width (a parallel run's workers had ``COLUMNS=80`` and cut a table's
    headings). Tests of widths set their own."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture(autouse=True)
def no_dead_widgets_kept() -> Iterator[None]:
    """Let each test's widgets die with it. Textual caches ``StylesCache.get_inner_outer``
    with ``functools.lru_cache`` on an instance method (1024 entries), so the cache holds
    the style caches of the last ~1,000 widgets ever painted, with every line they drew:
    in a test worker that was ~150,000 dead objects, and every full garbage collection
    (one per app start, see ``tui.app.gc_policy``, plus the automatic ones) walked them
    (~20 % of a worker's time in ``tests/app``). The app itself runs once per process, so
    the bounded cache costs it little; a test process runs hundreds of apps."""
    yield
    clear = getattr(getattr(StylesCache, "get_inner_outer", None), "cache_clear", None)
    if clear is not None:
        clear()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture(scope="session")
def engine() -> Iterator[EngineInfo]:
    """The real embedded engine (SmolLM2-135M), started once for the whole session."""
    embedded = EmbeddedEngine()
    info = embedded.start()
    yield info
    embedded.stop()
