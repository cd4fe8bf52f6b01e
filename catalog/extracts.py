"""Extract requests: which columns and rows of a product a user wants, turned into safe SQL.

Identifiers are taken only from the table's real columns (a request naming another column is
refused); values are always bound as parameters and cast to the column's own type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from catalog.access.masking import mask_expression, masked_select
from catalog.errors import InvalidRequest
from catalog.sql import quote_identifier

if TYPE_CHECKING:
    from catalog.engine import Column

ExtractFormat = Literal["csv", "parquet"]
"""The file formats of an extract."""
EXTRACT_FORMATS: tuple[ExtractFormat, ...] = ("csv", "parquet")
"""Every extract file format, the default first."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters spreadsheets treat as a formula (OWASP, "CSV Injection")."""

_FORMULA_CODES = tuple(sorted(ord(c) for c in FORMULA_PREFIXES))
"""Code points of :data:`FORMULA_PREFIXES` (9, 13, 43, 45, 61, 64), all below ``A`` (65)."""

_UNGUARDED_TYPE = re.compile(
    r"BOOL(EAN)?|U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|INT[1248]?|FLOAT[48]?|REAL|DOUBLE"
    r"|(DECIMAL|NUMERIC)(\(\d+, ?\d+\))?|VARINT|BIGNUM|DATE|TIME(_NS|TZ| WITH TIME ZONE)?"
    r"|TIMESTAMP(_S|_MS|_NS|TZ| WITH TIME ZONE)?|DATETIME|INTERVAL"
)
"""DuckDB types whose text is never a formula (a leading ``-`` is a number's sign). Every other
type (VARCHAR, BLOB, JSON, ENUM, UUID, BIT, LIST, ARRAY, STRUCT, MAP, UNION, VARIANT, user
types) is written to CSV as guarded text."""


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


FILTER_OPERATORS = {op.name.lower(): op for op in FilterOp}
"""Operator names of a filter written as text (:func:`parse_filter`): ``equals``,
``not_equals``, ``less``, ``less_or_equal``, ``greater``, ``greater_or_equal``, ``contains``,
``is_empty``, ``not_empty``."""
NO_VALUE_OPERATORS = frozenset({FilterOp.IS_EMPTY, FilterOp.NOT_EMPTY})
"""Operators that take no value."""


def parse_filter(text: str) -> RowFilter:
    """A row filter from its text form ``column:operator:value`` (``column:is_empty`` needs no
    value), as the HTTP API's ``filter`` parameter and the command line's ``--filter`` take it.

    Args:
        text: the column is everything before the first ``:``, the operator (a key of
            :data:`FILTER_OPERATORS`) up to the next one, the value the rest (it may hold
            ``:``).

    Returns:
        The filter (the column and the value are checked against the data when it is used).

    Raises:
        InvalidRequest: no column, an unknown operator, or a missing value.
    """
    column, _, rest = text.partition(":")
    name, _, value = rest.partition(":")
    op = FILTER_OPERATORS.get(name.strip().lower())
    if not column or op is None:
        raise InvalidRequest(f"A filter must look like column:operator:value with an operator "
                             f"among {', '.join(FILTER_OPERATORS)}; got '{text[:80]}'.")
    if op in NO_VALUE_OPERATORS:
        return RowFilter(column, op, None)
    if value == "":
        raise InvalidRequest(f"The filter on '{column[:40]}' needs a value: "
                             f"{column[:40]}:{name}:<value>.")
    return RowFilter(column, op, value)


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


def is_guarded_type(duckdb_type: str) -> bool:
    """Whether a column of this DuckDB type is written to CSV as formula-guarded text.

    Args:
        duckdb_type: the type name as DuckDB reports it, e.g. ``BIGINT``, ``VARCHAR[]``,
            ``ENUM('a', 'b')``.

    Returns:
        False for numbers, booleans, dates, times, timestamps and intervals; True otherwise.
    """
    return _UNGUARDED_TYPE.fullmatch(duckdb_type.strip().upper()) is None


def formula_start_condition(text_sql: str) -> str:
    """SQL condition: the text ``text_sql`` starts with one of :data:`FORMULA_PREFIXES`.

    It compares the first character's code point (DuckDB's ``ascii``: 0 for an empty text,
    NULL for NULL): first with one ``<`` that most text fails (letters, digits and the other
    scripts are all above 64), then with two ``IN`` lists of three values each. Not one list
    of six: DuckDB turns an ``IN`` of six values or more into a join, which loses the rows'
    order in a ``COPY``, and extracts come out in the table's order. It costs about half the
    CPU of the ``regexp_matches`` it replaces.

    Args:
        text_sql: a VARCHAR SQL expression (named up to three times; DuckDB evaluates a
            repeated expression once).

    Returns:
        The boolean SQL expression.
    """
    code = f"ascii({text_sql})"
    low, high = _FORMULA_CODES[:3], _FORMULA_CODES[3:]
    return (f"({code} < {_FORMULA_CODES[-1] + 1} AND ({code} IN "
            f"({', '.join(map(str, low))}) OR {code} IN ({', '.join(map(str, high))})))")


