"""The one place SQL runs: a DuckDB database confined to the data folder, with limits.

Every SQL text the platform did not write itself — a contract's ``sql`` quality rule, a
product's ``build.sql``, a derived product's query — is first checked by :func:`check_select`
(exactly one read-only ``SELECT``, on sqlglot's syntax tree, never by regular expression) and
then runs on a :class:`Sandbox` database:

* external access is off except for the data folder (DuckDB's ``enable_external_access`` with
  ``allowed_directories``): no file outside it can be read, attached or written, symbolic links
  that leave it included; extension install and autoload are off; Python variables are not
  visible as tables; the configuration is locked so SQL cannot loosen any of this;
* a memory limit, a spill folder inside the data folder (``<data dir>/.sandbox/<pid>-<id>``)
  capped by ``max_temp_directory_size`` and removed when the sandbox closes, and a time limit
  per statement (the cursor is interrupted).

A query that hits a limit ends as :class:`LimitExceeded`, whose message names the limit and the
environment variable that changes it. Error messages are DuckDB's first line only, and a
refused file access is reported without DuckDB's text, so no message carries content from
outside the mesh. The engine that serves previews and extracts (:class:`catalog.engine.Engine`)
runs on a sandbox too, so the same limits hold for every query.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from catalog.errors import CatalogError
from catalog.housekeeping import SANDBOX_DIR as SPILL_FOLDER

logger = logging.getLogger(__name__)

MAX_SQL_CHARS = 20_000
"""Longest SQL text accepted from a manifest or a person (characters)."""

FILE_FUNCTIONS = frozenset({
    "read_text", "read_blob", "read_csv", "read_csv_auto", "read_parquet", "parquet_scan",
    "read_json", "read_json_auto", "read_json_objects", "read_ndjson", "read_ndjson_auto",
    "read_ndjson_objects", "read_json_objects_auto", "glob", "sniff_csv", "parquet_metadata",
    "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe",
    "read_xlsx", "st_read", "iceberg_scan", "delta_scan", "read_duckdb",
    "getenv", "current_setting", "duckdb_settings", "duckdb_extensions", "duckdb_secrets",
    "duckdb_databases", "query", "query_table", "pragma_version", "which_secret",
    "read_csv_objects", "sql_auto_complete", "load_extension",
})
"""Functions an untrusted query may not call: they read files, settings or the environment,
or run SQL text of their own. (The database refuses files outside the data folder anyway; this
list keeps even the data folder's other files, such as the operational store, out of reach.)"""


class SandboxRefused(CatalogError):
    """An untrusted SQL text was refused before running (not one read-only SELECT, a file or
    settings function, a file path as a table, or too long)."""


class LimitExceeded(CatalogError):
    """A query was stopped by a sandbox limit.

    Attributes:
        limit: ``time``, ``memory``, ``spill`` or ``rows``.
        setting: the environment variable that changes it.
    """

    def __init__(self, limit: str, setting: str, message: str) -> None:
        self.limit = limit
        self.setting = setting
        super().__init__(message)


class QueryFailed(CatalogError):
    """DuckDB refused or failed a sandboxed statement; the message is its first line only."""


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one sandboxed statement may do.

    Attributes:
        timeout_s: seconds a statement may run before it is interrupted.
        memory_mb: DuckDB memory limit of the sandbox database, in MB.
        spill_mb: most disk the sandbox may spill to, in MB (``max_temp_directory_size``).
        max_rows: most rows a query may produce where results are kept (derived products).
        threads: DuckDB worker threads; ``None`` keeps DuckDB's default (one per core).
    """

    timeout_s: float = 120.0
    memory_mb: int = 1024
    spill_mb: int = 4096
    max_rows: int = 50_000_000
    threads: int | None = None

    @classmethod
    def from_env(cls, **defaults: Any) -> Limits:
        """Limits from ``MESH_QUERY_TIMEOUT_S``, ``MESH_QUERY_MEMORY_MB``,
        ``MESH_QUERY_SPILL_MB`` and ``MESH_QUERY_MAX_ROWS``, else ``defaults``, else the
        class defaults.

        Raises:
            ValueError: a variable is set but not a positive number.
        """
        base = cls(**defaults)
        values: dict[str, Any] = {}
        for attr, var, kind in (("timeout_s", "MESH_QUERY_TIMEOUT_S", float),
                                ("memory_mb", "MESH_QUERY_MEMORY_MB", int),
                                ("spill_mb", "MESH_QUERY_SPILL_MB", int),
                                ("max_rows", "MESH_QUERY_MAX_ROWS", int)):
            raw = os.environ.get(var)
            if raw:
                value = kind(raw)
                if value <= 0:
                    raise ValueError(f"{var} must be a positive number, not {raw!r}")
                values[attr] = value
        return replace(base, **values)


SETTINGS = {"time": "MESH_QUERY_TIMEOUT_S", "memory": "MESH_QUERY_MEMORY_MB",
            "spill": "MESH_QUERY_SPILL_MB", "rows": "MESH_QUERY_MAX_ROWS"}
"""Limit → the environment variable that sets it."""


# -- checking SQL text --------------------------------------------------------------------------

_FILE_NAME = re.compile(r"[/\\*?~]|^\.|\.[A-Za-z0-9]{1,8}$|://")
"""A table name DuckDB would read as a file (``'data.csv'``, ``"/etc/passwd"``, a glob, a URL):
DuckDB's replacement scans turn such names into file reads, and sqlglot parses a quoted string
in ``FROM`` as a quoted table name, so the name itself is checked."""


def looks_like_a_file(name: str) -> bool:
    """Whether DuckDB would read a table named ``name`` as a file (see :data:`_FILE_NAME`)."""
    return bool(_FILE_NAME.search(name))


@functools.cache
def _duckdb_dialect() -> Any:
    """sqlglot's DuckDB dialect, made once (``sqlglot.parse(read=...)`` makes one per call)."""
    from sqlglot.dialects.dialect import Dialect

    return Dialect.get_or_raise("duckdb")


def check_select(sql: str, *, what: str = "The query") -> Any:
    """Parse an untrusted SQL text and accept only one read-only query.

    Args:
        sql: the text (a trailing ``;`` is ignored).
        what: how messages name the text ("The quality rule", "build.sql").

    Returns:
        The sqlglot syntax tree (an ``exp.Query``: SELECT, UNION, WITH … SELECT).

    Raises:
        SandboxRefused: empty, longer than :data:`MAX_SQL_CHARS`, does not parse, several
            statements, not a query (INSERT, COPY, ATTACH, PRAGMA, SET, …), calls a function of
            :data:`FILE_FUNCTIONS`, or reads a file path or a table function as a table.
    """
    import sqlglot  # 0.05 s to import; only untrusted SQL needs it
    from sqlglot import exp

    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SandboxRefused(f"{what} is empty; write one SELECT query.")
    if len(text) > MAX_SQL_CHARS:
        raise SandboxRefused(f"{what} is {len(text):,} characters long; the limit is "
                             f"{MAX_SQL_CHARS:,}.")
    try:
        statements = [s for s in _duckdb_dialect().parse(text) if s is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as err:
        raise SandboxRefused(f"{what} does not parse: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise SandboxRefused(f"{what} is nested too deeply to read.") from None
    if len(statements) != 1:
        raise SandboxRefused(f"{what} holds {len(statements)} statements; only a single "
                             "read-only SELECT query may run (no ';' between statements).")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise SandboxRefused(f"{what} is a {type(tree).__name__.upper()} statement; only a single "
                             "read-only SELECT query may run.")
    for func in tree.find_all(exp.Func):
        name = (func.name if isinstance(func, exp.Anonymous) else func.sql_name()).lower()
        if name in FILE_FUNCTIONS or type(func).__name__.startswith("Read"):
            raise SandboxRefused(f"{what} calls {name}(), which reads files, settings or "
                                 "the environment; read only the product's data.")
    for node in tree.walk():
        if isinstance(node, exp.Table) and (not isinstance(node.this, exp.Identifier)
                                            or looks_like_a_file(node.name)):
            raise SandboxRefused(f"{what} reads '{node.sql(dialect='duckdb')[:80]}' as a table; "
                                 "read tables by name, not files or table functions.")
        if isinstance(node, exp.Command | exp.Set | exp.Pragma):
            raise SandboxRefused(f"{what} contains a command; only one SELECT query may run.")
    return tree


# -- running SQL --------------------------------------------------------------------------------

def _remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


class Sandbox:
    """One confined DuckDB database (in memory, or a file inside the data folder).

    Use :meth:`cursor` for each unit of work on one thread, :meth:`execute` to run a statement
    under the time limit, and :meth:`close` (or ``with``) to end it and remove its spill folder.

    Args:
        data_dir: the only folder the database may read or write files in.
        limits: time, memory and spill limits.
        database: ``":memory:"`` or a database file inside ``data_dir`` (build output).
        prepare: called with the root connection before access is locked (e.g. to register
            source tables from Python); it is trusted code, never user SQL.

    Raises:
        SandboxRefused: ``database`` is outside the data folder.
    """

    def __init__(self, data_dir: Path, limits: Limits | None = None,
                 database: str | Path = ":memory:", prepare: Any = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.limits = limits or Limits()
        if str(database) != ":memory:":
            target = Path(database).resolve()
            if not target.is_relative_to(self.data_dir):
                raise SandboxRefused(f"The database {Path(database).name} is outside the data "
                                     "folder; databases are only written there.")
        self.spill_dir = self.data_dir / SPILL_FOLDER / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.spill_dir.mkdir(parents=True, exist_ok=True)
        self._finalizer = weakref.finalize(self, _remove_tree, self.spill_dir)
        config: dict[str, Any] = {
            "memory_limit": f"{self.limits.memory_mb}MB",
            "temp_directory": str(self.spill_dir),
            "max_temp_directory_size": f"{self.limits.spill_mb}MB",
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "python_enable_replacements": False,
        }
        if self.limits.threads:
            config["threads"] = self.limits.threads
        try:
            self.connection = duckdb.connect(str(database), config=config)
            if prepare is not None:
                prepare(self.connection)
            allowed = quote_list([str(self.data_dir) + os.sep])
            self.connection.execute(f"SET allowed_directories = {allowed}")
            self.connection.execute("SET enable_external_access = false")
            self.connection.execute("SET lock_configuration = true")
        except BaseException:
            self._finalizer()
            raise

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the sandbox database, for one unit of work on one thread."""
        return self.connection.cursor()

    def close(self) -> None:
        """Close the database and remove its spill folder (idempotent)."""
        try:
            self.connection.close()
        finally:
            self._finalizer()
            with contextlib.suppress(OSError):  # the shared parent, once no sandbox uses it
                self.spill_dir.parent.rmdir()

    @contextmanager
    def deadline(self, cursor: duckdb.DuckDBPyConnection,
                 seconds: float | None = None) -> Iterator[None]:
        """Interrupt ``cursor`` if the block runs longer than ``seconds`` (the time limit).

        Raises:
            LimitExceeded: the statement was interrupted by the time limit.
        """
        limit = self.limits.timeout_s if seconds is None else seconds
        fired = threading.Event()

        def _stop() -> None:
            fired.set()
            cursor.interrupt()

        timer = threading.Timer(limit, _stop)
        timer.daemon = True
        timer.start()
        try:
            yield
        except duckdb.InterruptException:
            if fired.is_set():
                raise LimitExceeded("time", SETTINGS["time"],
                                    f"The query was stopped after {limit:g} s, the time limit "
                                    f"(set {SETTINGS['time']} to change it).") from None
            raise
        finally:
            timer.cancel()

    def execute(self, cursor: duckdb.DuckDBPyConnection, sql: str,
                params: list[Any] | None = None, *,
                seconds: float | None = None) -> duckdb.DuckDBPyConnection:
        """Run one statement on ``cursor`` within the limits; returns the cursor.

        Args:
            cursor: from :meth:`cursor`.
            sql: the statement (checked with :func:`check_select` first when untrusted).
            params: bound parameters.
            seconds: the time limit for this statement (default: the sandbox's).

        Raises:
            LimitExceeded: time, memory or spill limit reached (the message names it).
            QueryFailed: DuckDB refused the statement (first line of its message; a refused
                file access without DuckDB's text).
        """
        try:
            with self.deadline(cursor, seconds):
                return cursor.execute(sql, params or [])
        except duckdb.Error as err:
            raise explain(err, self.limits) from None


def quote_list(items: list[str]) -> str:
    """A DuckDB list literal of strings: ``['a', 'b']``."""
    return "[" + ", ".join("'" + i.replace("'", "''") + "'" for i in items) + "]"


def explain(err: duckdb.Error, limits: Limits) -> CatalogError:
    """A DuckDB error as a :class:`LimitExceeded` or :class:`QueryFailed` a user can act on.

    Only the first line of DuckDB's message is kept; a permission error is replaced by a fixed
    sentence, so no message repeats what a refused file access named or read.
    """
    text = str(err)
    first = text.splitlines()[0] if text else type(err).__name__
    if isinstance(err, duckdb.PermissionException) or "Permission Error" in first:
        return QueryFailed("The query tried to reach a file, extension or setting outside the "
                           "data folder; that is not allowed.")
    if "max_temp_directory_size" in text or "temp_directory" in text:
        return LimitExceeded("spill", SETTINGS["spill"],
                             f"The query needed more than {limits.spill_mb:,} MB of disk to "
                             f"spill to, the spill limit (set {SETTINGS['spill']} to change it).")
    if isinstance(err, duckdb.OutOfMemoryException):
        return LimitExceeded("memory", SETTINGS["memory"],
                             f"The query needed more than {limits.memory_mb:,} MB of memory, the "
                             f"memory limit (set {SETTINGS['memory']} to change it).")
    if isinstance(err, duckdb.InterruptException):
        return QueryFailed("The query was interrupted.")
    return QueryFailed(first)
