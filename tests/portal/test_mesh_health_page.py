"""Mesh health page: all clear on the demo mesh; a broken manifest is listed with its place."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from portal import routes
from tests.portal.pagetest import (
    MeshDirs,
    assert_clean,
    copy_manifests,
    open_page,
    texts,
    use_mesh,
)


@pytest.fixture(scope="module")
def broken_mesh(demo_mesh: MeshDirs, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[MeshDirs]:
    """The demo mesh with the airlines product's status made a number (a schema error)."""
    root = copy_manifests(tmp_path_factory.mktemp("broken-mesh") / "domains")
    manifest = root / "reference" / "airlines" / "product.odps.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "status: active" in text
    manifest.write_text(text.replace("status: active", "status: 42", 1), encoding="utf-8")
    mesh = MeshDirs(root, demo_mesh.data)
    with use_mesh(mesh):
        yield mesh


def test_demo_mesh_is_all_clear(demo_env: MeshDirs) -> None:
    at = open_page(routes.MESH_HEALTH)
    assert_clean(at)
    assert at.title[0].value == "Mesh health"
    assert at.success and "All manifests are valid" in at.success[0].value
    assert not at.code


def test_broken_manifest_is_listed_as_an_error(broken_mesh: MeshDirs) -> None:
    at = open_page(routes.MESH_HEALTH)
    assert_clean(at)
    assert not at.success
    assert any(s.value.startswith("Errors (") for s in at.subheader)
    listing = at.code[0].value
    assert re.search(r"reference/airlines/product\.odps\.yaml:\d+: status: ", listing), listing


def test_home_warns_and_links_to_mesh_health(broken_mesh: MeshDirs) -> None:
    at = open_page()
    assert_clean(at)
    assert at.warning and "error" in at.warning[0].value
    assert any(link.proto.page.endswith("mesh-health") for link in at.page_link), [
        (link.value, link.proto.page) for link in at.page_link]
    assert "Reference data" in texts(at)


def test_product_of_the_broken_manifest_points_to_mesh_health(broken_mesh: MeshDirs) -> None:
    at = open_page(routes.PRODUCT, product="reference.airlines")
    assert_clean(at)
    assert "reference.airlines" in at.error[0].value
    assert any(link.proto.page.endswith("mesh-health") for link in at.page_link)
