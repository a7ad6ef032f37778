from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.store import Store, history_path


@pytest.fixture
def db_path(isolated_home: Path) -> Path:
    return history_path()


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        assert opened.problem is None
        yield opened
