"""Row slices of a DuckDB-read relation, so a large CSV extract is written by several cursors.

One DuckDB thread writes a CSV front to back, in the data's own order, in flat memory; several
threads on one ``COPY`` either keep the order by holding finished batches in memory (hundreds
of MB on a 6 M-row table) or give it up. A **slice** is a contiguous range of the relation's
rows by their position (``file_row_number`` of a single Parquet file, ``rowid`` of a DuckDB
table): each slice is written by its own cursor on the engine's sandbox (one thread each, the
engine's one memory budget), to a file of its own, and the files one after the other are the
extract, byte for byte what one ``COPY`` writes (the header row only in the first). Measured on
TPC-H lineitem SF1 (6,001,215 rows, 2 cores): two slices write the CSV in about the time of a
two-thread ``COPY`` at a fifth of its peak memory (bench/api.py).

A relation is sliced only when the split is exact and cheap: a single Parquet file (the row
count comes from its footer, and DuckDB skips the row groups outside a range) or a DuckDB base
table, with at least :data:`MIN_SLICE_ROWS` rows per slice; no slice when the extract has both
filters and a row limit (which rows make the limit is only known after filtering).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError
from catalog.sql import quote_literal

if TYPE_CHECKING:
    from catalog.engines.duckdb_engine import DuckDBAdapter

logger = logging.getLogger(__name__)

MIN_SLICE_ROWS = 500_000
"""Fewest rows a slice holds: below this, one cursor writes the extract sooner than several."""

_PARQUET_FILE = re.compile(r"^read_parquet\(('(?:[^']|'')*')\)$")
"""``read_parquet('<one path>')`` as :meth:`DuckDBAdapter.relation` writes it."""


@dataclass(frozen=True)
class RowSlice:
    """One contiguous range of a relation's rows, by position.

    Attributes:
        relation: the relation to read the slice from (``FROM`` text, DuckDB dialect).
        condition: the SQL condition selecting the slice's rows (no user values in it).
    """

    relation: str
    condition: str


def row_slices(adapter: DuckDBAdapter, relation: str, columns: set[str], parts: int,
               limit: int | None, filtered: bool) -> list[RowSlice] | None:
    """Split ``relation`` into at most ``parts`` contiguous row slices, or None to write it whole.

    Args:
        adapter: the DuckDB adapter the relation is read with.
        relation: the relation (:meth:`DuckDBAdapter.relation`).
        columns: the relation's column names (a column named like the position column stops
            the split).
        parts: the most slices wanted (at least 2 to split).
        limit: the extract's row limit, None for all rows.
        filtered: whether the extract has row filters.

    Returns:
        The slices in the relation's order (their rows, one after the other, are the rows one
        ``SELECT`` returns single-threaded), or None when the relation is not split.
    """
    if parts < 2 or (filtered and limit is not None):
        return None
    position = _position(relation, columns)
    if position is None:
        return None
    source, column = position
    try:
        total = _row_span(adapter, source, column)
    except CatalogError as err:  # a view (no rowid), a file gone: write it whole
        logger.debug("not slicing %s: %s", relation, err)
        return None
    if limit is not None:
        total = min(total, limit)
    count = min(parts, total // MIN_SLICE_ROWS)
    if count < 2:
        return None
    bounds = [total * i // count for i in range(count + 1)]
    return [RowSlice(source, _between(column, bounds[i], bounds[i + 1], last=i == count - 1
                                      and limit is None))
            for i in range(count)]


def _position(relation: str, columns: set[str]) -> tuple[str, str] | None:
    """The relation to read and its row-position column, or None when it has none."""
    match = _PARQUET_FILE.match(relation)
    if match:
        path = match.group(1)[1:-1].replace("''", "'")
        # file_row_number counts per file: a glob or a folder of files is not sliced
        if "file_row_number" in columns or not Path(path).is_file():
            return None
        return f"read_parquet({match.group(1)}, file_row_number = true)", "file_row_number"
    if relation.startswith('"') and not relation.endswith(")") and "rowid" not in columns:
        return relation, "rowid"
    return None


def _row_span(adapter: DuckDBAdapter, source: str, column: str) -> int:
    """One past the largest row position of ``source`` (its row count for a Parquet file)."""
    sql = (f"SELECT count(*) FROM {source}" if column == "file_row_number"
           else f"SELECT coalesce(max(rowid) + 1, 0) FROM {source}")
    cur = adapter.run(sql)
    try:
        row = cur.fetchone()
    finally:
        cur.close()
    return int(row[0]) if row else 0


def _between(column: str, low: int, high: int, *, last: bool) -> str:
    """``column >= low AND column < high``; the last slice of a whole relation is open-ended
    (rows added since the count still go out, in order)."""
    if last:
        return f"{column} >= {low}"
    return f"{column} >= {low} AND {column} < {high}"


def write_csv_slice(adapter: DuckDBAdapter, sql: str, params: list[Any], target: Path, *,
                    header: bool) -> int:
    """One slice's ``COPY (sql) TO target`` as CSV, with the header row or without.

    Args:
        adapter: the DuckDB adapter (its sandbox, limits and one cursor for this slice).
        sql: the slice's ``SELECT`` (DuckDB dialect; user values as ``?`` parameters).
        params: the parameters, in order.
        target: the file to write, inside the data folder.
        header: whether to write the header row (the first slice only).

    Returns:
        The data rows written.

    Raises:
        DataUnavailable, QueryFailed, LimitExceeded: as :meth:`DuckDBAdapter.run`.
    """
    options = f"FORMAT csv, HEADER {'true' if header else 'false'}"
    cur = adapter.run(f"COPY ({sql}) TO {quote_literal(str(target))} ({options})", params)
    try:
        row = cur.fetchone()
    finally:
        cur.close()
    return int(row[0]) if row else 0
