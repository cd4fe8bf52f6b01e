"""Portal services: one catalog per mesh location, and the portal's rules
(no SQL in pages, sessions keys in portal/state.py, thin pages)."""

from __future__ import annotations

import ast
import re

from catalog.config import REPO_ROOT
from portal.services import get_catalog
from tests.portal.pagetest import MeshDirs

PORTAL = REPO_ROOT / "portal"


def test_one_catalog_per_mesh_location(demo_env: MeshDirs) -> None:
    assert get_catalog() is get_catalog()
    assert get_catalog().settings.mesh_root == demo_env.root.resolve()


def _sources(folder: str) -> list[tuple[str, str]]:
    return [(str(p.relative_to(REPO_ROOT)), p.read_text()) for p in (PORTAL / folder).glob("*.py")]


def test_pages_are_thin_and_hold_no_sql() -> None:
    for name, text in _sources("app_pages"):
        assert len(text.splitlines()) <= 150, name
        assert not re.search(r"\b(SELECT|duckdb|execute)\b", text), name
        assert "unsafe_allow_html" not in text, name


def test_session_state_keys_come_from_portal_state() -> None:
    for folder in ("app_pages", "components"):
        for name, text in _sources(folder):
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.keyword) and node.arg == "key":
                    assert not isinstance(node.value, ast.Constant), f"{name}:{node.lineno}"


def test_public_portal_functions_have_docstrings() -> None:
    missing = []
    for path in [*PORTAL.glob("*.py"), *(PORTAL / "components").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                if not ast.get_docstring(node):
                    missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert missing == []
