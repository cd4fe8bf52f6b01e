"""Fixtures of the governance tests: a product that meets every global policy, and a mesh
written from such documents (each test breaks one thing on purpose)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from catalog.manifests.loader import load_mesh
from catalog.mesh import Mesh


def odps(domain: str = "sales", name: str = "orders", **changes: Any) -> dict[str, Any]:
    """An ODPS document that meets every global policy."""
    doc: dict[str, Any] = {
        "apiVersion": "v1.1.0", "kind": "DataProduct", "id": f"{domain}.{name}", "name": name,
        "version": "1.0.0", "status": "active", "domain": domain, "type": "sourceAligned",
        "tags": ["orders"],
        "description": {"purpose": "Every order placed in the web shop.",
                        "usage": "Revenue reporting.", "limitations": "Test data."},
        "team": {"name": "Sales Data Team", "members": [
            {"username": "ana@shop.example", "name": "Ana Silva", "role": "owner"}]},
        "support": [{"channel": "#sales-data", "url": "https://chat.shop.example/sales",
                     "tool": "slack"}],
        "outputPorts": [{"name": name, "type": "tables", "version": "1.0.0",
                         "contractId": f"{domain}.{name}.{name}"}],
        "customProperties": [{"property": "title", "value": "Web shop orders"}],
    }
    doc.update(changes)
    return doc


def odcs(domain: str = "sales", name: str = "orders", **changes: Any) -> dict[str, Any]:
    """An ODCS contract that meets every global policy."""
    doc: dict[str, Any] = {
        "apiVersion": "v3.1.0", "kind": "DataContract", "id": f"{domain}.{name}.{name}",
        "name": name, "version": "1.0.0", "status": "active",
        "schema": [{"name": name, "physicalName": name, "physicalType": "table",
                    "description": "One row per order.", "properties": [
                        {"name": "order_id", "logicalType": "integer", "physicalType": "BIGINT",
                         "description": "Order number.", "required": True,
                         "primaryKey": True, "classification": "internal"},
                        {"name": "amount", "logicalType": "number", "physicalType": "DOUBLE",
                         "description": "Order value in euros.", "classification": "internal",
                         "quality": [{"id": "amount-not-null", "metric": "nullValues",
                                      "mustBe": 0, "dimension": "completeness"}]},
                    ]}],
        "slaProperties": [{"property": "freshness", "value": 1, "unit": "d",
                           "element": f"{name}.order_id"}],
    }
    doc.update(changes)
    return doc


def props(contract: dict[str, Any]) -> list[dict[str, Any]]:
    """The properties of the contract's first schema object (to edit in place)."""
    return contract["schema"][0]["properties"]


def write_product(root: Path, product: dict[str, Any], contract: dict[str, Any]) -> Path:
    """Write one product (ODPS + its one contract) into the mesh at ``root``."""
    domain, name = product["id"].split(".", 1)
    folder = root / domain / name
    folder.mkdir(parents=True, exist_ok=True)
    domain_file = root / domain / "domain.yaml"
    if not domain_file.exists():
        domain_file.write_text(yaml.safe_dump({
            "name": domain, "title": domain.capitalize(), "description": "Test domain.",
            "team": {"name": "Team", "members": [
                {"username": "dora@shop.example", "name": "Dora Owner", "role": "owner"}]}}))
    (folder / "product.odps.yaml").write_text(yaml.safe_dump(product, sort_keys=False))
    port = product["outputPorts"][0]["name"]
    (folder / f"{port}.odcs.yaml").write_text(yaml.safe_dump(contract, sort_keys=False))
    return folder


def mesh_of(root: Path, *pairs: tuple[dict[str, Any], dict[str, Any]]) -> Mesh:
    """A mesh at ``root`` holding the given (ODPS, ODCS) pairs, loaded."""
    for product, contract in pairs:
        write_product(root, copy.deepcopy(product), copy.deepcopy(contract))
    return load_mesh(root)
