"""Shared fixtures: a small fixture mesh (tests/fixtures) and the real demo mesh, built once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.build import build_mesh
from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.manifests.loader import load_mesh
from catalog.quality.backfill import current_runs, rebuild_history
from tests.browser import browser, page  # noqa: F401 - shared by every folder's browser tests
from tests.support import postgres

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_STANDARDS = REPO_ROOT.parent / "shared" / "standards"


@pytest.fixture()
def fixture_mesh(tmp_path: Path) -> Settings:
    """A private copy of the small fixture mesh (2 products on local CSV files) and its data."""
    root = tmp_path / "domains"
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mesh", root)
    shutil.copytree(FIXTURES / "data", data)
    return Settings(mesh_root=root, data_dir=data)


@pytest.fixture()
def fixture_catalog(fixture_mesh: Settings) -> Catalog:
    """A Catalog over the fixture mesh, re-checking manifests on every call."""
    return Catalog(fixture_mesh, recheck_seconds=0)


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The repository's demo mesh, built once per test session into a temporary data folder."""
    data = tmp_path_factory.mktemp("demo-data")
    settings = Settings(mesh_root=REPO_ROOT / "domains", data_dir=data)
    build_mesh(load_mesh(settings.mesh_root), data)
    return settings


@pytest.fixture(scope="session")
def demo_catalog(demo_settings: Settings) -> Catalog:
    """A Catalog over the built demo mesh."""
    return Catalog(demo_settings)


@pytest.fixture(scope="session")
def demo_history(demo_settings: Settings) -> int:
    """The demo mesh's quality history (month-end runs of 2013) then a current run of every
    product, stored in its operational store (``<data dir>/state.sqlite``) as ``python -m
    catalog build`` does; returns the history runs stored."""
    catalog = Catalog(demo_settings)
    stored = rebuild_history(catalog.engine, catalog.mesh(), catalog.store)
    current_runs(catalog.engine, catalog.mesh(), catalog.store)
    return stored


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a running PostgreSQL server (superuser, trust authentication).

    ``MESH_TEST_POSTGRES_URL`` when set (CI starts one server for the whole run), else a
    temporary cluster started for this test process from Debian's binaries. Without them the
    test is skipped, or fails when ``MESH_REQUIRE_POSTGRES=1`` (as in CI).
    """
    given = os.environ.get("MESH_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if postgres.binaries() is None:
        if os.environ.get("MESH_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (MESH_REQUIRE_POSTGRES=1) but not installed.")
        pytest.skip("PostgreSQL is not installed here (Debian package 'postgresql').")
    folder = Path(tempfile.mkdtemp(prefix="mesh-pg-"))
    try:
        yield postgres.start(folder)
    finally:
        postgres.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def fresh_postgres_url(postgres_url: str) -> str:
    """URL of a new, empty database on :func:`postgres_url`'s server, one per test."""
    return postgres.create_database(postgres_url, "t")


@pytest.fixture(scope="session")
def spark_env() -> Iterator[dict[str, str]]:
    """Environment of one local Spark session (``local[2]``) for the whole test process,
    started here once (10-20 s) and stopped at the end; Spark-served products in tests read
    through it. Skipped without Java 17, or fails when ``MESH_REQUIRE_SPARK=1`` (as in CI)."""
    from catalog.engines.spark import java_home, spark_session, stop_sessions

    env = {**os.environ, "MESH_SPARK_MASTER": "local[2]",
           "MESH_SPARK_WAREHOUSE": tempfile.mkdtemp(prefix="mesh-spark-wh-")}
    env.pop("MESH_SPARK_REMOTE", None)
    if java_home(env) is None:
        if os.environ.get("MESH_REQUIRE_SPARK") == "1":
            pytest.fail("Java 17 is required (MESH_REQUIRE_SPARK=1) but not installed.")
        pytest.skip("Java 17 is not installed here (Debian package 'openjdk-17-jre-headless').")
    spark_session(env)
    try:
        yield env
    finally:
        stop_sessions()
        shutil.rmtree(env["MESH_SPARK_WAREHOUSE"], ignore_errors=True)
