"""Standing rules of the code base: the catalog never imports Streamlit, every public function
and class in catalog/ has a docstring, and only the operational store's adapters talk to a
database driver or write SQL as text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

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


# -- the operational store: drivers and SQL text only in its adapters ---------------------------
STORE_ADAPTERS = CATALOG / "store" / "adapters"
DATA_ENGINES = CATALOG / "engines"
"""The other home of drivers: engines that read a product's data on its own server (DuckDB,
PostgreSQL, Spark); they never touch the operational store."""
DATABASE_DRIVERS = frozenset({"sqlite3", "psycopg", "psycopg2", "psycopg_pool", "pg8000",
                              "asyncpg", "pymysql", "MySQLdb", "oracledb", "pyodbc", "apsw"})
"""Modules that talk to a relational database directly."""
RAW_SQL_NAMES = frozenset({"text", "literal_column", "TextClause", "DDL"})
"""SQLAlchemy names that carry SQL written as text (dialect-specific by nature)."""


def store_rule_offences(source: str) -> list[str]:
    """Why ``source`` (a module outside ``catalog/store/adapters``) breaks the store's rule, one
    line per offence: it imports a database driver or a SQLAlchemy dialect, brings in
    SQLAlchemy's SQL-text constructs (``text``, ``literal_column``, …), runs SQL text
    (``exec_driver_sql``), or — in a module that uses SQLAlchemy — passes a string to
    ``execute``. (DuckDB modules run SQL text on DuckDB, not on the store; they import no
    SQLAlchemy.)"""
    tree = ast.parse(source)
    offences: list[str] = []
    uses_sqlalchemy = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                uses_sqlalchemy |= top == "sqlalchemy"
                if top in DATABASE_DRIVERS:
                    offences.append(f"line {node.lineno}: imports {alias.name}")
                if alias.name.startswith("sqlalchemy.dialects"):
                    offences.append(f"line {node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            top = module.split(".")[0]
            uses_sqlalchemy |= top == "sqlalchemy"
            if top in DATABASE_DRIVERS or module.startswith("sqlalchemy.dialects"):
                offences.append(f"line {node.lineno}: imports {module}")
            if top == "sqlalchemy":
                for alias in node.names:
                    if alias.name in RAW_SQL_NAMES or (module == "sqlalchemy"
                                                       and alias.name == "dialects"):
                        offences.append(f"line {node.lineno}: imports {module}.{alias.name}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        if name == "exec_driver_sql":
            offences.append(f"line {node.lineno}: runs SQL text with exec_driver_sql")
        elif name in RAW_SQL_NAMES and isinstance(node.func.value, ast.Name) \
                and node.func.value.id in {"sa", "sqlalchemy"}:
            offences.append(f"line {node.lineno}: builds SQL text with {name}()")
        elif uses_sqlalchemy and name in {"execute", "executemany", "executescript"} \
                and node.args and isinstance(node.args[0], ast.Constant | ast.JoinedStr):
            offences.append(f"line {node.lineno}: passes SQL text to {name}()")
    return offences


@pytest.mark.parametrize(("source", "expected"), [
    ("import sqlite3\n", ["imports sqlite3"]),
    ("from psycopg import connect\n", ["imports psycopg"]),
    ("import psycopg2.extras\n", ["imports psycopg2.extras"]),
    ("from sqlalchemy import select, text\n", ["imports sqlalchemy.text"]),
    ("from sqlalchemy.sql.expression import literal_column\n",
     ["imports sqlalchemy.sql.expression.literal_column"]),
    ("from sqlalchemy.dialects.sqlite import insert\n", ["imports sqlalchemy.dialects.sqlite"]),
    ("import sqlalchemy as sa\nq = sa.text('SELECT 1')\n", ["builds SQL text with text()"]),
    ("def f(conn):\n    conn.exec_driver_sql('PRAGMA x')\n",
     ["runs SQL text with exec_driver_sql"]),
    ("from sqlalchemy import select\ndef f(c):\n    c.execute('DELETE FROM audit_log')\n",
     ["passes SQL text to execute()"]),
    ("from sqlalchemy import select\ndef f(c, t):\n    c.execute(f'SELECT * FROM {t}')\n",
     ["passes SQL text to execute()"]),
    ("from sqlalchemy import delete, select\nfrom catalog.store.tables import audit_log\n"
     "def f(c):\n    c.execute(delete(audit_log))\n", []),
    ("import duckdb\ndef f(c):\n    c.execute('SELECT 1')\n", []),
])
def test_the_store_rule_catches_drivers_and_sql_text(source: str, expected: list[str]) -> None:
    found = [o.split(": ", 1)[1] for o in store_rule_offences(source)]
    assert found == expected


def test_no_database_driver_or_sql_text_outside_the_store_adapters() -> None:
    """Only ``catalog/store/adapters`` may import a database driver or a SQLAlchemy dialect or
    write SQL as text for the operational store; everything else (the store's interface, its
    migrations, quality history, grants, tokens, approvals' audit) builds SQLAlchemy Core
    statements over ``catalog.store.tables``, so every adapter runs it. The data engines of
    ``catalog/engines`` reach products' own servers, not the store, and are left to their own
    rules."""
    offenders = []
    for path in _modules():
        if path.is_relative_to(STORE_ADAPTERS) or path.is_relative_to(DATA_ENGINES):
            continue
        for offence in store_rule_offences(path.read_text()):
            offenders.append(f"{path.relative_to(REPO_ROOT)} {offence}")
    assert offenders == []
    adapters = "\n".join(p.read_text() for p in STORE_ADAPTERS.glob("*.py"))
    assert "import sqlite3" in adapters and "import psycopg" in adapters  # the rule's exception
