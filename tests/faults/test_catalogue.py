"""The fault catalogue cannot rot: every test it names exists, every fault class the README
promises has tests, and every test in tests/faults is named in it."""

from __future__ import annotations

import ast
import re
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


def _readme_fault_classes() -> list[str]:
    """The bold class names of the README's "What it withstands" section (**Transport**…)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What it withstands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"\*\*([^*]+)\*\*", section)


def test_every_fault_class_the_readme_promises_has_tests():
    promised = _readme_fault_classes()
    assert len(promised) >= 5
    for name in promised:  # "Terminal" is the catalogue's "terminal safety"
        matches = [c for c in CATALOGUE if name.lower() in c]
        assert len(matches) == 1, (name, matches)
        assert all(CATALOGUE[matches[0]].values()), name  # each fault has tests
    for fault_class in CATALOGUE:  # and the README says what the catalogue covers
        assert any(name.lower() in fault_class for name in promised), fault_class


def test_every_fault_test_here_is_in_the_catalogue():
    named = set(catalogued_ids())
    here = {
        f"tests/faults/{path.name}::{name}"
        for path in HERE.glob("test_*.py")
        if path.name != "test_catalogue.py"
        for name in _tests_in(path)
    }
    assert sorted(here - named) == []
