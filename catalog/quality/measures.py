"""What a compiled check is (:class:`Measure`) and the SQL pieces the rule kinds build it from.

The rule kinds (:mod:`catalog.quality.kinds`) compile a check into a :class:`Measure` from these
parts, in DuckDB's dialect; :mod:`catalog.quality.compiler` plans the measures into queries and
:mod:`catalog.engines` transpiles them (sqlglot) to the engine a product lives on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from catalog.quality.model import Check
from catalog.sql import quote_identifier, quote_literal

FILTER, AGGREGATE, DISTINCT, SCALAR, SQL, NOT_RUN = (
    "filter",
    "aggregate",
    "distinct",
    "scalar",
    "sql",
    "not_run",
)

_NUMERIC_PREFIXES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "REAL",
    "DOUBLE",
    "DECIMAL",
)


class CompileError(ValueError):
    """A check cannot be turned into SQL (missing column, missing argument); the message says
    what to fix in the contract."""


@dataclass(frozen=True)
class Measure:
    """How one check is measured.

    Attributes:
        check: the check.
        mode: ``filter`` (count of rows matching ``predicate``), ``aggregate`` (``expression``
            over the whole object), ``scalar`` (``expression`` such as ``count(*)`` or
            ``max(col)`` asked alone), ``sql`` (the rule's own query) or ``not_run``.
        predicate: SQL predicate selecting failing rows (filter mode; also used for samples).
        expression: SQL aggregate expression (aggregate and scalar modes).
        key: columns whose duplicates fail the check (uniqueness kinds; used for samples).
        exact: for compound keys, a query giving the exact count, run only when the fast
            ``expression`` (distinct 64-bit hashes of the key) reports duplicates: equal
            hashes can only *over*-report, so a zero from the fast count is already exact.
        reason: why a ``not_run`` check is not executed.
    """

    check: Check
    mode: str
    predicate: str | None = None
    expression: str | None = None
    key: tuple[str, ...] = ()
    exact: str | None = None
    reason: str = ""

    @property
    def row_based(self) -> bool:
        """True when the measured value counts rows (so percent units and samples apply)."""
        return (
            self.mode == FILTER
            or bool(self.key)
            or (self.mode == AGGREGATE and self.predicate is not None)
        )


def counted(check: Check, mode: str, predicate: str) -> Measure:
    """A measure counting the rows ``predicate`` selects (``filter`` or ``aggregate`` mode)."""
    return Measure(
        check, mode, predicate=predicate, expression=f"count(*) FILTER (WHERE {predicate})"
    )


def is_numeric(duckdb_type: str) -> bool:
    """True for DuckDB integer, floating point and decimal types."""
    return duckdb_type.upper().startswith(_NUMERIC_PREFIXES)


def literal(value: Any, numeric: bool) -> str:
    """``value`` as a SQL literal: a number when ``numeric`` and finite, else quoted text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if numeric and isinstance(value, int | float) and math.isfinite(value):
        return repr(value)
    return quote_literal(str(value))


def value_list(values: list[Any], numeric: bool) -> tuple[str, bool]:
    """SQL list of the non-null values, and whether the column must be cast to VARCHAR."""
    present = [v for v in values if v is not None]
    if numeric and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return ", ".join(literal(v, True) for v in present), False
    return ", ".join(quote_literal(str(v)) for v in present), True


def column(check: Check, types: dict[str, str]) -> tuple[str, str]:
    """Quoted column of a property-level check and its DuckDB type.

    Args:
        check: the check (its ``arguments.column`` when the property has a physical name).
        types: column name → DuckDB type of the object.

    Raises:
        CompileError: the property names no column of the data.
    """
    name = str(check.arguments.get("column") or check.property or "")
    if not name:
        raise CompileError(f"The {check.kind} rule needs a property; put it under one.")
    if name not in types:
        raise CompileError(
            f"Column '{name}' is not in the data (columns: {', '.join(sorted(types)) or 'none'})."
        )
    return quote_identifier(name), types[name]


def outside_list(check: Check, types: dict[str, str], values: list[Any]) -> str:
    """Predicate selecting rows whose value is present and not one of ``values``."""
    col, typ = column(check, types)
    listed, cast = value_list(values, is_numeric(typ))
    target = f"CAST({col} AS VARCHAR)" if cast and not typ.upper().startswith("VARCHAR") else col
    if not listed:
        return f"{col} IS NOT NULL"
    return f"({col} IS NOT NULL AND {target} NOT IN ({listed}))"


def not_matching(check: Check, types: dict[str, str], pattern: str) -> str:
    """Predicate selecting rows whose present value does not match the regular expression."""
    col, _ = column(check, types)
    return (
        f"({col} IS NOT NULL AND NOT regexp_matches(CAST({col} AS VARCHAR), "
        f"{quote_literal(pattern)}))"
    )
