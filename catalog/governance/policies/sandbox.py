"""Untrusted code stays in its box: SQL the sandbox would refuse, data paths that leave the
data folder.

A contract's ``sql`` quality rules (ODCS v3.1 §data-quality, type ``sql``) and a product's
build code (``build.sql`` / ``<port>.sql``) run only in :mod:`catalog.sandbox`; a text it would
refuse (several statements, not a query, a file or settings function, a file path as a table)
is reported here at its file, line and field, so ``validate`` in domain CI catches it before a
quality run or a build does. A server ``database``/``path`` (ODCS v3.1 §servers) that is
absolute or climbs out with ``..`` would point outside the data folder and is refused at read
time; it is reported here too.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from catalog.errors import CatalogError
from catalog.governance.policy import EvaluationContext, PolicyKind, Violation, Where
from catalog.manifests.yaml_source import PathPart
from catalog.mesh import DataProduct, Mesh
from catalog.quality.derive import fill_placeholders
from catalog.sandbox import MAX_SQL_CHARS, SandboxRefused, check_select, looks_like_a_file
from catalog.sql import quote_identifier

RULE_WHAT = "The rule's query"
"""How refusals of an ``sql`` rule name the text."""
_MARKS = ("mesh_sql_object_placeholder", "mesh_sql_property_placeholder")
"""Identifiers put in a rule's placeholders to check its query once for every name."""


def sql_rules(contract: dict[str, Any]) -> Iterator[tuple[tuple[PathPart, ...], str, str, str]]:
    """Every ``sql`` quality rule of a raw ODCS contract.

    Yields:
        (JSON path of the rule's ``query``, query, object name, property name or ``""``).
    """
    for i, obj in enumerate(contract.get("schema") or []):
        if not isinstance(obj, dict):
            continue
        name = str(obj.get("name") or "")
        yield from _rules(obj.get("quality"), ("schema", i, "quality"), name, "")
        for k, prop in enumerate(obj.get("properties") or []):
            if isinstance(prop, dict):
                yield from _rules(prop.get("quality"), ("schema", i, "properties", k, "quality"),
                                  name, str(prop.get("name") or ""))
    yield from _rules(contract.get("quality"), ("quality",), "", "")


def _rules(rules: Any, base: tuple[PathPart, ...], obj: str, prop: str
           ) -> Iterator[tuple[tuple[PathPart, ...], str, str, str]]:
    for j, rule in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(rule, dict) and rule.get("type") == "sql" and rule.get("query"):
            yield (*base, j, "query"), str(rule["query"]), obj, prop


def _check_sql(product: DataProduct, mesh: Mesh, context: EvaluationContext,
               params: Any) -> list[Violation]:
    out: list[Violation] = []
    for port in product.output_ports:
        for path, query, obj, prop in sql_rules(port.raw_contract or {}):
            refusal = rule_refusal(query, obj or "object", prop or "property")
            if refusal is not None:
                out.append(Violation(refusal, Where(path, port.name)))
    out += _check_build_code(product, mesh.root)
    return out


@dataclass(frozen=True)
class _Template:
    """What the sandbox check of a rule's query depends on besides its structure.

    Attributes:
        tables: placeholder marks read as table names (a name that looks like a file is
            refused).
        called: a placeholder is called as a function (its name decides).
    """

    tables: frozenset[str]
    called: bool


@functools.lru_cache(maxsize=1 << 16)
def _template(query: str) -> _Template | None:
    """The query checked once with :data:`_MARKS` in its placeholders; None when that check
    refuses it or the query holds a mark itself (then each use is checked in full)."""
    from sqlglot import exp

    if any(mark in query for mark in _MARKS):
        return None
    sql = fill_placeholders(query, quote_identifier(_MARKS[0]), quote_identifier(_MARKS[1]))
    try:
        tree = check_select(sql, what=RULE_WHAT)
    except SandboxRefused:
        return None
    tables = frozenset(node.name for node in tree.find_all(exp.Table) if node.name in _MARKS)
    called = any(func.name in _MARKS for func in tree.find_all(exp.Anonymous))
    return _Template(tables, called)


