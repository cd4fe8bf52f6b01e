"""Quoting for the few SQL fragments that cannot be parameters (identifiers, ATTACH/COPY paths).

Identifiers passed here must come from the engine or a reviewed manifest, never from a user's
free text; user values always travel as bound parameters.
"""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """Quote a DuckDB identifier: ``a"b`` → ``"a""b"``."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """Quote a SQL string literal for statements that take no parameters (ATTACH, COPY TO)."""
    return "'" + text.replace("'", "''") + "'"
