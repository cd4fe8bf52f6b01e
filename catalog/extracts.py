"""Extract requests: which columns and rows of a product a user wants, turned into safe SQL.

Identifiers are taken only from the table's real columns (a request naming another column is
refused); values are always bound as parameters and cast to the column's own type.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from catalog.errors import InvalidRequest
from catalog.sql import quote_identifier

if TYPE_CHECKING:
    from catalog.engine import Column

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters spreadsheets treat as a formula (OWASP, "CSV Injection")."""


class FilterOp(StrEnum):
    """Row filter operators offered to users, named as they read."""

    EQUALS = "equals"
    NOT_EQUALS = "does not equal"
    LESS = "is less than"
    LESS_OR_EQUAL = "is at most"
    GREATER = "is greater than"
    GREATER_OR_EQUAL = "is at least"
    CONTAINS = "contains"
    IS_EMPTY = "is empty"
    NOT_EMPTY = "is not empty"


_SQL_OPS = {
    FilterOp.EQUALS: "=",
    FilterOp.NOT_EQUALS: "<>",
    FilterOp.LESS: "<",
    FilterOp.LESS_OR_EQUAL: "<=",
    FilterOp.GREATER: ">",
    FilterOp.GREATER_OR_EQUAL: ">=",
}


@dataclass(frozen=True)
class RowFilter:
    """Keep rows where ``column op value`` holds (``value`` unused for the empty tests)."""

    column: str
    op: FilterOp
    value: Any = None


@dataclass(frozen=True)
class ExtractRequest:
    """What to extract.

    Attributes:
        columns: column names in the wanted order; empty means all columns.
        filters: row filters, all of which must hold (AND).
        limit: at most this many rows, ``None`` for all.
    """

    columns: tuple[str, ...] = ()
    filters: tuple[RowFilter, ...] = field(default_factory=tuple)
    limit: int | None = None


def _known(columns: list[Column]) -> dict[str, Column]:
    return {c.name: c for c in columns}


def csv_select_list(request: ExtractRequest, columns: list[Column]) -> str:
    """SELECT list for a CSV extract: the picked columns, text guarded against formulas.

    Raises:
        InvalidRequest: a picked column does not exist.
    """
    known = _known(columns)
    picked = list(request.columns) or [c.name for c in columns]
    parts = []
    for name in picked:
        col = known.get(name)
        if col is None:
            raise InvalidRequest(f"Column '{name}' is not in this product; pick from the list.")
        quoted = quote_identifier(col.name)
        if col.type.upper().startswith("VARCHAR"):
            # regexp, not `left(x, 1) IN (...)`: DuckDB turns a multi-value IN into a join,
            # which loses row order in COPY; extracts must come out in the table's order.
            parts.append(
                f"CASE WHEN regexp_matches({quoted}, '^[-=+@\\t\\r]') "
                f"THEN '''' || {quoted} ELSE {quoted} END AS {quoted}"
            )
        else:
            parts.append(quoted)
    return ", ".join(parts)


def where_clause(request: ExtractRequest, columns: list[Column]) -> tuple[str, list[Any]]:
    """`` WHERE …`` (or ``""``) and its parameters for the request's filters.

    Raises:
        InvalidRequest: unknown column, or an operator that does not suit the column.
    """
    known = _known(columns)
    conditions: list[str] = []
    params: list[Any] = []
    for flt in request.filters:
        col = known.get(flt.column)
        if col is None:
            raise InvalidRequest(f"Cannot filter on '{flt.column}': no such column.")
        quoted = quote_identifier(col.name)
        op = FilterOp(flt.op)
        if op is FilterOp.IS_EMPTY:
            conditions.append(f"{quoted} IS NULL")
        elif op is FilterOp.NOT_EMPTY:
            conditions.append(f"{quoted} IS NOT NULL")
        elif op is FilterOp.CONTAINS:
            conditions.append(f"CAST({quoted} AS VARCHAR) ILIKE ? ESCAPE '\\'")
            params.append("%" + re.sub(r"([%_\\])", r"\\\1", str(flt.value)) + "%")
        else:
            if flt.value is None or flt.value == "":
                raise InvalidRequest(f"Give a value to compare '{flt.column}' with.")
            conditions.append(f"{quoted} {_SQL_OPS[op]} CAST(? AS {col.type})")
            params.append(_as_text(flt.value))
    if not conditions:
        return "", []
    return " WHERE " + " AND ".join(conditions), params


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def extract_filename(product_id: str, version: str, day: dt.date, suffix: str = "csv") -> str:
    """``<product>-<version>-<date>.<suffix>``, e.g. ``operations.flights-1.0.0-2026-11-21.csv``.

    Only letters, digits, dots, dashes and underscores are kept, so the name is safe in a
    Content-Disposition header and on every file system.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", f"{product_id}-{version}-{day.isoformat()}")
    return f"{stem}.{suffix}"