def csv_header_name(name: str) -> str:
    """The CSV header text of column ``name``, prefixed with ``'`` if it starts like a formula.

    Column names come from manifests and uploads, so ``=cmd|' /C calc'!A0`` is possible.

    Args:
        name: the column's real name.

    Returns:
        ``name``, or ``'`` + ``name`` when it starts with one of :data:`FORMULA_PREFIXES`.
    """
    return "'" + name if name.startswith(FORMULA_PREFIXES) else name


def csv_select_list(request: ExtractRequest, columns: list[Column],
                    masked: Collection[str] = frozenset()) -> str:
    """SELECT list for a CSV extract: the picked columns, cells and header guarded.

    Every column whose type is not a number, boolean, date, time, timestamp or interval (see
    :func:`is_guarded_type`) is cast to VARCHAR (BLOB bytes that are not printable ASCII come
    out as ``\\xNN``), and a cell starting with one of :data:`FORMULA_PREFIXES` gets a leading
    ``'``; so does a column name in the header (the column is still read by its real name).
    Negative numbers stay numbers. A masked column is not read at all: every cell is the
    literal :data:`catalog.access.masking.MASK` (:func:`catalog.access.masking.mask_expression`).

    Args:
        request: the extract request (its ``columns``; all columns when empty).
        columns: the table's columns as the engine reports them.
        masked: names of the columns the requester sees masked.

    Returns:
        The comma-separated SELECT list.

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
        alias = quote_identifier(csv_header_name(col.name))
        if col.name in masked:
            parts.append(mask_expression(col.name, csv_header_name(col.name)))
        elif is_guarded_type(col.type):
            text = f"CAST({quoted} AS VARCHAR)"
            parts.append(
                f"CASE WHEN {formula_start_condition(text)} "
                f"THEN '''' || {text} ELSE {text} END AS {alias}"
            )
        else:
            parts.append(f"{quoted} AS {alias}")
    return ", ".join(parts)


def select_list(request: ExtractRequest, columns: list[Column],
                masked: Collection[str] = frozenset()) -> list[str]:
    """SELECT-list items for a typed extract (Parquet): the picked columns as they are.

    Unlike :func:`csv_select_list` nothing is cast or guarded (a typed file is no
    spreadsheet); a masked column is not read, every cell is the literal
    :data:`catalog.access.masking.MASK`.

    Args:
        request: the extract request (its ``columns``; all columns when empty).
        columns: the table's columns as the engine reports them.
        masked: names of the columns the requester sees masked.

    Returns:
        One item per picked column, in the picked order.

    Raises:
        InvalidRequest: a picked column does not exist.
    """
    known = _known(columns)
    picked = list(request.columns) or [c.name for c in columns]
    missing = [name for name in picked if name not in known]
    if missing:
        raise InvalidRequest(f"Column '{missing[0]}' is not in this product; pick from the list.")
    return masked_select([known[name] for name in picked], masked)


def where_clause(request: ExtractRequest, columns: list[Column]) -> tuple[str, list[Any]]:
    """`` WHERE …`` (or ``""``) and its parameters for the request's filters.

    Args:
        request: the extract request (its ``filters``).
        columns: the table's columns as the engine reports them.

    Returns:
        The clause (with a leading space) and its parameters, in order.

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


def extract_filename(product_id: str, version: str, day: dt.date | str,
                     suffix: str = "csv") -> str:
    """``<product>-<version>-<period>.<suffix>``, e.g.
    ``weather.hourly_observations-1.1.0-2013-12.csv``.

    Only letters, digits, dots, dashes and underscores are kept, so the name is safe in a
    Content-Disposition header and on every file system.

    Args:
        product_id: the product's id.
        version: the product's version.
        day: the period of the data (``2013``, ``2013-12``, ``2013-01-01_2013-06-30``, see
            :func:`catalog.slices.file_period`), or the extract's date.
        suffix: the file extension without the dot.

    Returns:
        The file name.
    """
    period = day if isinstance(day, str) else day.isoformat()
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", f"{product_id}-{version}-{period}")
    return f"{stem}.{suffix}"
