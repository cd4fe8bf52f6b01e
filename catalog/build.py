"""Build the mesh's data: run each product's build SQL into its DuckDB file, upstream first.

A product's build code is ``build.sql`` (its first output port) or ``<port>.sql`` beside its
manifest: one SELECT over source catalogs (:mod:`catalog.sources`) and over other products'
tables, referenced as ``<schema>.<table>`` of their contract's ``duckdb`` server. sqlglot reads
the tables a query uses; reading a product that is not declared as an input port is refused, so
lineage in the manifests is always what the code does.

Build code is untrusted input: it must be exactly one read-only SELECT
(:func:`catalog.sandbox.check_select`) and runs in a :class:`catalog.sandbox.Sandbox` writing
only the target database, which must lie inside the data folder; the sandbox's time, memory
and spill limits hold.

The build is idempotent and atomic: everything is written into a temporary file next to the
target, checked against the contracts (column names and types), then renamed over the target
with ``os.replace``. A failed build removes the temporary file and leaves the previous one.
"""

from __future__ import annotations

import graphlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from open_data_contract_standard.model import Server
from sqlglot import exp

from catalog.confine import PathRefused, confined, read_regular_file
from catalog.engines.resolver import first_server
from catalog.errors import BuildError, CatalogError
from catalog.mesh import DataProduct, Mesh, OutputPortView
from catalog.sandbox import Limits, Sandbox, SandboxRefused, check_select
from catalog.sources import SOURCES
from catalog.sql import quote_identifier

logger = logging.getLogger(__name__)

Reporter = Callable[[str], None]


@dataclass
class BuiltTable:
    """One table written by the build: product, port, ``schema.table``, rows, seconds."""

    product_id: str
    port: str
    table: str
    rows: int
    seconds: float


@dataclass
class BuildReport:
    """What a build wrote, per database file."""

    databases: list[Path] = field(default_factory=list)
    tables: list[BuiltTable] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    product: DataProduct
    port: OutputPortView
    database: Path
    schema: str
    table: str
    sql: str


def _duckdb_server(port: OutputPortView) -> Server | None:
    """The port contract's first ``duckdb`` server entry (the one the build writes), if any."""
    contract = port.contract
    return first_server(contract.servers, ("duckdb",)) if contract else None


MAX_BUILD_SQL_BYTES = 256 * 1024
"""Largest build SQL file read (bytes)."""


def build_sql_file(product: DataProduct, port: OutputPortView, first: bool) -> Path | None:
    """The build code file of a port: ``<port>.sql``, or ``build.sql`` for the first port."""
    for candidate in (product.directory / f"{port.name}.sql", product.directory / "build.sql"):
        if os.path.lexists(candidate) and (first or candidate.name != "build.sql"):
            return candidate
    return None


def read_build_sql(file: Path, mesh_root: Path) -> str:
    """The text of a build SQL file, read only if it is a regular file inside the mesh.

    Raises:
        BuildError: the file leaves the mesh folder, is not a regular file, is larger than
            :data:`MAX_BUILD_SQL_BYTES` or is not UTF-8.
    """
    try:
        raw = read_regular_file(file, mesh_root, MAX_BUILD_SQL_BYTES)
        return raw.decode("utf-8").strip().rstrip(";")
    except PathRefused as err:
        raise BuildError(str(err)) from None
    except UnicodeDecodeError:
        raise BuildError(f"{file.name} is not UTF-8 text; save it as UTF-8.") from None


def _build_sql(product: DataProduct, port: OutputPortView, first: bool, mesh_root: Path
               ) -> str | None:
    file = build_sql_file(product, port, first)
    return None if file is None else read_build_sql(file, mesh_root)


def target_database(raw: str, data_dir: Path, product_id: str) -> Path:
    """Where a contract's ``servers[].database`` lives, confined to the data folder.

    Raises:
        BuildError: the path leaves the data folder (directly, by ``..`` or a symbolic link).
    """
    try:
        return confined(raw, data_dir, what="database")
    except PathRefused:
        raise BuildError(f"{product_id}: the contract's server database '{raw}' is outside the "
                         "data folder; data is only written there. Use a path relative to "
                         "the data folder.") from None


def plan(mesh: Mesh, data_dir: Path) -> tuple[list[_Target], list[str]]:
    """Targets in dependency order (upstream first) and the ids of products with no build code.

    Raises:
        BuildError: a dependency cycle between products.
    """
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for pid in mesh.products:
        sorter.add(pid, *mesh.upstream(pid))
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as err:
        raise BuildError(f"Products depend on each other in a cycle: {err.args[1]}") from None
    targets, skipped = [], []
    for pid in order:
        product = mesh.products[pid]
        built_any = False
        for index, port in enumerate(product.output_ports):
            sql = _build_sql(product, port, index == 0, mesh.root)
            server = _duckdb_server(port)
            objects = port.schema_objects()
            if sql is None or server is None or not server.database or not objects:
                continue
            database = target_database(server.database, data_dir, product.id)
            table = objects[0].physicalName or objects[0].name or port.name
            targets.append(_Target(product, port, database, server.schema_ or "main",
                                   table, sql))
            built_any = True
        if not built_any:
            skipped.append(pid)
    return targets, skipped


