"""DuckDB adapter: DuckDB database files and Parquet/CSV files of the data folder.

Server entries (ODCS v3.1 §servers)::

    - {server: local, type: duckdb, database: mesh.duckdb, schema: operations}
    - {server: local, type: local, format: parquet, path: products/sales/orders/1.0.0.parquet}

Everything runs on the engine's :class:`catalog.sandbox.Sandbox`: no file outside the data
folder is read, database files are attached ``READ_ONLY`` (a rebuilt file, with a new
modification time, is attached afresh under a new alias, so readers never see a half-written
file), and every statement runs under the sandbox's time, memory and spill limits.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from catalog.confine import PathRefused, confined
from catalog.engines.base import AdapterContext, Column, EngineAdapter
from catalog.errors import CatalogError, DataUnavailable
from catalog.sandbox import QueryFailed, SandboxRefused
from catalog.sql import quote_identifier, quote_literal

if TYPE_CHECKING:
    import pandas as pd
    from open_data_contract_standard.model import Server

FILE_READERS = {"parquet": "read_parquet", "csv": "read_csv"}
"""Formats of ``local`` servers and the DuckDB function that reads each."""


class DuckDBAdapter(EngineAdapter):
    """DuckDB on the engine's sandbox: ``duckdb`` and ``local`` servers.

    Args:
        context: its ``sandbox`` is the database every query runs on.
    """

    engine = "DuckDB"
    dialect = "duckdb"
    server_types = ("duckdb", "local")

    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        self.sandbox = context.sandbox
        self.data_dir = context.data_dir
        self._lock = threading.Lock()
        self._attached: dict[tuple[str, int], str] = {}

    @classmethod
    def cache_key(cls, server: Server, context: AdapterContext) -> Hashable:
        """One DuckDB adapter per engine: they all share its sandbox."""
        return "duckdb"

    def label(self, server: Server) -> str:
        """``DuckDB file mesh.duckdb (schema operations)`` or ``Parquet file …``."""
        if str(server.type).lower() == "duckdb":
            return f"DuckDB file {server.database} (schema {server.schema_ or 'main'})"
        return f"{(server.format or 'data').capitalize()} file {server.path} (read by DuckDB)"

    # -- locating ------------------------------------------------------------------------
    def inside_data_dir(self, raw: str) -> Path:
        """``raw`` resolved against the data folder.

        Raises:
            DataUnavailable: it points outside the data folder.
        """
        try:
            return confined(raw, self.data_dir, what="data")
        except PathRefused:
            raise DataUnavailable(
                f"The contract points at '{raw}', outside the data folder; data is only read "
                "from there."
            ) from None

    def attach(self, database: Path) -> str:
        """Attach a DuckDB file read-only (once per modification time); its alias.

        Raises:
            DataUnavailable: the file does not exist.
        """
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
                cur = self.sandbox.cursor()
                try:
                    cur.execute(f"ATTACH IF NOT EXISTS {quote_literal(str(database))} AS "
                                f"{quote_identifier(alias)} (READ_ONLY)")
                finally:
                    cur.close()
                self._attached[key] = alias
        return alias

    def relation(self, server: Server, table: str) -> str:
        """``"db_…"."schema"."table"`` of an attached file, or ``read_parquet('…')`` /
        ``read_csv('…')`` of a local file.

        Raises:
            DataUnavailable: missing, outside the data folder, or an unreadable format.
        """
        if str(server.type).lower() == "duckdb":
            if not server.database:
                raise DataUnavailable("The duckdb server entry names no database file.")
            alias = self.attach(self.inside_data_dir(server.database))
            return ".".join(quote_identifier(p) for p in (alias, server.schema_ or "main", table))
        if not server.path:
            raise DataUnavailable("The local server entry names no path.")
        path = self.inside_data_dir(server.path)
        fmt = (server.format or path.suffix.lstrip(".")).lower()
        reader = FILE_READERS.get(fmt)
        if reader is None:
            raise DataUnavailable(f"Local files of format '{fmt}' cannot be read here.")
        return f"{reader}({quote_literal(str(path))})"

    # -- running -------------------------------------------------------------------------
    def run(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run ``sql`` on a fresh cursor within the sandbox's limits; the caller closes it.

        Raises:
            DataUnavailable: the table or its files are missing.
            LimitExceeded: a time, memory or spill limit stopped it.
            QueryFailed: any other refusal (DuckDB's first line).
            SandboxRefused: ``sql`` holds several statements.
        """
        cur = self.sandbox.cursor()
        try:
            if len(cur.extract_statements(sql)) != 1:
                raise SandboxRefused("Only one statement may run.")
            return self.sandbox.execute(cur, sql, params)
        except duckdb.ParserException as err:
            cur.close()
            raise QueryFailed(str(err).splitlines()[0]) from None
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

    def describe(self, relation: str) -> list[Column]:
        """Names and DuckDB types of ``relation`` (``DESCRIBE``)."""
        cur = self.run(f"DESCRIBE SELECT * FROM {relation}")
        try:
            return [Column(str(r[0]), str(r[1])) for r in cur.fetchall()]
        finally:
            cur.close()

    def fetch(self, sql: str, params: list[Any] | None = None, *,
              max_rows: int | None = None) -> list[tuple[Any, ...]]:
        """Up to ``max_rows`` (default the limits' ``max_rows``) rows of ``sql``."""
        cur = self.run(sql, params)
        try:
            return [tuple(r) for r in cur.fetchmany(max_rows or self.limits.max_rows)]
        finally:
            cur.close()

    def frame(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """The result as a DataFrame (DuckDB's own conversion)."""
        cur = self.run(sql, params)
        try:
            return cur.df()
        finally:
            cur.close()

    def write_file(self, sql: str, params: list[Any] | None, target: Path, fmt: str) -> int:
        """One DuckDB ``COPY (sql) TO target``: streamed, under the sandbox's limits. A target
        outside the data folder is written inside it first (the sandbox writes nowhere else),
        then moved."""
        options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"

        def _copy_to(path: Path) -> int:
            cur = self.run(f"COPY ({sql}) TO {quote_literal(str(path))} ({options})", params)
            try:
                row = cur.fetchone()
            finally:
                cur.close()
            return int(row[0]) if row else 0

        if target.resolve().is_relative_to(self.data_dir):
            return _copy_to(target)
        fd, name = tempfile.mkstemp(suffix=f".{fmt}", prefix="extract-",
                                    dir=self.sandbox.spill_dir)
        os.close(fd)
        try:
            rows = _copy_to(Path(name))
            shutil.move(name, target)
            return rows
        finally:
            Path(name).unlink(missing_ok=True)
