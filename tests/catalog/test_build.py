"""Building the demo mesh: dependency order, contracts enforced, lineage enforced, atomic."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from catalog.build import build_mesh, plan, referenced_tables
from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.errors import BuildError
from catalog.manifests.loader import load_mesh
from catalog.models.principal import LOCAL_USER


def test_every_demo_product_is_built(demo_catalog: Catalog) -> None:
    for pid in demo_catalog.mesh().products:
        assert demo_catalog.row_count(LOCAL_USER, pid) > 0, pid
    assert demo_catalog.row_count(LOCAL_USER, "operations.flights") == 336_776


def test_real_data_genuinely_breaks_some_promises(demo_catalog: Catalog) -> None:
    cur = demo_catalog.engine.cursor()
    flights = demo_catalog.engine.relation(demo_catalog.product(LOCAL_USER,
                                                                "operations.flights").port())
    planes = demo_catalog.engine.relation(demo_catalog.product(LOCAL_USER,
                                                               "fleet.aircraft").port())
    assert cur.execute(f"SELECT count(*) FROM {flights} WHERE dep_time IS NULL"
                       ).fetchone()[0] == 8_255  # cancelled flights
    assert cur.execute(f"SELECT count(*) FROM {planes} WHERE year IS NULL").fetchone()[0] == 70


def test_upstream_is_built_first() -> None:
    mesh = load_mesh(REPO_ROOT / "domains")
    targets, _ = plan(mesh, Path("/tmp"))
    order = [t.product.id for t in targets]
    for pid in order:
        for upstream in mesh.upstream(pid):
            assert order.index(upstream) < order.index(pid), (upstream, pid)


def test_sqlglot_reads_tables_not_ctes() -> None:
    sql = "WITH x AS (SELECT * FROM operations.flights) SELECT * FROM x JOIN reference.airlines"
    assert referenced_tables(sql) == {("operations", "flights"), ("reference", "airlines")}


@pytest.fixture()
def demo_copy(tmp_path: Path) -> Settings:
    root = tmp_path / "domains"
    shutil.copytree(REPO_ROOT / "domains", root)
    return Settings(mesh_root=root, data_dir=tmp_path / "data")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_build_leaves_previous_file_intact(demo_copy: Settings) -> None:
    build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    database = demo_copy.data_dir / "mesh.duckdb"
    before = _digest(database)
    sql = demo_copy.mesh_root / "weather/daily_conditions/build.sql"
    sql.write_text("SELECT no_such_column FROM weather.hourly_observations")
    with pytest.raises(BuildError, match="weather.daily_conditions"):
        build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    assert _digest(database) == before
    assert sorted(p.name for p in demo_copy.data_dir.iterdir()) == ["mesh.duckdb"]


def test_build_is_idempotent(demo_copy: Settings) -> None:
    first = build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    second = build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    assert [(t.table, t.rows) for t in first.tables] == [(t.table, t.rows) for t in second.tables]


def test_undeclared_input_is_refused(demo_copy: Settings) -> None:
    sql = demo_copy.mesh_root / "weather/daily_conditions/build.sql"
    sql.write_text("SELECT * FROM (" + sql.read_text() + ") d "
                   "WHERE EXISTS (SELECT 1 FROM operations.flights)")
    with pytest.raises(BuildError, match="declares no input port"):
        build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)


def test_table_must_match_its_contract(demo_copy: Settings) -> None:
    contract = demo_copy.mesh_root / "reference/airlines/airlines.odcs.yaml"
    contract.write_text(contract.read_text().replace("physicalType: VARCHAR",
                                                     "physicalType: INTEGER", 1))
    with pytest.raises(BuildError, match="does not match its contract"):
        build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
