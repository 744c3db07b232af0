"""Imports run one way: bot (entry points, channels) → handlers → db → domain → locales."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"bot", "handlers", "db", "domain", "locales"}
ALLOWED = {
    "locales": set(),
    "domain": {"locales"},
    "db": {"domain", "locales"},
    "handlers": {"db", "domain", "locales"},
    "bot": {"handlers", "db", "domain", "locales"},
}


def imported(path: Path) -> set[str]:
    """The top-level packages of ours that a module imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_run_one_way(package: str) -> None:
    wrong = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported(path) - ALLOWED[package] - {package}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert not wrong, f"{package} must not import {wrong}"


def test_the_rule_itself_catches_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from handlers.context import Ctx\nimport db\n", encoding="utf-8")
    assert imported(module) == {"handlers", "db"}
