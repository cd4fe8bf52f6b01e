"""Spark Connect, the deployment option for Spark (``MESH_SPARK_REMOTE``): a product read
through a Spark Connect server gets the same verdicts as on DuckDB. The server is a local one
(PySpark's bundled Connect plugin in a JVM of its own, see ``spark_connect.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.engine import Engine
from catalog.engines.spark import spark_target, stop_session
from catalog.quality.runner import run_product
from catalog.sandbox import Limits
from tests.catalog.engines.conftest import Served
from tests.catalog.engines.spark_connect import connect_missing, connect_server, java_env
from tests.catalog.engines.test_engines import NOW


@pytest.fixture(scope="module")
def connect_url(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a local Spark Connect server for this module."""
    missing = connect_missing()
    if missing:
        if os.environ.get("MESH_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark Connect is required (MESH_REQUIRE_SPARK=1): {missing}.")
        pytest.skip(missing)
    folder: Path = tmp_path_factory.mktemp("spark-connect")
    with connect_server(java_env(served.env), folder) as url:
        yield url


def test_verdicts_through_spark_connect_agree_with_duckdb(served: Served, connect_url: str) -> None:
    env = {**served.env, "MESH_SPARK_REMOTE": connect_url}
    assert spark_target(env) == f"remote:{connect_url}"
    engine = Engine(served.settings.data_dir, limits=Limits(timeout_s=300, memory_mb=512), env=env)
    try:
        located = engine.locate(served.port("flights_spark"))
        assert located.server.engine == "Spark" and connect_url in located.server.label
        assert located.adapter.fetch_one(f"SELECT count(*) FROM {located.relation}") == (336_776,)
        remote = run_product(
            engine, served.mesh.products["operations.flights_spark"], trigger="cli", now=NOW
        )
    finally:
        engine.close()
        stop_session(env)  # while its server still runs
    local = run_product(
        served.engine, served.mesh.products["operations.flights"], trigger="cli", now=NOW
    )
    reference = {r.check.id: r for r in local.results}
    got = {r.check.id: r for r in remote.results}
    assert got.keys() == reference.keys() and len(reference) >= 15
    for check_id, ref in reference.items():
        mine = got[check_id]
        assert str(mine.status) == str(ref.status), (check_id, mine.message)
        assert mine.failing_rows == ref.failing_rows, check_id
        if ref.observed is not None:
            assert mine.observed == pytest.approx(ref.observed, rel=1e-9), check_id
    assert remote.score.value == local.score.value
