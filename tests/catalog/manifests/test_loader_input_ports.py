"""The loader's input-port warnings point at the port's ``contractId`` line."""

from __future__ import annotations

from pathlib import Path

from catalog.manifests.loader import load_mesh
from tests.catalog.meshes import empty_mesh

PRODUCT = """apiVersion: v1.1.0
kind: DataProduct
id: sales.orders
name: orders
status: active
inputPorts:
  - {name: shop, version: 1.0.0, contractId: shop.web.events}
  - name: crm
    version: 1.0.0
    contractId: crm.customers.customers
"""


def test_input_port_warnings_name_the_contract_id_line(tmp_path: Path) -> None:
    root = empty_mesh(tmp_path)
    (root / "sales/orders").mkdir()
    (root / "sales/orders/product.odps.yaml").write_text(PRODUCT, encoding="utf-8")
    warnings = [(p.line, p.field) for p in load_mesh(root).problems if p.field.startswith("input")]
    assert warnings == [(7, "inputPorts[0].contractId"), (10, "inputPorts[1].contractId")]
