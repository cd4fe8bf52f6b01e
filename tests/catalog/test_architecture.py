"""Standing rules of the code base: the catalog never imports Streamlit, and every
public function and class in catalog/ has a docstring."""

from __future__ import annotations

import ast
import re
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


def test_code_and_docs_stand_alone() -> None:
    """Code and docs explain themselves: no references to planning notes or issue numbers that
    a maintainer reading this repository cannot open."""
    cited = re.compile(r"(ARCHITECTURE|STYLE|GLOSSARY)\.md|\b[Ii]ssue \d+|\.\./shared")
    offenders = []
    for folder, pattern in (("catalog", "*.py"), ("portal", "*.py"), ("docs", "*.md")):
        for path in sorted((REPO_ROOT / folder).rglob(pattern)):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if cited.search(line):
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    offenders += ["README.md"] if cited.search(readme) else []
    assert offenders == []
