"""What every engine adapter offers, and the pieces they share.

An :class:`EngineAdapter` runs SQL written in DuckDB's dialect on one engine (DuckDB,
PostgreSQL, Spark), translated by :func:`catalog.engines.dialect.transpile`, within the
sandbox's :class:`~catalog.sandbox.Limits`: a time limit per statement, row caps, read-only
work, one statement at a time. Results come back as Python values; column types are reported
as DuckDB type names (``BIGINT``, ``VARCHAR``, ``TIMESTAMP``…) whatever the engine, so the
quality compiler, the extract guards and the profile read every engine alike.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from catalog.engines.dialect import DUCKDB, transpile
from catalog.errors import DataUnavailable
from catalog.sandbox import Limits

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from open_data_contract_standard.model import Server

    from catalog.sandbox import Sandbox


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
    """A column of a port's table as the engine reports it (``type`` is DuckDB's type name,
    whichever engine serves the data)."""

    name: str
    type: str


class EngineUnavailable(DataUnavailable):
    """The engine a product is served by cannot be used here or now: not installed, not
    configured, or not reachable. The message names the server (never its credentials) and
    what to do."""


@dataclass(frozen=True)
class ServerRef:
    """The server entry a product is read from, as people may see it.

    Attributes:
        name: the entry's ``server`` name (``local``, ``operations-postgres``).
        type: its ODCS ``type`` (``duckdb``, ``local``, ``postgres``, ``databricks``…).
        engine: the adapter's engine name: ``DuckDB``, ``PostgreSQL`` or ``Spark``.
        label: where the data is, in words, without credentials, e.g.
            ``PostgreSQL server operations-postgres (database mesh on localhost:5432)``.
    """

    name: str
    type: str
    engine: str
    label: str


@dataclass(frozen=True)
class Located:
    """Where one schema object of a port is read from.

    Attributes:
        adapter: the engine adapter that runs its queries.
        relation: the object as a relation after ``FROM``, in DuckDB's dialect (a quoted
            table name, or for DuckDB also a table function such as ``read_parquet(…)``).
        server: the server entry used.
    """

    adapter: EngineAdapter
    relation: str
    server: ServerRef


@dataclass(frozen=True)
class AdapterContext:
    """What adapters are opened with.

    Attributes:
        data_dir: the data folder: the only folder files are read from.
        limits: the sandbox limits every statement runs under.
        env: the environment variables credentials and engine settings are read from.
        sandbox: the DuckDB sandbox of the engine (the DuckDB adapter runs on it).
    """

    data_dir: Path
    limits: Limits
    env: Mapping[str, str]
    sandbox: Sandbox


class EngineAdapter(ABC):
    """Runs SQL (DuckDB's dialect, translated) on one engine, under the sandbox's limits.

    Subclasses set :attr:`engine` (a display name), :attr:`dialect` (sqlglot's) and
    :attr:`server_types` (the ODCS server types they serve), and implement the abstract
    methods. They are opened by the resolver (:class:`catalog.engines.resolver.Resolver`),
    one per :meth:`cache_key`, and closed with it.
    """

    engine: ClassVar[str] = ""
    dialect: ClassVar[str] = DUCKDB
    server_types: ClassVar[tuple[str, ...]] = ()
    shared_scan: ClassVar[bool] = False
    """True when counts cannot be answered from statistics (a row store, or a job per query):
    quality checks then share one scan (:mod:`catalog.quality.compiler`, ``shared_scan``)."""

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.limits = context.limits

    # -- choosing and opening ------------------------------------------------------------
    @classmethod
    def serves(cls, server: Server) -> bool:
        """True when this adapter reads ``server`` (by default: its type is listed)."""
        return str(server.type or "").lower() in cls.server_types

    @classmethod
    def unavailable(cls, server: Server, context: AdapterContext) -> str | None:
        """Why ``server`` cannot be read here (not installed, not configured), or None.

        Only what is known without connecting: an unreachable server is found when a query
        runs (:class:`EngineUnavailable`)."""
        return None

    @classmethod
    def cache_key(cls, server: Server, context: AdapterContext) -> Hashable:
        """Adapters with equal keys are shared (one connection pool, one Spark session)."""
        return cls.engine

    @classmethod
    def open(cls, server: Server, context: AdapterContext) -> EngineAdapter:
        """A new adapter for ``server`` (the resolver caches it by :meth:`cache_key`)."""
        return cls(context)

    @abstractmethod
    def label(self, server: Server) -> str:
        """Where ``server``'s data is, in words, never with credentials."""

    @abstractmethod
    def relation(self, server: Server, table: str) -> str:
        """The relation (DuckDB dialect) of ``table`` on ``server``.

        Raises:
            DataUnavailable: the data is missing or outside the data folder.
        """

    # -- running -------------------------------------------------------------------------
    def sql(self, duckdb_sql: str) -> str:
        """``duckdb_sql`` in this engine's dialect (see :func:`transpile`)."""
        return transpile(duckdb_sql, self.dialect)

    @abstractmethod
    def describe(self, relation: str) -> list[Column]:
        """The columns of ``relation`` with DuckDB type names, in order.

        Raises:
            DataUnavailable: the table is missing or the engine cannot be reached.
        """

    @abstractmethod
    def fetch(self, sql: str, params: list[Any] | None = None, *,
              max_rows: int | None = None) -> list[tuple[Any, ...]]:
        """Rows of one read-only query (DuckDB dialect), at most ``max_rows`` (default: the
        limits' ``max_rows``).

        Raises:
            catalog.sandbox.LimitExceeded: the time limit stopped it.
            catalog.sandbox.QueryFailed: the engine refused or failed it (first line).
            catalog.engines.dialect.Untranslatable: it cannot be run on this engine.
            EngineUnavailable: the engine cannot be reached.
        """

    def fetch_one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
        """The first row of a query (empty tuple when none); errors as :meth:`fetch`."""
        rows = self.fetch(sql, params, max_rows=1)
        return tuple(rows[0]) if rows else ()

    @abstractmethod
    def frame(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """A small result (a preview, at most 1,000 rows) as a DataFrame; errors as
        :meth:`fetch`."""

    @abstractmethod
    def write_file(self, sql: str, params: list[Any] | None, target: Path, fmt: str) -> int:
        """Stream a query's result to ``target`` as ``csv`` (UTF-8, header row) or
        ``parquet``, in batches, so memory stays flat whatever its size.

        Returns:
            The number of data rows written.

        Raises:
            as :meth:`fetch`; ``target`` is removed on failure.
        """

    def close(self) -> None:  # noqa: B027 - adapters without connections keep this no-op
        """Release connections (idempotent)."""


# -- type names ------------------------------------------------------------------------------

_PG_TYPES = {
    "int2": "SMALLINT", "smallint": "SMALLINT", "int4": "INTEGER", "integer": "INTEGER",
    "int": "INTEGER", "int8": "BIGINT", "bigint": "BIGINT", "float4": "FLOAT",
    "real": "FLOAT", "float8": "DOUBLE", "double precision": "DOUBLE", "bool": "BOOLEAN",
    "boolean": "BOOLEAN", "text": "VARCHAR", "varchar": "VARCHAR", "character varying": "VARCHAR",
    "bpchar": "VARCHAR", "character": "VARCHAR", "char": "VARCHAR", "name": "VARCHAR",
    "date": "DATE", "timestamp": "TIMESTAMP", "timestamp without time zone": "TIMESTAMP",
    "timestamptz": "TIMESTAMP WITH TIME ZONE",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE", "time": "TIME",
    "time without time zone": "TIME", "interval": "INTERVAL", "uuid": "UUID", "json": "JSON",
    "jsonb": "JSON", "bytea": "BLOB", "numeric": "DECIMAL(38,9)",
}
_SPARK_TYPES = {
    "tinyint": "TINYINT", "byte": "TINYINT", "smallint": "SMALLINT", "short": "SMALLINT",
    "int": "INTEGER", "integer": "INTEGER", "bigint": "BIGINT", "long": "BIGINT",
    "float": "FLOAT", "double": "DOUBLE", "boolean": "BOOLEAN", "string": "VARCHAR",
    "date": "DATE", "timestamp": "TIMESTAMP WITH TIME ZONE", "timestamp_ntz": "TIMESTAMP",
    "binary": "BLOB", "void": "VARCHAR",
}


def duckdb_type_of_postgres(display: str) -> str:
    """A PostgreSQL type as DuckDB names it: ``int4`` → ``INTEGER``, ``numeric(15,2)`` →
    ``DECIMAL(15,2)``, ``timestamptz`` → ``TIMESTAMP WITH TIME ZONE``; unknown types keep
    their name in capitals (read as text by the extract guards)."""
    text = display.strip().lower()
    match = re.fullmatch(r"(?:numeric|decimal)\((\d+),\s*(\d+)\)", text)
    if match:
        return f"DECIMAL({match[1]},{match[2]})"
    text = re.sub(r"\(\d+\)", "", text).strip()
    if text.endswith("[]"):
        return duckdb_type_of_postgres(text[:-2]) + "[]"
    return _PG_TYPES.get(text, text.upper())


def duckdb_type_of_spark(simple: str) -> str:
    """A Spark type (``DataType.simpleString()``) as DuckDB names it: ``int`` → ``INTEGER``,
    ``string`` → ``VARCHAR``, ``timestamp`` (an instant) → ``TIMESTAMP WITH TIME ZONE``,
    ``timestamp_ntz`` → ``TIMESTAMP``, ``decimal(15,2)`` → ``DECIMAL(15,2)``."""
    text = simple.strip().lower()
    match = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", text)
    if match:
        return f"DECIMAL({match[1]},{match[2]})"
    if text.startswith("array<"):
        return duckdb_type_of_spark(text[6:-1]) + "[]"
    if text.startswith(("struct<", "map<")):
        return text.split("<", 1)[0].upper()
    return _SPARK_TYPES.get(text, text.upper())


def postgres_type_of_duckdb(duckdb_type: str) -> str:
    """The PostgreSQL column type for a DuckDB type (used to load data into PostgreSQL):
    ``VARCHAR`` → ``text``, ``DOUBLE`` → ``double precision``, ``DECIMAL(p,s)`` →
    ``numeric(p,s)``; others by sqlglot's type mapping."""
    import sqlglot
    from sqlglot import exp

    t = duckdb_type.strip().upper()
    if t.startswith("VARCHAR"):
        return "text"
    if t.startswith("HUGEINT") or t.startswith("UBIGINT"):
        return "numeric(38,0)"
    if t.startswith("UINTEGER"):
        return "bigint"
    if t.startswith(("UTINYINT", "USMALLINT", "TINYINT")):
        return "integer"
    built = exp.DataType.build(t, dialect="duckdb")
    return str(sqlglot.transpile(f"CAST(x AS {built.sql('duckdb')})", read="duckdb",
                                 write="postgres")[0]).split(" AS ", 1)[1][:-1].lower()


# -- streaming results to a file ---------------------------------------------------------------

def write_batches(batches: Iterable[pa.RecordBatch], target: Path, fmt: str,
                  schema: pa.Schema) -> int:
    """Write Arrow record batches to ``target`` as CSV (UTF-8, header row, timestamps as
    ``2013-01-01 05:15:00``) or zstd Parquet, one batch at a time.

    Args:
        batches: the data, in order; every batch has ``schema``.
        target: the file (replaced).
        fmt: ``csv`` or ``parquet``.
        schema: the columns (names and types) of the file.

    Returns:
        The number of rows written.

    Raises:
        OSError: the file cannot be written; it is removed.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rows = 0
    try:
        if fmt == "csv":
            with pacsv.CSVWriter(str(target), schema,
                                 write_options=pacsv.WriteOptions(include_header=True,
                                                                  quoting_style="needed")
                                 ) as csv_out:
                for batch in batches:
                    csv_out.write_batch(batch)
                    rows += batch.num_rows
        else:
            with pq.ParquetWriter(str(target), schema, compression="zstd") as pq_out:
                for batch in batches:
                    pq_out.write_batch(batch)
                    rows += batch.num_rows
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return rows


def chunked(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` in lists of at most ``size``."""
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def env_key(server_name: str) -> str:
    """A server name as it appears in environment variable names: upper case, every run of
    other characters than letters and digits as one ``_`` (``operations-postgres`` →
    ``OPERATIONS_POSTGRES``)."""
    return re.sub(r"[^A-Z0-9]+", "_", server_name.upper()).strip("_")


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret value (longer than 2 characters) replaced by ``***``, and
    any ``user:password@`` part of a URL dropped: for engine error messages, which are shown
    and logged."""
    for secret in secrets:
        if secret and len(secret) > 2:
            text = text.replace(secret, "***")
    return re.sub(r"://[^/@\s]*:[^/@\s]*@", "://***@", text)
