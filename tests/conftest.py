"""Shared fixtures: a small fixture mesh (tests/fixtures) and the real demo mesh, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog.build import build_mesh
from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.manifests.loader import load_mesh
from catalog.quality.backfill import rebuild_history
from tests.browser import browser, page  # noqa: F401 - shared by every folder's browser tests

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
    """The demo mesh's quality history (month-end runs of 2013), stored in its operational store
    (``<data dir>/state.sqlite``) as ``python -m catalog build`` does; returns the runs stored."""
    catalog = Catalog(demo_settings)
    return rebuild_history(catalog.engine, catalog.mesh(), catalog.store)
