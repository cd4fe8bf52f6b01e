"""Profile a source: per column its types, nulls, distinct values, range and examples.

One aggregate query reads every column at once (``count``, ``approx_count_distinct``,
``min``, ``max`` (as text unless numeric), and for text the cells a spreadsheet would run as
formulas); a second, targeted query runs only when needed: the exact distinct count of
key-like columns and the value list of low-cardinality text columns. A ``LIMIT`` query supplies
examples. Nothing is read into pandas whole.
"""

from __future__ import annotations

import datetime as dt
import decimal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.engine import Engine
from catalog.extracts import FORMULA_PREFIXES
from catalog.registration.sources import DataSource, run
from catalog.sql import quote_identifier, quote_literal

if TYPE_CHECKING:
    from catalog.engines.base import Located

Fetch = Callable[[str], list[tuple[Any, ...]]]
"""Runs one query (DuckDB dialect) over the profiled data and returns its rows."""

FEW_VALUES = 25
"""A text column with at most this many distinct values gets its values listed."""
EXAMPLES = 3
"""Examples kept per column."""

_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT")
_NUMBER = ("FLOAT", "DOUBLE", "REAL", "DECIMAL")
_FORMULA_PATTERN = "^[" + "".join("\\-" if c == "-" else c for c in FORMULA_PREFIXES) + "]"


def logical_type(duckdb_type: str) -> str:
    """The ODCS v3.1 ``logicalType`` of a DuckDB type.

    ``BIGINT`` → ``integer``, ``DOUBLE``/``DECIMAL(p,s)`` → ``number``, ``DATE`` → ``date``,
    ``TIMESTAMP…`` → ``timestamp``, ``TIME`` → ``time``, ``BOOLEAN`` → ``boolean``, lists →
    ``array``, structs and maps → ``object``, everything else → ``string``.
    """
    t = duckdb_type.upper()
    if t.endswith("[]") or t.startswith("LIST"):
        return "array"
    if t.startswith(("STRUCT", "MAP", "UNION")):
        return "object"
    if t in _INTEGER:
        return "integer"
    if t.startswith(_NUMBER):
        return "number"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t.startswith("TIME"):
        return "time"
    if t == "BOOLEAN":
        return "boolean"
    return "string"


def _scalar(duckdb_type: str) -> bool:
    return logical_type(duckdb_type) not in {"array", "object"} and \
        not duckdb_type.upper().startswith(("BLOB", "BIT"))


@dataclass
class ColumnProfile:
    """What the data shows about one column.

    Attributes:
        name: the column name as stored.
        physical_type: DuckDB type, e.g. ``BIGINT``.
        logical_type: ODCS logical type (see :func:`logical_type`).
        nulls: rows without a value.
        distinct: distinct non-null values (exact when ``distinct_exact``, else
            HyperLogLog, within a few percent).
        distinct_exact: whether ``distinct`` was counted exactly.
        minimum: smallest value: a number for numeric columns, else its text as DuckDB writes
            it (``2013-01-01``, ``2013-01-01 10:00:00+00``); None for nested types or an
            all-null column. (Text, because fetching some types, e.g. ``TIMESTAMP WITH TIME
            ZONE``, into Python needs optional modules.)
        maximum: largest value, likewise.
        values: every distinct value, sorted, for text columns with at most
            :data:`FEW_VALUES` of them; else None.
        examples: up to :data:`EXAMPLES` values as text.
        formula_like: text cells starting with ``= + - @``, a tab or a carriage return.
    """

    name: str
    physical_type: str
    logical_type: str
    nulls: int = 0
    distinct: int = 0
    distinct_exact: bool = False
    minimum: Any = None
    maximum: Any = None
    values: list[str] | None = None
    examples: list[str] = field(default_factory=list)
    formula_like: int = 0

    @property
    def is_text(self) -> bool:
        """True for ``VARCHAR`` columns."""
        return self.physical_type.upper().startswith("VARCHAR")


@dataclass
class Profile:
    """The profile of a source: row count, one :class:`ColumnProfile` per column, seconds."""

    rows: int
    columns: list[ColumnProfile]
    seconds: float = 0.0

    def column(self, name: str) -> ColumnProfile:
        """The profile of column ``name``.

        Raises:
            KeyError: no such column.
        """
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def display(value: Any) -> str:
    """A profiled value as text: dates ISO, decimals plain, numbers without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def _fetcher(engine: Engine, source: DataSource) -> Fetch:
    def fetch(sql: str) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` over the staged source (read errors explained)."""
        cur = run(engine, source, sql)
        try:
            return [tuple(r) for r in cur.fetchall()]
        finally:
            cur.close()
    return fetch


