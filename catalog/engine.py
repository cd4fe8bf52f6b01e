"""The data behind output ports, read where it lives: locate, preview, count, extract.

Where a port's data lives is decided by one :class:`catalog.engines.Resolver` (the contract's
``servers`` entries → an engine adapter and a table reference): DuckDB files and Parquet/CSV
files of the data folder run on the engine's own sandboxed DuckDB database, PostgreSQL and Spark
products on their engine, with the SQL written once in DuckDB's dialect and translated. One
root DuckDB connection per engine; every unit of work takes its own ``.cursor()`` (DuckDB
refuses concurrent use of one connection, and Streamlit runs sessions and downloads on
different threads). All SQL takes user values as parameters; identifiers come only from the
product's real columns.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from catalog.access.masking import masked_select, refuse_masked_filters
from catalog.engines.base import Column, Located, ServerRef, describe_type
from catalog.engines.duckdb_engine import DuckDBAdapter
from catalog.engines.duckdb_slices import row_slices, write_csv_slice
from catalog.engines.resolver import Resolver
from catalog.errors import DataUnavailable, InvalidRequest
from catalog.extracts import (
    EXTRACT_FORMATS,
    ExtractFormat,
    ExtractRequest,
    csv_select_list,
    select_list,
    where_clause,
)
from catalog.sandbox import Limits, Sandbox
from catalog.sql import quote_literal

if TYPE_CHECKING:  # both cost 0.15–0.35 s to import and are only type hints here
    import pandas as pd

    from catalog.mesh import OutputPortView

logger = logging.getLogger(__name__)


def _megabytes(size: str) -> int:
    """``"256MB"`` / ``"1GB"`` → megabytes (DuckDB's size words)."""
    text = size.strip().upper().replace(" ", "")
    for unit, factor in (("TB", 1024 * 1024), ("GB", 1024), ("MB", 1), ("KB", 1 / 1024)):
        if text.endswith(unit):
            return max(1, int(float(text[: -len(unit)]) * factor))
    return max(1, int(text) // (1024 * 1024))


__all__ = ["Column", "Engine", "describe_type"]


class Engine:
    """Reads output-port data where it lives, inside the sandbox's limits.

    The engine owns a :class:`catalog.sandbox.Sandbox` (DuckDB: files of the data folder, no
    file outside it) and a :class:`catalog.engines.Resolver` that sends each port to the
    engine of its contract's server entry (DuckDB, PostgreSQL, Spark). Every statement runs
    under the same limits (time, row caps, read-only) whatever the engine.

    Args:
        data_dir: folder that relative server paths resolve against; the only folder data is
            read from (a contract pointing elsewhere is refused).
        memory_limit: DuckDB memory limit, e.g. ``"1GB"``; overrides ``limits.memory_mb``.
        limits: the sandbox limits (default: :meth:`Limits.from_env`).
        env: where engine credentials and settings are read (default ``os.environ``).
        duckdb_settings: DuckDB settings (name → value) of this engine's database, applied
            before the sandbox locks its configuration (trusted code only, never user input).
    """

    def __init__(self, data_dir: Path, memory_limit: str | None = None,
                 limits: Limits | None = None, env: Mapping[str, str] | None = None,
                 duckdb_settings: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir.resolve()
        limits = limits or Limits.from_env()
        if memory_limit is not None:
            limits = dataclasses.replace(limits, memory_mb=_megabytes(memory_limit))
        settings = dict(duckdb_settings or {})

        def prepare(connection: duckdb.DuckDBPyConnection) -> None:
            """Apply ``duckdb_settings`` to the new database."""
            for name, value in settings.items():
                connection.execute(f"SET {name} = {quote_literal(value)}")

        self.sandbox = Sandbox(self.data_dir, limits, prepare=prepare if settings else None)
        self._root = self.sandbox.connection
        self.resolver = Resolver(self.data_dir, self.sandbox, limits, env)

    @property
    def limits(self) -> Limits:
        """The limits every statement of this engine runs under."""
        return self.sandbox.limits

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the engines' connections, the database and remove its spill folder."""
        try:
            self.resolver.close()
        finally:
            self.sandbox.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the root DuckDB connection, for one unit of work on one thread."""
        return self._root.cursor()

    # -- locating data -----------------------------------------------------------------
    def locate(self, port: OutputPortView, object_name: str | None = None) -> Located:
        """Where a port's schema object is read from: engine adapter, relation, server.

        Args:
            port: the output port (its contract's servers are tried in order, see
                :meth:`catalog.engines.Resolver.locate`).
            object_name: schema object (table) name; the first object when None.

        Raises:
            DataUnavailable: no contract, no readable server, file missing or outside the
                data folder (``EngineUnavailable`` for a missing or unconfigured engine).
        """
        return self.resolver.locate(port, object_name)

    def server(self, port: OutputPortView) -> ServerRef | None:
        """The server entry (engine, words for where) the port is read from; None when none
        is readable here. Touches no data."""
        return self.resolver.server_ref(port)

    def attach(self, database: Path) -> str:
        """Attach a DuckDB file read-only on this engine's database; its alias.

        Raises:
            DataUnavailable: the file does not exist.
        """
        return self.resolver.duckdb.attach(database)

    def relation(self, port: OutputPortView, object_name: str | None = None) -> str:
        """SQL relation of a port's object on this engine's DuckDB database (for SQL that
        joins products on DuckDB: builds, derived products, the quality history's span).

        Raises:
            DataUnavailable: as :meth:`locate`, or the port is served by another engine
                (PostgreSQL, Spark), whose tables DuckDB cannot join.
        """
        located = self.locate(port, object_name)
        if located.adapter is not self.resolver.duckdb:
            raise DataUnavailable(
                f"Port '{port.name}' is served by {located.server.label}; DuckDB SQL over "
                "several products (builds, derived products) reads DuckDB-served data only.")
        return located.relation

    def _run(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run DuckDB ``sql`` on a fresh cursor within the sandbox's limits; caller closes it.

        Raises:
            DataUnavailable: the table or its files are missing.
            LimitExceeded: a time, memory or spill limit stopped it.
            QueryFailed: any other refusal (DuckDB's first line).
        """
        return self.resolver.duckdb.run(sql, params)

    # -- reading -------------------------------------------------------------------------
    def columns(self, port: OutputPortView) -> list[Column]:
        """Names and types (DuckDB's type names, whatever the engine) of the port's table,
        in table order."""
        located = self.locate(port)
        return located.adapter.describe(located.relation)

    def _check_values(self, request: ExtractRequest, columns: list[Column]) -> None:
        """Refuse filter values that do not convert to their column's type, by name.

        Raises:
            InvalidRequest: e.g. "'ten' is not a valid value for dep_delay (a whole number)".
        """
        types = {c.name: c.type for c in columns}
        cur = self.cursor()
        try:
            for flt in request.filters:
                col_type = types.get(flt.column)
                if col_type is None or flt.value in (None, "") or col_type.startswith("VARCHAR"):
                    continue
                sql = f"SELECT TRY_CAST(CAST(? AS VARCHAR) AS {col_type}) IS NULL"
                try:
                    refused = (cur.execute(sql, [str(flt.value)]).fetchone() or (True,))[0]
                except duckdb.Error:  # a type DuckDB does not know: the engine decides
                    continue
                if refused:
                    raise InvalidRequest(
                        f"'{flt.value}' is not a valid value for {flt.column} "
                        f"({describe_type(col_type)}); change the filter value."
                    )
        finally:
            cur.close()

    def row_count(self, port: OutputPortView, request: ExtractRequest | None = None,
                  masked: Collection[str] = ()) -> int:
        """Number of rows of the port's table, after the request's filters if given, counted
        by the port's own engine.

        Args:
            port: the output port.
            request: filters to count after (columns and limit are ignored).
            masked: columns the requester sees masked; filtering on them is refused, as the
                count would reveal their values.

        Raises:
            InvalidRequest: unknown column, a filter on a masked column, or a filter value
                that does not fit its column.
            DataUnavailable: the data or its engine cannot be reached.
        """
        located = self.locate(port)
        where: str = ""
        params: list[Any] = []
        if request is not None:
            refuse_masked_filters(request.filters, masked)
            columns = located.adapter.describe(located.relation)
            where, params = where_clause(request, columns)
            self._check_values(request, columns)
        row = located.adapter.fetch_one(f"SELECT count(*) FROM {located.relation}{where}",
                                        params)
        return int(row[0]) if row else 0

    def preview(self, port: OutputPortView, limit: int = 100,
                masked: Collection[str] = ()) -> pd.DataFrame:
        """The first ``limit`` rows (at most 1,000) as a small DataFrame for display, read by
        the port's own engine.

        Args:
            port: the output port.
            limit: rows wanted (1 to 1,000).
            masked: columns the requester sees masked: never read, every cell is
                :data:`catalog.access.masking.MASK` (text), in the column's place.
        """
        located = self.locate(port)
        limit = max(1, min(int(limit), 1000))
        select = "*"
        if masked:
            select = ", ".join(masked_select(located.adapter.describe(located.relation),
                                             masked))
        return located.adapter.frame(f"SELECT {select} FROM {located.relation} LIMIT {limit}")

    def write_extract(self, port: OutputPortView, request: ExtractRequest, target: Path,
                      masked: Collection[str] = (), fmt: ExtractFormat = "csv",
                      max_rows: int | None = None) -> int:
        """Write the (filtered, column-picked) port data to ``target``, streamed by the port's
        own engine (DuckDB: one ``COPY``; PostgreSQL: ``COPY … TO STDOUT`` or batches; Spark:
        one file written by Spark, or batches), so memory stays flat whatever the size, under
        the sandbox's limits.

        CSV (UTF-8, header row): text cells starting with ``= + - @`` or a tab/carriage return
        are prefixed with ``'`` so spreadsheets do not run them as formulas (OWASP "CSV
        Injection"), and so are such column names in the header. Parquet keeps the columns'
        own types and names (a file format, not a spreadsheet). Either way a masked column is
        never read: every cell is :data:`catalog.access.masking.MASK`.

        Args:
            port: the output port.
            request: columns, filters and limit.
            target: the file to write (replaced if it exists).
            masked: columns the requester sees masked.
            fmt: ``csv`` or ``parquet``.
            max_rows: at most this many rows, on top of ``request.limit`` (the smaller wins).

        Returns:
            The number of data rows written (the engine's own count, no second scan).

        Raises:
            InvalidRequest: unknown column, operator, format, a filter on a masked column or a
                value of the wrong type.
            DataUnavailable: the data cannot be read.
            catalog.sandbox.LimitExceeded: a time, memory or spill limit stopped it.
        """
        return self.extract_writers(port, request, masked, fmt, max_rows)[0](target)

    def extract_writers(self, port: OutputPortView, request: ExtractRequest,
                        masked: Collection[str] = (), fmt: ExtractFormat = "csv",
                        max_rows: int | None = None, parts: int = 1
                        ) -> list[Callable[[Path], int]]:
        """The extract of :meth:`write_extract` as up to ``parts`` writers of consecutive
        pieces: each writes its piece to the path it is given and returns its data rows, and
        the files one after the other are the extract (a CSV's header row only in the first).
        Pieces are only made of a large CSV extract of a single Parquet file or a DuckDB table
        (:mod:`catalog.engines.duckdb_slices`); otherwise there is one writer.

        The writers may run at the same time, each on a thread of its own (DuckDB runs each
        cursor's statement on the calling thread, under the engine's one memory limit).

        Args:
            port, request, masked, fmt, max_rows: as :meth:`write_extract`.
            parts: the most pieces wanted.

        Returns:
            One callable per piece, in order.

        Raises:
            InvalidRequest, DataUnavailable: as :meth:`write_extract` (checked here, before
                any writing); a writer raises as :meth:`write_extract` does.
        """
        if fmt not in EXTRACT_FORMATS:
            raise InvalidRequest(f"'{fmt}' is not an extract format; use "
                                 f"{' or '.join(EXTRACT_FORMATS)}.")
        refuse_masked_filters(request.filters, masked)
        located = self.locate(port)
        columns = located.adapter.describe(located.relation)
        if fmt == "csv":
            select = csv_select_list(request, columns, frozenset(masked))
        else:
            select = ", ".join(select_list(request, columns, frozenset(masked)))
        where, params = where_clause(request, columns)
        self._check_values(request, columns)
        caps = [int(n) for n in (request.limit, max_rows) if n]
        cap = min(caps) if caps else None
        adapter = located.adapter
        if fmt == "csv" and isinstance(adapter, DuckDBAdapter):
            slices = row_slices(adapter, located.relation, {c.name for c in columns}, parts,
                                cap, bool(request.filters))
            if slices:
                joiner = f"{where} AND" if where else " WHERE"
                return [functools.partial(
                    write_csv_slice, adapter,
                    f"SELECT {select} FROM {piece.relation}{joiner} ({piece.condition})",
                    params, header=index == 0) for index, piece in enumerate(slices)]
        limit = f" LIMIT {cap}" if cap else ""
        query = f"SELECT {select} FROM {located.relation}{where}{limit}"
        return [lambda target: adapter.write_file(query, params, target, fmt)]

    def write_csv(self, port: OutputPortView, request: ExtractRequest, target: Path,
                  masked: Collection[str] = ()) -> int:
        """Write the port data as CSV to ``target``: :meth:`write_extract` with ``fmt="csv"``.

        Returns:
            The number of data rows written.

        Raises:
            InvalidRequest: unknown column, operator, a filter on a masked column or a value
                of the wrong type.
            DataUnavailable: the data cannot be read.
        """
        return self.write_extract(port, request, target, masked, "csv")

    def extract_csv(self, port: OutputPortView, request: ExtractRequest,
                    masked: Collection[str] = ()) -> bytes:
        """The CSV extract as bytes (held in memory: meant for extracts up to ~100 MB); masked
        columns as in :meth:`write_csv`."""
        return self.extract_csv_counted(port, request, masked)[0]

    def extract_csv_counted(self, port: OutputPortView, request: ExtractRequest,
                            masked: Collection[str] = ()) -> tuple[bytes, int]:
        """Like :meth:`extract_csv`, with the number of data rows written (for the audit log)."""
        fd, name = tempfile.mkstemp(suffix=".csv", prefix="extract-", dir=self.sandbox.spill_dir)
        os.close(fd)
        try:
            rows = self.write_csv(port, request, Path(name), masked)
            return Path(name).read_bytes(), rows
        finally:
            os.unlink(name)