def referenced_tables(sql: str) -> set[tuple[str, str]]:
    """``(catalog_or_schema, table)`` pairs a SELECT reads, via sqlglot's DuckDB dialect.

    CTE names are excluded.

    Raises:
        BuildError: the SQL is not exactly one read-only SELECT the sandbox accepts
            (:func:`catalog.sandbox.check_select`).
    """
    try:
        tree = check_select(sql, what="The build SQL")
    except SandboxRefused as err:
        raise BuildError(str(err)) from None
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    out = set()
    for table in tree.find_all(exp.Table):
        if table.name in ctes and not table.db:
            continue
        out.add((table.catalog or table.db, table.name))
    return out


def _table_producers(mesh: Mesh) -> dict[tuple[str, str], str]:
    """``(schema, table)`` of every duckdb-served schema object → id of the producing product."""
    out: dict[tuple[str, str], str] = {}
    for pid, product in mesh.products.items():
        for port in product.output_ports:
            server = _duckdb_server(port)
            if server is None:
                continue
            for obj in port.schema_objects():
                out[(server.schema_ or "main", obj.physicalName or obj.name or "")] = pid
    return out


def _check_lineage(mesh: Mesh, target: _Target, tables: set[tuple[str, str]],
                   producers: dict[tuple[str, str], str]) -> set[str]:
    """Sources used by the SQL; refuse reads of undeclared products.

    Raises:
        BuildError: the SQL reads an unknown table or a product not declared as input port.
    """
    upstream = set(mesh.upstream(target.product.id))
    sources = set()
    for qualifier, name in tables:
        if qualifier in SOURCES:
            sources.add(qualifier)
            continue
        producer = producers.get((qualifier, name))
        if producer is None:
            raise BuildError(f"{target.product.id}: build SQL reads '{qualifier}.{name}', which "
                             "is neither a source nor a product table of the mesh.")
        if producer not in upstream:
            raise BuildError(f"{target.product.id}: build SQL reads {producer} "
                             f"('{qualifier}.{name}') but the product declares no input port "
                             "for it; add one to product.odps.yaml.")
    return sources


def _check_contract(con: duckdb.DuckDBPyConnection, target: _Target, qualified: str) -> None:
    actual = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {qualified}").fetchall()]
    object_name = target.port.schema_objects()[0].name
    promised = [(p.name, (p.physical_type or "").upper())
                for p in target.port.properties() if p.object_name == object_name]
    if actual != promised:
        diff = [f"{a} ≠ {p}" for a, p in zip(actual, promised, strict=False) if a != p]
        raise BuildError(
            f"{target.product.id}: the built table does not match its contract's schema "
            f"(name, physicalType): {', '.join(diff[:5]) or 'different number of columns'} "
            f"(built {len(actual)} columns, contract {len(promised)})."
        )


def build_mesh(mesh: Mesh, data_dir: Path, report: Reporter | None = None,
               limits: Limits | None = None) -> BuildReport:
    """Build every product with build code into its DuckDB file, atomically per file.

    Args:
        mesh: the loaded mesh.
        data_dir: folder relative database paths resolve against (created if missing); the
            only folder the build reads or writes.
        report: called with one progress line per step (the CLI prints them).
        limits: the sandbox limits each build statement runs under (default: from the
            environment, :meth:`Limits.from_env`).

    Returns:
        What was written.

    Raises:
        BuildError: SQL refused or failed, a limit reached, undeclared input, a database
            outside the data folder, or a table that breaks its contract; the previous
            database files are left as they were.
    """
    say = report or (lambda line: logger.info("%s", line))
    data_dir.mkdir(parents=True, exist_ok=True)
    targets, skipped = plan(mesh, data_dir)
    result = BuildReport(skipped=skipped)
    for database in dict.fromkeys(t.database for t in targets):
        _build_database(mesh, data_dir, database, [t for t in targets if t.database == database],
                        result, say, limits or Limits.from_env())
    return result


def _build_database(mesh: Mesh, data_dir: Path, database: Path, targets: list[_Target],
                    result: BuildReport, say: Reporter, limits: Limits) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    tmp = database.with_name(f".{database.name}.building-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    needed: set[str] = set()
    producers = _table_producers(mesh)
    for target in targets:
        needed |= _check_lineage(mesh, target, referenced_tables(target.sql), producers)

    def _load_sources(con: duckdb.DuckDBPyConnection) -> None:
        for source in sorted(needed):
            say(f"loading source {source}")
            SOURCES[source](con)

    try:
        with Sandbox(data_dir, limits, database=tmp, prepare=_load_sources) as box:
            con = box.connection
            for target in targets:
                started = time.perf_counter()
                qualified = f"{quote_identifier(target.schema)}.{quote_identifier(target.table)}"
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(target.schema)}")
                try:
                    box.execute(con, f"CREATE TABLE {qualified} AS {target.sql}")
                except CatalogError as err:
                    raise BuildError(f"{target.product.id}: build SQL failed: {err}") from None
                _check_contract(con, target, qualified)
                row = con.execute(f"SELECT count(*) FROM {qualified}").fetchone()
                rows = int(row[0]) if row else 0
                seconds = time.perf_counter() - started
                result.tables.append(BuiltTable(target.product.id, target.port.name,
                                                f"{target.schema}.{target.table}", rows, seconds))
                say(f"built {target.product.id} → {target.schema}.{target.table}: "
                    f"{rows:,} rows in {seconds:.2f} s")
            con.execute("CHECKPOINT")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, database)
        result.databases.append(database)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
