"""The fault catalogue cannot rot: every test it names exists, every fault has a test, and every
test in tests/faults is named in it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.faults.catalogue import CATALOGUE, catalogued_ids

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_named_test_exists():
    missing = []
    for test_id in catalogued_ids():
        file, _, name = test_id.partition("::")
        path = ROOT / file
        if not path.is_file() or name not in _tests_in(path):
            missing.append(test_id)
    assert missing == []


def test_every_fault_class_of_the_issue_has_tests():
    assert list(CATALOGUE) == [
        "transport", "http", "keep-alives and deadlines", "payload", "terminal safety",
        "user input", "secrets and isolation", "soak", "history and instances",
        "process and terminal",
    ]  # fmt: skip
    assert all(ids for faults in CATALOGUE.values() for ids in faults.values())


def test_every_fault_test_here_is_in_the_catalogue():
    named = set(catalogued_ids())
    here = {
        f"tests/faults/{path.name}::{name}"
        for path in HERE.glob("test_*.py")
        if path.name != "test_catalogue.py"
        for name in _tests_in(path)
    }
    assert sorted(here - named) == []
