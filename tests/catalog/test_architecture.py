"""Standing rules of the code base (STYLE.md): the catalog never imports Streamlit, and every
public function and class in catalog/ has a docstring."""

from __future__ import annotations

import ast
from pathlib import Path

from catalog.config import REPO_ROOT

CATALOG = REPO_ROOT / "catalog"


def _modules() -> list[Path]:
    return sorted(CATALOG.rglob("*.py"))


def test_catalog_never_imports_streamlit() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offenders == []


def test_public_functions_and_classes_have_docstrings() -> None:
    missing = []
    for path in _modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name.startswith("_") or ast.get_docstring(node):
                    continue
                missing.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.name}")
    assert missing == []