def rule_refusal(query: str, obj: str, prop: str) -> str | None:
    """Why the sandbox refuses an ``sql`` rule's query with its placeholders filled, or None.

    A quoted identifier is one token whatever its text, so a query's syntax tree is the same
    for every object and property name; only a name read as a table (a file-like name is
    refused) or called as a function changes the verdict. The query is therefore parsed once
    (cached by its text) and each use checks only those names; anything else, and every
    refusal (for its exact message), goes through :func:`catalog.sandbox.check_select` with
    the names filled in. The 28,397 rules of the generated 10,000-product mesh have 11,445
    distinct queries.

    Args:
        query: the rule's ``query`` (ODCS v3.1 §data-quality, type ``sql``).
        obj: the object (table) name for ``{object}``.
        prop: the property (column) name for ``{property}`` (``"property"`` for a rule on an
            object).

    Returns:
        The refusal's message, or None when the sandbox would accept the query.
    """
    sql = fill_placeholders(query, quote_identifier(obj), quote_identifier(prop))
    template = None
    if "{" not in obj + prop and len(sql) <= MAX_SQL_CHARS:
        template = _template(query)
    if template is not None and not template.called:
        names = dict(zip(_MARKS, (obj, prop), strict=True))
        if not any(looks_like_a_file(names[mark]) for mark in template.tables):
            return None
    try:
        check_select(sql, what=RULE_WHAT)
    except SandboxRefused as err:
        return str(err)
    return None


def _check_build_code(product: DataProduct, mesh_root: Path) -> list[Violation]:
    from catalog.build import build_sql_file, read_build_sql

    out: list[Violation] = []
    try:  # one listing instead of two look-ups per port: most products have no build code
        if not any(name.endswith(".sql") for name in os.listdir(product.directory)):
            return out
    except OSError:
        pass
    for index, port in enumerate(product.output_ports):
        file = build_sql_file(product, port, index == 0)
        if file is None:
            continue
        try:
            check_select(read_build_sql(file, mesh_root), what=file.name)
        except (SandboxRefused, CatalogError) as err:
            out.append(Violation(str(err), Where(file=file, line=_line_of(err, file))))
    return out


def _line_of(err: Exception, file: Path) -> int:
    """The line sqlglot names in a parse error, else 1."""
    text = str(err)
    marker = "Line "
    at = text.find(marker)
    if at >= 0:
        digits = "".join(ch for ch in text[at + len(marker):at + len(marker) + 8]
                         if ch.isdigit())
        if digits:
            return int(digits)
    return 1


def _check_paths(product: DataProduct, mesh: Mesh, context: EvaluationContext,
                 params: Any) -> list[Violation]:
    out: list[Violation] = []
    for port in product.output_ports:
        for i, server in enumerate((port.raw_contract or {}).get("servers") or []):
            if not isinstance(server, dict):
                continue
            for key in ("database", "path", "location"):
                raw = server.get(key)
                if not isinstance(raw, str) or server.get("type") not in {"duckdb", "local"}:
                    continue
                pure = PurePosixPath(raw)
                if pure.is_absolute() or ".." in pure.parts or raw.startswith("~"):
                    out.append(Violation(f"server {key} '{raw}' points outside the data folder",
                                         Where(("servers", i, key), port.name)))
    return out


SQL_SANDBOXED = PolicyKind(
    kind="sql-sandboxed",
    title="SQL runs in the sandbox",
    message="Every SQL rule and the build code is one read-only SELECT over the product's data.",
    fix="Write one SELECT query; read tables by name (no read_csv, read_text, glob, getenv, "
        "file paths, COPY, ATTACH, SET or several statements).",
    check=_check_sql,
    rule="ODCS v3.1 §data-quality (sql rules); the portal's SQL sandbox.",
)

DATA_CONFINED = PolicyKind(
    kind="data-confined",
    title="Data stays in the data folder",
    message="Server databases and paths are relative to the data folder and stay inside it.",
    fix="Use a path relative to the data folder, without '..', e.g. "
        "'products/<domain>/<name>/1.0.0.parquet'.",
    check=_check_paths,
    rule="ODCS v3.1 §servers; the portal reads data only from its data folder.",
)

KINDS = [SQL_SANDBOXED, DATA_CONFINED]
GLOBAL = [SQL_SANDBOXED.policy("error"), DATA_CONFINED.policy("error")]
