"""DuckDB access to the data behind output ports: locate, preview, count, extract.

One root DuckDB connection per process; every unit of work takes its own ``.cursor()``
(DuckDB refuses concurrent use of one connection, and Streamlit runs
sessions and deferred downloads on different threads). Product databases are attached
``READ_ONLY``; a rebuilt file (new modification time) is attached afresh under a new alias so
readers never see a half-written file. All SQL takes user values as parameters; identifiers come
only from the product's real columns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from catalog.access.masking import masked_select, refuse_masked_filters
from catalog.confine import PathRefused, confined
from catalog.errors import CatalogError, DataUnavailable, InvalidRequest
from catalog.extracts import (
    EXTRACT_FORMATS,
    ExtractFormat,
    ExtractRequest,
    csv_select_list,
    select_list,
    where_clause,
)
from catalog.sandbox import Limits, QueryFailed, Sandbox
from catalog.sql import quote_identifier, quote_literal

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


def describe_type(duckdb_type: str) -> str:
    """A DuckDB type in plain words: ``BIGINT`` → "a whole number", ``DATE`` → "a date"."""
    t = duckdb_type.upper()
    if t in {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER"}:
        return "a whole number"
    if t in {"DOUBLE", "FLOAT", "REAL"} or t.startswith("DECIMAL"):
        return "a number"
    if t == "DATE":
        return "a date such as 2013-01-31"
    if t.startswith("TIMESTAMP"):
        return "a date and time such as 2013-01-31 08:00"
    if t == "BOOLEAN":
        return "true or false"
    return f"a {duckdb_type} value"


@dataclass(frozen=True)
class Column:
    """A column of a port's table as the engine reports it (``type`` is DuckDB's type name)."""

    name: str
    type: str


class Engine:
    """Reads output-port data with DuckDB, inside a :class:`catalog.sandbox.Sandbox`.

    Every statement runs under the sandbox's limits (time, memory, spill) and can reach no file
    outside the data folder, whatever SQL a manifest or a person contributed to it.

    Args:
        data_dir: folder that relative server paths resolve against; the only folder data is
            read from (a contract pointing elsewhere is refused).
        memory_limit: DuckDB memory limit, e.g. ``"1GB"``; overrides ``limits.memory_mb``.
        limits: the sandbox limits (default: :meth:`Limits.from_env`).
    """

    def __init__(self, data_dir: Path, memory_limit: str | None = None,
                 limits: Limits | None = None) -> None:
        self.data_dir = data_dir.resolve()
        limits = limits or Limits.from_env()
        if memory_limit is not None:
            limits = dataclasses.replace(limits, memory_mb=_megabytes(memory_limit))
        self.sandbox = Sandbox(self.data_dir, limits)
        self._root = self.sandbox.connection
        self._lock = threading.Lock()
        self._attached: dict[tuple[str, int], str] = {}

    @property
    def limits(self) -> Limits:
        """The limits every statement of this engine runs under."""
        return self.sandbox.limits

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and remove its spill folder."""
        self.sandbox.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the root connection, for one unit of work on one thread."""
        return self._root.cursor()

    # -- locating data -----------------------------------------------------------------
    def _inside_data_dir(self, raw: str) -> Path:
        try:
            return confined(raw, self.data_dir, what="data")
        except PathRefused:
            raise DataUnavailable(
                f"The contract points at '{raw}', outside the data folder; data is only read "
                "from there."
            ) from None

    def _attach(self, database: Path) -> str:
        try:
            mtime = database.stat().st_mtime_ns
        except FileNotFoundError:
            raise DataUnavailable(
                f"The database file {database.name} does not exist yet. Build the mesh with "
                "`python -m catalog build`."
            ) from None
        key = (str(database), mtime)
        with self._lock:
            alias = self._attached.get(key)
            if alias is None:
                alias = "db_" + hashlib.sha1(f"{key}".encode()).hexdigest()[:12]
                self._root.execute(
                    f"ATTACH {quote_literal(str(database))} AS {quote_identifier(alias)} "
                    "(READ_ONLY)"
                )
                self._attached[key] = alias
        return alias

    def relation(self, port: OutputPortView, object_name: str | None = None) -> str:
        """SQL relation (a qualified table name or a table function) for a port's object.

        Args:
            port: the output port; its contract's first ``duckdb`` or ``local`` server is used.
            object_name: schema object (table) name; the first object when None.

        Raises:
            DataUnavailable: no contract, no supported server, file missing or outside the
                data folder.
        """
        contract = port.contract
        if contract is None:
            raise DataUnavailable(f"Output port '{port.name}' has no valid contract to read.")
        objects = port.schema_objects()
        obj = next((o for o in objects if o.name == object_name), objects[0] if objects else None)
        if obj is None:
            raise DataUnavailable(f"The contract of port '{port.name}' declares no schema object.")
        table = obj.physicalName or obj.name or ""
        for server in contract.servers or []:
            if server.type == "duckdb" and server.database:
                alias = self._attach(self._inside_data_dir(server.database))
                schema = server.schema_ or "main"
                return ".".join(quote_identifier(p) for p in (alias, schema, table))
            if server.type == "local" and server.path:
                path = self._inside_data_dir(server.path)
                fmt = (server.format or path.suffix.lstrip(".")).lower()
                reader = {"parquet": "read_parquet", "csv": "read_csv"}.get(fmt)
                if reader is None:
                    raise DataUnavailable(f"Local files of format '{fmt}' cannot be read here.")
                return f"{reader}({quote_literal(str(path))})"
        raise DataUnavailable(
            f"The contract of port '{port.name}' has no duckdb or local server entry to read from."
        )

    def _run(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run ``sql`` on a fresh cursor within the sandbox's limits; the caller closes it.

        Raises:
            DataUnavailable: the table or its files are missing.
            LimitExceeded: a time, memory or spill limit stopped it.
            QueryFailed: any other refusal (DuckDB's first line).
        """
        cur = self.cursor()
        try:
            return self.sandbox.execute(cur, sql, params)
        except QueryFailed as err:
            cur.close()
            text = str(err)
            if "Catalog Error" in text:
                raise DataUnavailable(
                    f"The product's table is missing from its database ({text}). Rebuild the "
                    "mesh with `python -m catalog build`.") from None
            if "IO Error" in text:
                raise DataUnavailable(f"The product's data files cannot be read: {text}") from None
            raise
        except CatalogError:
            cur.close()
            raise

    # -- reading -------------------------------------------------------------------------
    def columns(self, port: OutputPortView) -> list[Column]:
        """Names and DuckDB types of the port's table, in table order."""
        rows = self._run(f"DESCRIBE SELECT * FROM {self.relation(port)}").fetchall()
        return [Column(r[0], r[1]) for r in rows]

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
                if (cur.execute(sql, [str(flt.value)]).fetchone() or (True,))[0]:
                    raise InvalidRequest(
                        f"'{flt.value}' is not a valid value for {flt.column} "
                        f"({describe_type(col_type)}); change the filter value."
                    )
        finally:
            cur.close()

    def row_count(self, port: OutputPortView, request: ExtractRequest | None = None,
                  masked: Collection[str] = ()) -> int:
        """Number of rows of the port's table, after the request's filters if given.

        Args:
            port: the output port.
            request: filters to count after (columns and limit are ignored).
            masked: columns the requester sees masked; filtering on them is refused, as the
                count would reveal their values.

        Raises:
            InvalidRequest: unknown column, a filter on a masked column, or a filter value
                that does not fit its column.
        """
        where: str = ""
        params: list[Any] = []
        if request is not None:
            refuse_masked_filters(request.filters, masked)
            columns = self.columns(port)
            where, params = where_clause(request, columns)
            self._check_values(request, columns)
        row = self._run(f"SELECT count(*) FROM {self.relation(port)}{where}", params).fetchone()
        return int(row[0]) if row else 0

    def preview(self, port: OutputPortView, limit: int = 100,
                masked: Collection[str] = ()) -> pd.DataFrame:
        """The first ``limit`` rows (at most 1,000) as a small DataFrame for display.

        Args:
            port: the output port.
            limit: rows wanted (1 to 1,000).
            masked: columns the requester sees masked: never read, every cell is
                :data:`catalog.access.masking.MASK` (text), in the column's place.
        """
        limit = max(1, min(int(limit), 1000))
        select = "*"
        if masked:
            select = ", ".join(masked_select(self.columns(port), masked))
        cur = self._run(f"SELECT {select} FROM {self.relation(port)} LIMIT ?", [limit])
        try:
            return cur.df()
        finally:
            cur.close()

    def write_extract(self, port: OutputPortView, request: ExtractRequest, target: Path,
                      masked: Collection[str] = (), fmt: ExtractFormat = "csv",
                      max_rows: int | None = None) -> int:
        """Write the (filtered, column-picked) port data to ``target`` with one DuckDB COPY.

        DuckDB streams the rows from the data to the file, so memory stays flat whatever the
        size, and the statement runs under the sandbox's time, memory and spill limits.

        CSV (UTF-8, header row): text cells starting with ``= + - @`` or a tab/carriage return
        are prefixed with ``'`` so spreadsheets do not run them as formulas (OWASP "CSV
        Injection"), and so are such column names in the header. Parquet keeps the columns'
        own types and names (a file format, not a spreadsheet). Either way a masked column is
        never read: every cell is :data:`catalog.access.masking.MASK`.

        Args:
            port: the output port.
            request: columns, filters and limit.
            target: the file to write (replaced if it exists); a target outside the data folder
                is written inside it first, then moved.
            masked: columns the requester sees masked.
            fmt: ``csv`` or ``parquet``.
            max_rows: at most this many rows, on top of ``request.limit`` (the smaller wins).

        Returns:
            The number of data rows written (COPY's own count, no second scan).

        Raises:
            InvalidRequest: unknown column, operator, format, a filter on a masked column or a
                value of the wrong type.
            DataUnavailable: the data cannot be read.
            catalog.sandbox.LimitExceeded: a time, memory or spill limit stopped it.
        """
        if fmt not in EXTRACT_FORMATS:
            raise InvalidRequest(f"'{fmt}' is not an extract format; use "
                                 f"{' or '.join(EXTRACT_FORMATS)}.")
        refuse_masked_filters(request.filters, masked)
        columns = self.columns(port)
        if fmt == "csv":
            select = csv_select_list(request, columns, frozenset(masked))
            options = "FORMAT csv, HEADER true"
        else:
            select = ", ".join(select_list(request, columns, frozenset(masked)))
            options = "FORMAT parquet"
        where, params = where_clause(request, columns)
        self._check_values(request, columns)
        caps = [int(n) for n in (request.limit, max_rows) if n]
        limit = f" LIMIT {min(caps)}" if caps else ""
        query = f"SELECT {select} FROM {self.relation(port)}{where}{limit}"

        def _copy_to(path: Path) -> int:
            sql = f"COPY ({query}) TO {quote_literal(str(path))} ({options})"
            cur = self._run(sql, params)
            try:
                row = cur.fetchone()
            finally:
                cur.close()
            return int(row[0]) if row else 0

        if target.resolve().is_relative_to(self.data_dir):
            return _copy_to(target)
        # The sandbox writes only inside the data folder: write there, then move the file.
        fd, name = tempfile.mkstemp(suffix=f".{fmt}", prefix="extract-",
                                    dir=self.sandbox.spill_dir)
        os.close(fd)
        try:
            rows = _copy_to(Path(name))
            shutil.move(name, target)
            return rows
        finally:
            Path(name).unlink(missing_ok=True)

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
