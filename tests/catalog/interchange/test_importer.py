"""Import planning: free-text names, files computed without writing, comments kept on the
ODPS file, input-port warnings at their line, unsupported ODCS versions."""

from __future__ import annotations

from pathlib import Path

import pytest
import ryaml

from catalog.interchange.exporter import export_files
from catalog.interchange.importer import import_files, plan_import, write_import
from catalog.interchange.reader import DocumentRejected
from catalog.manifests.loader import PRODUCT_FILE, load_mesh
from tests.catalog.meshes import empty_mesh

FREE_TEXT = """apiVersion: v3.1.0
kind: DataContract
id: 0f2c7a4e-quality
name: Orders quality rules (duckdb)
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - {name: order_id, logicalType: string}
"""

SPDX_PRODUCT = """# Copyright 2026 The Bitol Contributors
# SPDX-License-Identifier: Apache-2.0

apiVersion: v1.1.0
kind: DataProduct
id: 064c4630-8aad-4dc0-ba95-0f69940e6b18   # the producer's own id
name: orders
status: active

# What the product serves
outputPorts:
  - name: orders
    version: 1.0.0
    contractId: sales.orders.orders
inputPorts:
  - name: web_shop
    version: 2.0.0
    contractId: shop.web.events
"""

CONTRACT = """apiVersion: v3.1.0
kind: DataContract
id: sales.orders.orders
name: orders
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - {name: order_id, logicalType: string}
"""


@pytest.fixture()
def mesh_root(tmp_path: Path) -> Path:
    """An empty mesh with one domain, ``sales``."""
    return empty_mesh(tmp_path)


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_free_text_contract_name_becomes_a_snake_case_port_and_stays_as_written(
        mesh_root: Path) -> None:
    before = _tree(mesh_root)
    plan = plan_import({"rules.odcs.yaml": FREE_TEXT.encode()}, mesh_root, "sales", None)
    assert _tree(mesh_root) == before  # nothing written
    assert (plan.domain, plan.name, plan.product_id) == (
        "sales", "orders_quality_rules_duckdb", "sales.orders_quality_rules_duckdb")
    assert list(plan.files) == [PRODUCT_FILE, "orders_quality_rules_duckdb.odcs.yaml"]
    assert plan.files["orders_quality_rules_duckdb.odcs.yaml"] == FREE_TEXT.encode()
    product = ryaml.loads(plan.files[PRODUCT_FILE].decode())
    assert product["outputPorts"][0]["name"] == "orders_quality_rules_duckdb"
    assert product["customProperties"] == [{"property": "title",
                                            "value": "Orders quality rules (duckdb)"}]
    write_import(plan, mesh_root)
    mesh = load_mesh(mesh_root)
    assert mesh.problems == []
    loaded = mesh.products["sales.orders_quality_rules_duckdb"]
    assert loaded.title == "Orders quality rules (duckdb)"
    assert loaded.output_ports[0].source is not None
    assert loaded.output_ports[0].source.raw["name"] == "Orders quality rules (duckdb)"


def test_paths_and_bytes_give_the_same_plan(mesh_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "rules.odcs.yaml"
    path.write_text(FREE_TEXT, encoding="utf-8")
    from_path = plan_import([path], mesh_root, "sales", None)
    from_bytes = plan_import({"rules.odcs.yaml": FREE_TEXT.encode()}, mesh_root, "sales", None)
    assert (from_path.product_id, from_path.files) == (from_bytes.product_id, from_bytes.files)


def test_a_name_that_is_a_path_is_still_refused(mesh_root: Path) -> None:
    text = FREE_TEXT.replace("name: Orders quality rules (duckdb)", "name: ../../etc/passwd")
    with pytest.raises(Exception, match="cannot make a product folder name") as caught:
        plan_import({"x.odcs.yaml": text.encode()}, mesh_root, "sales", None)
    assert getattr(caught.value, "line", None) == 4


def test_the_odps_comments_survive_import_and_export(mesh_root: Path) -> None:
    files = {"product.odps.yaml": SPDX_PRODUCT.encode(), "orders.odcs.yaml": CONTRACT.encode()}
    plan = plan_import(files, mesh_root, "sales", None)
    stored = plan.files[PRODUCT_FILE].decode()
    assert stored.startswith("# Copyright 2026 The Bitol Contributors\n"
                             "# SPDX-License-Identifier: Apache-2.0\n\n")
    id_line = next(t for t in stored.splitlines() if t.startswith("id:"))
    assert id_line.split() == ["id:", "sales.orders", "#", "the", "producer's", "own", "id"]
    assert id_line.index("#") == SPDX_PRODUCT.index("# the producer") - SPDX_PRODUCT.index(
        "id: 064c")  # the comment keeps its column
    assert "\n# What the product serves\noutputPorts:\n  - name: orders\n" in stored
    assert ryaml.loads(stored)["customProperties"] == [
        {"property": "importedId", "value": "064c4630-8aad-4dc0-ba95-0f69940e6b18"}]
    write_import(plan, mesh_root)
    product = load_mesh(mesh_root).products["sales.orders"]
    exported = export_files(product)[0]
    assert exported.name == PRODUCT_FILE
    assert exported.data.decode() == SPDX_PRODUCT  # the producer's own file, byte for byte


def test_input_port_warnings_carry_their_line(mesh_root: Path) -> None:
    files = {"product.odps.yaml": SPDX_PRODUCT.encode(), "orders.odcs.yaml": CONTRACT.encode()}
    line = SPDX_PRODUCT.splitlines().index("    contractId: shop.web.events") + 1
    plan = plan_import(files, mesh_root, "sales", None)
    [warning] = plan.warnings
    assert (warning.file, warning.line, warning.field, warning.severity) == (
        "product.odps.yaml", line, "inputPorts[0].contractId", "warning")
    assert "shop.web.events" in warning.message
    result = import_files(files, mesh_root, "sales", None)
    assert list(result.warnings) == [warning]
    [loaded] = load_mesh(mesh_root).problems  # the loader says the same, at the same line
    assert (loaded.file, loaded.line, loaded.field) == (
        "domains/sales/orders/product.odps.yaml", line, "inputPorts[0].contractId")


@pytest.mark.parametrize("version", ["v2.2.2", "v3.3.0", "v4.0.0", "3.1.0"])
def test_an_unsupported_odcs_version_is_refused_with_the_supported_ones(
        mesh_root: Path, version: str) -> None:
    text = CONTRACT.replace("apiVersion: v3.1.0", f"apiVersion: {version}")
    text = "# a comment first\n" + text
    with pytest.raises(DocumentRejected) as caught:
        plan_import({"old.odcs.yaml": text.encode()}, mesh_root, "sales", None)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("old.odcs.yaml", 2, "apiVersion")
    assert problem.message == (
        f"ODCS apiVersion '{version}' is not supported; use one of v3.0.0, v3.0.1, v3.0.2, "
        "v3.1.0, v3.2.0 (and v3.2.x patch versions)")
    assert str(caught.value).startswith("old.odcs.yaml:2: apiVersion: ODCS apiVersion")


def test_a_v3_2_patch_version_is_read_with_the_v3_2_0_schema(mesh_root: Path) -> None:
    text = CONTRACT.replace("apiVersion: v3.1.0", "apiVersion: v3.2.1")
    plan = plan_import({"new.odcs.yaml": text.encode()}, mesh_root, "sales", None)
    assert plan.warnings == [] and plan.files["orders.odcs.yaml"] == text.encode()
