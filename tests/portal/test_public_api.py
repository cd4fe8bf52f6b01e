"""The portal is a thin door over the catalog's public API.

Every module under ``portal/`` imports catalog names only as ``from catalog import X`` with X in
``catalog.__all__`` (never ``catalog.<module>``), never reaches behind the façade (its engine,
store, settings, authorization point or quality engine) and runs no SQL of its own. And every
name of the public API resolves, from a fresh interpreter too, and is declared for type checkers.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import catalog
from catalog.config import REPO_ROOT

PORTAL = REPO_ROOT / "portal"
INTERNALS = frozenset({"engine", "store", "settings", "guard", "quality_engine"})
"""Attributes of the façade that are the core's own business."""
SQL_MODULES = frozenset({"duckdb", "sqlite3", "sqlglot"})
"""Database drivers and SQL tools: the portal asks the catalog instead."""


def _portal_modules() -> list[Path]:
    return sorted(PORTAL.rglob("*.py"))


def _offences(text: str, where: str, public: set[str]) -> list[str]:
    """What in a module's ``text`` breaks the door's rules, one line each (``where:line``)."""
    found = []
    for node in ast.walk(ast.parse(text)):
        at = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("catalog."):
                found.append(f"{at} imports from {node.module}; use `from catalog import …`")
            elif node.module == "catalog":
                found += [f"{at} imports {a.name}, which is not in catalog.__all__"
                          for a in node.names if a.name not in public]
            elif node.module.split(".")[0] in SQL_MODULES:
                found.append(f"{at} imports {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "catalog" or alias.name.startswith("catalog."):
                    found.append(f"{at} imports {alias.name}; use `from catalog import …`")
                elif alias.name.split(".")[0] in SQL_MODULES:
                    found.append(f"{at} imports {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in INTERNALS:
            found.append(f"{at} reads .{node.attr}; call a Catalog method instead")
    return found


def test_the_portal_imports_only_the_public_api_and_no_internals() -> None:
    public = set(catalog.__all__)
    offences = [line for path in _portal_modules()
                for line in _offences(path.read_text(encoding="utf-8"),
                                      str(path.relative_to(REPO_ROOT)), public)]
    assert offences == []


@pytest.mark.parametrize(("source", "expected"), [
    ("from catalog import Catalog, Principal\n", []),
    ("from catalog import quality_presentation as pres\n", []),
    ("from catalog.catalog import Catalog\n", ["imports from catalog.catalog"]),
    ("import catalog.engine\n", ["imports catalog.engine"]),
    ("import catalog\n", ["imports catalog;"]),
    ("from catalog import Engine\n", ["imports Engine, which is not in catalog.__all__"]),
    ("x = get_catalog().engine\n", ["reads .engine"]),
    ("def f(c):\n    return c.store.query('x')\n", ["reads .store"]),
    ("limit = catalog.settings.upload_limit_mb\n", ["reads .settings"]),
    ("import duckdb\n", ["imports duckdb"]),
    ("from sqlite3 import connect\n", ["imports sqlite3"]),
])
def test_the_rule_sees_each_kind_of_offence(source: str, expected: list[str]) -> None:
    found = _offences(source, "portal/probe.py", set(catalog.__all__))
    assert len(found) == len(expected), found
    for line, wanted in zip(found, expected, strict=True):
        assert wanted in line


def test_every_public_name_resolves() -> None:
    for name in catalog.__all__:
        namespace: dict[str, object] = {}
        exec(f"from catalog import {name}", namespace)  # noqa: S102 - names from __all__
        assert namespace[name] is getattr(catalog, name)
    for name, module in catalog._MODULES.items():
        assert catalog._EXPORTS[name] == module
        assert getattr(catalog, name) is importlib.import_module(module)


def test_every_public_name_imports_in_a_fresh_interpreter() -> None:
    """First use of each name, in order, from a cold start (an import cycle shows here)."""
    code = "import catalog\nfor n in catalog.__all__:\n    exec(f'from catalog import {n}')\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_type_checkers_see_the_same_names() -> None:
    """The ``if TYPE_CHECKING:`` block of catalog/__init__.py declares exactly ``_EXPORTS``."""
    tree = ast.parse((REPO_ROOT / "catalog" / "__init__.py").read_text(encoding="utf-8"))
    declared: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and \
                node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    declared |= {a.asname or a.name for a in stmt.names}
    assert declared == set(catalog._EXPORTS)
