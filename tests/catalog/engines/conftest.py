"""The demo's operations.flights served three ways: DuckDB, PostgreSQL and Spark.

One temporary mesh (domain ``operations``) holds three copies of the real flights product,
identical but for their contract's ``servers`` entry:

* ``operations.flights``: the DuckDB file the demo build writes (``mesh.duckdb``);
* ``operations.flights_pg``: a PostgreSQL table loaded with COPY from that file;
* ``operations.flights_spark``: the same rows as a Parquet file, read by a local Spark.

Built once per test session (the PostgreSQL load and the Spark session are the slow parts).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from catalog.config import REPO_ROOT, Settings
from catalog.engine import Engine
from catalog.engines.loading import load_into_postgres
from catalog.manifests.loader import load_mesh
from catalog.mesh import Mesh
from catalog.sandbox import Limits
from catalog.sql import quote_literal
from tests.support import postgres

FLIGHTS = REPO_ROOT / "domains" / "operations" / "flights"
SERVERS = {
    "flights": "  - {server: local, type: duckdb, database: mesh.duckdb, schema: operations}",
    "flights_pg": "  - {server: flights-pg, type: postgres, host: localhost, port: 5432, "
                  "database: mesh, schema: operations}",
    "flights_spark": "  - {server: flights-spark, type: custom, format: parquet, "
                     "path: spark/flights.parquet, customProperties: "
                     "[{property: engine, value: spark}]}",
}
"""Product name → its contract's one server entry."""


def copy_product(root: Path, name: str, server_line: str, source: Path = FLIGHTS) -> None:
    """A copy of the demo product in ``source`` (default operations.flights) named ``name``
    in the same domain under ``root``, served by ``server_line`` (its contract's only server
    entry)."""
    domain, base = source.parent.name, source.name
    folder = root / domain / name
    folder.mkdir(parents=True)
    odps = (source / "product.odps.yaml").read_text(encoding="utf-8")
    odcs = (source / f"{base}.odcs.yaml").read_text(encoding="utf-8")
    if name != base:
        odps = re.sub(rf"^id: {domain}\.{base}$", f"id: {domain}.{name}", odps, flags=re.M)
        odps = re.sub(rf"^name: {base}$", f"name: {name}", odps, flags=re.M)
        odps = odps.replace(f"{domain}.{base}.{base}", f"{domain}.{name}.{base}")
        odcs = odcs.replace(f"id: {domain}.{base}.{base}", f"id: {domain}.{name}.{base}")
        odcs = re.sub(rf"^dataProduct: {base}$", f"dataProduct: {name}", odcs, flags=re.M)
    odcs = re.sub(r"^servers:\n(  - .*\n)+", f"servers:\n{server_line}\n", odcs, flags=re.M)
    (folder / "product.odps.yaml").write_text(odps, encoding="utf-8")
    (folder / f"{base}.odcs.yaml").write_text(odcs, encoding="utf-8")


@dataclass
class Served:
    """The three-engine mesh: its settings, mesh, environment, engine and PostgreSQL URL."""

    settings: Settings
    mesh: Mesh
    env: dict[str, str]
    engine: Engine
    pg_url: str

    def port(self, product: str):  # type: ignore[no-untyped-def]
        """The flights port of ``operations.<product>``."""
        return self.mesh.products[f"operations.{product}"].port(None)


@pytest.fixture(scope="session")
def served(demo_settings: Settings, postgres_url: str, spark_env: dict[str, str],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """operations.flights on DuckDB, PostgreSQL and Spark (see the module docstring)."""
    base = tmp_path_factory.mktemp("engines")
    root, data = base / "domains", base / "data"
    (root / "operations").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "domains" / "operations" / "domain.yaml", root / "operations")
    for name, line in SERVERS.items():
        copy_product(root, name, line)
    data.mkdir()
    shutil.copy(demo_settings.data_dir / "mesh.duckdb", data / "mesh.duckdb")
    (data / "spark").mkdir()
    con = duckdb.connect(str(data / "mesh.duckdb"), read_only=True)
    try:
        con.execute("COPY operations.flights TO "
                    f"{quote_literal(str(data / 'spark' / 'flights.parquet'))} (FORMAT parquet)")
    finally:
        con.close()
    pg_url = postgres.create_database(postgres_url, "e")
    load_into_postgres("src.operations.flights", pg_url, "operations", "flights",
                       attach={"src": data / "mesh.duckdb"}, scratch=base)
    env = {**spark_env, "MESH_PG_URL_FLIGHTS_PG": pg_url}
    engine = Engine(data, limits=Limits(timeout_s=300, memory_mb=512), env=env)
    try:
        yield Served(Settings(mesh_root=root, data_dir=data), load_mesh(root), env, engine,
                     pg_url)
    finally:
        engine.close()


ENGINES = ("flights", "flights_pg", "flights_spark")
"""The three products, DuckDB first."""
