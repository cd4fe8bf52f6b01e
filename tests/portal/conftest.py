"""Fixtures of the portal tests: the portal pointed at the built demo mesh, per test module.

The demo mesh is built once per session by ``tests/conftest.py`` (``demo_settings``); each test
module points ``MESH_ROOT`` and ``MESH_DATA_DIR`` at it and restores the environment after.
The portal keys its cached catalog on these settings, so a module using another mesh (e.g. a
copy with a broken manifest) gets its own catalog.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog.config import Settings
from tests.portal.pagetest import MeshDirs, use_mesh


@pytest.fixture(scope="session")
def demo_mesh(demo_settings: Settings) -> MeshDirs:
    """The built demo mesh (manifest root and data folder)."""
    return MeshDirs(demo_settings.mesh_root, demo_settings.data_dir)


@pytest.fixture(scope="module")
def demo_env(demo_mesh: MeshDirs) -> Iterator[MeshDirs]:
    """The demo mesh as the portal's mesh for one test module."""
    with use_mesh(demo_mesh):
        yield demo_mesh