def _first_pass(fetch: Fetch, relation: str, cols: list[ColumnProfile]) -> int:
    exprs = ["count(*)"]
    for col in cols:
        q = quote_identifier(col.name)
        exprs.append(f"count({q})")
        if _scalar(col.physical_type):
            low, high = f"min({q})", f"max({q})"
            if col.logical_type == "boolean":  # min/max of booleans, on every engine
                low, high = f"bool_and({q})", f"bool_or({q})"
            if col.logical_type not in {"integer", "number"}:  # as text: no Python types
                low, high = f"CAST({low} AS VARCHAR)", f"CAST({high} AS VARCHAR)"
            exprs += [f"approx_count_distinct({q})", low, high]
        if col.is_text:
            exprs.append(f"count_if(regexp_matches({q}, {quote_literal(_FORMULA_PATTERN)}))")
    rows_out = fetch(f"SELECT {', '.join(exprs)} FROM {relation}")
    row = list(rows_out[0]) if rows_out else []
    rows = int(row.pop(0) or 0)
    for col in cols:
        col.nulls = rows - int(row.pop(0) or 0)
        if _scalar(col.physical_type):
            col.distinct = int(row.pop(0) or 0)
            col.minimum, col.maximum = row.pop(0), row.pop(0)
        if col.is_text:
            col.formula_like = int(row.pop(0) or 0)
    return rows


def _key_like(col: ColumnProfile, rows: int) -> bool:
    return rows > 1 and col.nulls == 0 and col.distinct >= 0.9 * rows and \
        col.logical_type in {"integer", "string"}


def _second_pass(fetch: Fetch, relation: str, cols: list[ColumnProfile], rows: int
                 ) -> None:
    keys = [c for c in cols if _key_like(c, rows)]
    few = [c for c in cols if c.is_text and 0 < c.distinct <= FEW_VALUES]
    exprs = [f"count(DISTINCT {quote_identifier(c.name)})" for c in keys]
    exprs += [f"list(DISTINCT {quote_identifier(c.name)})" for c in few]
    if not exprs:
        return
    rows_out = fetch(f"SELECT {', '.join(exprs)} FROM {relation}")
    row = list(rows_out[0]) if rows_out else []
    for col in keys:
        col.distinct, col.distinct_exact = int(row.pop(0) or 0), True
    for col in few:
        values = sorted(str(v) for v in row.pop(0) or [] if v is not None)
        col.distinct, col.distinct_exact = len(values), True
        col.values = values if len(values) <= FEW_VALUES else None


def _examples(fetch: Fetch, relation: str, cols: list[ColumnProfile]) -> None:
    texts = ", ".join(f"CAST({quote_identifier(c.name)} AS VARCHAR)" for c in cols)
    rows = fetch(f"SELECT {texts} FROM {relation} LIMIT 200")
    for index, col in enumerate(cols):
        seen: list[str] = []
        for row in rows:
            text = display(row[index])
            if row[index] is not None and text not in seen:
                seen.append(text[:80])
            if len(seen) == EXAMPLES:
                break
        col.examples = seen


def _profile(fetch: Fetch, relation: str, described: list[tuple[str, str]]) -> Profile:
    started = time.perf_counter()
    cols = [ColumnProfile(name, typ, logical_type(typ)) for name, typ in described]
    rows = _first_pass(fetch, relation, cols)
    _second_pass(fetch, relation, cols, rows)
    _examples(fetch, relation, cols)
    return Profile(rows, cols, time.perf_counter() - started)


def profile(engine: Engine, source: DataSource) -> Profile:
    """Profile every column of ``source`` (see the module docstring for the queries run).

    Args:
        engine: the catalog's engine.
        source: a staged source.

    Returns:
        The profile; ``seconds`` is the wall time of the three queries.

    Raises:
        RegistrationError: the data cannot be read.
    """
    started = time.perf_counter()
    fetch = _fetcher(engine, source)
    described = [(str(r[0]), str(r[1]))
                 for r in fetch(f"DESCRIBE SELECT * FROM {source.relation}")]
    result = _profile(fetch, source.relation, described)
    result.seconds = time.perf_counter() - started
    return result


def profile_located(located: Located) -> Profile:
    """Profile a product's data where it lives, on its own engine (DuckDB, PostgreSQL,
    Spark), with the same queries as :func:`profile`, translated for the engine.

    Args:
        located: the product's object (:meth:`catalog.engine.Engine.locate`).

    Returns:
        The profile; types are DuckDB's type names whatever the engine.

    Raises:
        DataUnavailable, QueryFailed, LimitExceeded: the engine cannot read the data.
    """
    started = time.perf_counter()
    adapter = located.adapter
    described = [(c.name, c.type) for c in adapter.describe(located.relation)]
    result = _profile(lambda sql: adapter.fetch(sql), located.relation, described)
    result.seconds = time.perf_counter() - started
    return result
