"""The same product served by DuckDB, PostgreSQL and Spark reads, extracts, profiles and checks
alike, each on its own engine, within the sandbox's limits (real engines, no mocks)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from open_data_contract_standard.model import Server

from catalog.engine import Engine
from catalog.engines.dialect import Untranslatable
from catalog.extracts import ExtractRequest, FilterOp, RowFilter
from catalog.quality.runner import run_product
from catalog.registration.profile import profile_located
from catalog.sandbox import LimitExceeded, Limits, QueryFailed, SandboxRefused
from catalog.sql import quote_literal
from tests.catalog.engines.conftest import ENGINES, Served

NOW = dt.datetime(2014, 1, 15, 12, 0)
"""The clock every run is measured at (freshness and retention ages)."""


def test_each_copy_is_read_by_its_own_engine(served: Served) -> None:
    engines = {name: served.engine.locate(served.port(name)).server.engine for name in ENGINES}
    assert engines == {"flights": "DuckDB", "flights_pg": "PostgreSQL",
                       "flights_spark": "Spark"}
    pg = served.engine.locate(served.port("flights_pg"))
    assert pg.relation == '"operations"."flights"'
    assert "flights-pg" in pg.server.label and "schema operations" in pg.server.label


def test_same_verdicts_and_observed_values_on_every_engine(served: Served) -> None:
    runs = {name: run_product(served.engine, served.mesh.products[f"operations.{name}"],
                              trigger="cli", now=NOW) for name in ENGINES}
    reference = {r.check.id: r for r in runs["flights"].results}
    assert len(reference) >= 15
    assert {str(r.status) for r in reference.values()} >= {"passed", "warning"}
    for name in ENGINES[1:]:
        got = {r.check.id: r for r in runs[name].results}
        assert got.keys() == reference.keys()
        for check_id, ref in reference.items():
            mine = got[check_id]
            assert str(mine.status) == str(ref.status), (name, check_id, mine.message)
            assert mine.failing_rows == ref.failing_rows, (name, check_id)
            if ref.observed is None:
                assert mine.observed is None, (name, check_id)
            else:
                assert mine.observed == pytest.approx(ref.observed, rel=1e-9), (name, check_id)
        assert runs[name].score.value == runs["flights"].score.value


def test_failing_rows_are_sampled_on_every_engine(served: Served) -> None:
    for name in ENGINES:
        run = run_product(served.engine, served.mesh.products[f"operations.{name}"],
                          trigger="cli", now=NOW)
        failed = [r for r in run.results if r.failing_rows and r.status != "passed"]
        assert failed and all(r.sample for r in failed), name


def test_preview_per_engine(served: Served) -> None:
    frames = {name: served.engine.preview(served.port(name), 5) for name in ENGINES}
    columns = list(frames["flights"].columns)
    for name, frame in frames.items():
        assert list(frame.columns) == columns and len(frame) == 5, name
    masked = served.engine.preview(served.port("flights_pg"), 3, masked=["tailnum"])
    assert set(masked["tailnum"]) == {"••••"}
    masked = served.engine.preview(served.port("flights_spark"), 3, masked=["tailnum"])
    assert set(masked["tailnum"]) == {"••••"}


def test_columns_have_the_same_types_on_every_engine(served: Served) -> None:
    types = {name: [(c.name, c.type) for c in served.engine.columns(served.port(name))]
             for name in ENGINES}
    assert types["flights_pg"] == types["flights"]
    names = [c for c, _ in types["flights"]]
    assert [c for c, _ in types["flights_spark"]] == names
    spark = dict(types["flights_spark"])
    assert spark["flight_date"] == "DATE" and spark["carrier"] == "VARCHAR"
    assert spark["time_hour"].startswith("TIMESTAMP")


FILTERED = ExtractRequest(
    columns=("flight_date", "carrier", "flight", "origin", "dest", "dep_delay", "time_hour"),
    filters=(RowFilter("carrier", FilterOp.EQUALS, "UA"),
             RowFilter("dep_delay", FilterOp.GREATER, "60"),
             RowFilter("dest", FilterOp.CONTAINS, "a")))


def test_counts_with_filters_per_engine(served: Served) -> None:
    counts = {name: served.engine.row_count(served.port(name), FILTERED) for name in ENGINES}
    assert len(set(counts.values())) == 1 and counts["flights"] > 1000, counts
    total = {name: served.engine.row_count(served.port(name)) for name in ENGINES}
    assert set(total.values()) == {336_776}


def _rows(path: Path, fmt: str) -> list[tuple[object, ...]]:
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    return sorted(duckdb.sql(f"SELECT * FROM {reader}({quote_literal(str(path))})").fetchall(),
                  key=repr)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_extracts_per_engine(served: Served, tmp_path: Path, fmt: str) -> None:
    out = {}
    for name in ENGINES:
        target = tmp_path / f"{name}.{fmt}"
        rows = served.engine.write_extract(served.port(name), FILTERED, target, fmt=fmt)
        out[name] = (rows, _rows(target, fmt))
    reference = out["flights"]
    assert reference[0] == len(reference[1]) > 1000
    for name in ENGINES[1:]:
        assert out[name][0] == reference[0], name
        assert out[name][1] == reference[1], name


def test_booleans_read_true_or_false_in_every_engines_csv(served: Served, tmp_path: Path
                                                          ) -> None:
    request = ExtractRequest(columns=("flight", "is_cancelled"),
                             filters=(RowFilter("carrier", FilterOp.EQUALS, "UA"),))
    cells = {}
    for name in ENGINES:
        target = tmp_path / f"{name}.csv"
        served.engine.write_extract(served.port(name), request, target, fmt="csv")
        lines = target.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "flight,is_cancelled", name
        cells[name] = sorted(line.split(",")[1] for line in lines[1:])
    assert set(cells["flights"]) == {"true", "false"}
    for name in ENGINES[1:]:
        assert cells[name] == cells["flights"], name


def test_extract_caps_and_masks_per_engine(served: Served, tmp_path: Path) -> None:
    for name in ENGINES:
        target = tmp_path / f"{name}.csv"
        rows = served.engine.write_extract(served.port(name), ExtractRequest(limit=50), target,
                                           masked=["tailnum"], max_rows=7)
        lines = target.read_text(encoding="utf-8").splitlines()
        assert rows == 7 and len(lines) == 8, name
        header = lines[0].split(",")
        assert {line.split(",")[header.index("tailnum")] for line in lines[1:]} == {"••••"}


def test_profile_per_engine(served: Served) -> None:
    profiles = {name: profile_located(served.engine.locate(served.port(name)))
                for name in ENGINES}
    reference = profiles["flights"]
    assert reference.rows == 336_776
    for name in ENGINES[1:]:
        got = profiles[name]
        assert got.rows == reference.rows, name
        for col in reference.columns:
            mine = got.column(col.name)
            assert mine.nulls == col.nulls, (name, col.name)
            if col.logical_type in {"integer", "number", "string", "date"}:
                assert str(mine.minimum) == str(col.minimum), (name, col.name)
                assert str(mine.maximum) == str(col.maximum), (name, col.name)
            assert mine.values == col.values, (name, col.name)
            if mine.distinct_exact and col.distinct_exact:
                assert mine.distinct == col.distinct, (name, col.name)
            else:  # DuckDB and Spark estimate (HyperLogLog), PostgreSQL counts exactly
                assert mine.distinct == pytest.approx(col.distinct, rel=0.2), (name, col.name)


def test_a_catalog_table_served_by_spark(served: Served) -> None:
    spark = served.engine.locate(served.port("flights_spark")).adapter
    session = spark.session  # type: ignore[attr-defined]
    path = served.settings.data_dir / "spark" / "flights.parquet"
    session.sql("CREATE DATABASE IF NOT EXISTS mesh_test")
    session.sql(f"CREATE TABLE IF NOT EXISTS mesh_test.flights USING parquet "
                f"LOCATION {quote_literal(str(path))}")
    server = Server(server="lakehouse", type="databricks", host="dbc-1.cloud.example",
                    catalog="spark_catalog", schema="mesh_test")
    located = served.engine.resolver.locate_server(server, "flights")
    assert located.relation == '"spark_catalog"."mesh_test"."flights"'
    assert located.adapter.fetch_one(f"SELECT count(*) FROM {located.relation}") == (336_776,)


# -- limits on every engine ----------------------------------------------------------------

def _slow(relation: str) -> str:
    return (f"SELECT count(*) FROM {relation} AS a JOIN {relation} AS b "
            "ON a.dest = b.dest AND a.carrier <> b.carrier")


@pytest.mark.parametrize("name", ["flights_pg", "flights_spark"])
def test_time_limit_stops_a_query(served: Served, name: str) -> None:
    engine = Engine(served.settings.data_dir, limits=Limits(timeout_s=1.5), env=served.env)
    try:
        located = engine.locate(served.port(name))
        started = dt.datetime.now()
        with pytest.raises(LimitExceeded) as err:
            located.adapter.fetch_one(_slow(located.relation))
        assert err.value.limit == "time"
        assert (dt.datetime.now() - started).total_seconds() < 30
        # the engine still answers after the cancellation (with the usual limit: under load a
        # full count can take longer than 1.5 s on Spark)
        again = served.engine.locate(served.port(name))
        assert again.adapter.fetch_one(f"SELECT count(*) FROM {again.relation}") == (336_776,)
    finally:
        engine.close()


@pytest.mark.parametrize("name", ENGINES)
def test_row_caps_and_one_statement(served: Served, name: str) -> None:
    located = served.engine.locate(served.port(name))
    rows = located.adapter.fetch(f"SELECT carrier FROM {located.relation}", max_rows=3)
    assert len(rows) == 3
    capped = dataclasses.replace(served.engine.limits, max_rows=4)
    engine = Engine(served.settings.data_dir, limits=capped, env=served.env)
    try:
        again = engine.locate(served.port(name))
        assert len(again.adapter.fetch(f"SELECT carrier FROM {again.relation}")) == 4
    finally:
        engine.close()
    with pytest.raises((SandboxRefused, QueryFailed)):
        located.adapter.fetch(f"SELECT 1 FROM {located.relation}; DROP TABLE x")


def test_postgres_transactions_are_read_only(served: Served) -> None:
    import psycopg

    located = served.engine.locate(served.port("flights_pg"))
    with pytest.raises(QueryFailed):
        located.adapter.fetch_one("WITH gone AS (DELETE FROM operations.flights RETURNING 1) "
                                  "SELECT count(*) FROM gone")
    adapter = located.adapter
    with adapter.connection() as conn, pytest.raises(  # type: ignore[attr-defined]
            psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("CREATE TABLE operations.written (a int)")
    with pytest.raises(SandboxRefused):
        located.adapter.fetch_one("SELECT pg_read_file('/etc/hostname')")
    assert located.adapter.fetch_one(f"SELECT count(*) FROM {located.relation}") == (336_776,)


def test_regex_only_duckdb_reads_is_refused_not_mistranslated(served: Served) -> None:
    located = served.engine.locate(served.port("flights_pg"))
    with pytest.raises(Untranslatable):
        located.adapter.fetch_one(
            f"SELECT count(*) FROM {located.relation} "
            "WHERE regexp_matches(carrier, '^\\p{Lu}+$')")
