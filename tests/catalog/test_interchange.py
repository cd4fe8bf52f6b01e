"""Import and export in the open standards (catalog/interchange): lossless round trips of the
shared examples, rejection of negative ones with file:line:field, refusals (existing product,
bad names, unknown domain, clashing contract id), and exports of the demo mesh."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import ryaml

from catalog.config import REPO_ROOT
from catalog.errors import CatalogError, ManifestError
from catalog.interchange.exporter import export_files, write_export
from catalog.interchange.importer import import_files
from catalog.interchange.product import with_mesh_id, with_original_id
from catalog.interchange.reader import DocumentRejected, read_document
from catalog.interchange.yaml_writer import dump_yaml
from catalog.manifests.documents import parse_document
from catalog.manifests.loader import load_mesh
from tests.catalog.meshes import empty_mesh
from tests.conftest import SHARED_STANDARDS

needs_shared = pytest.mark.skipif(not SHARED_STANDARDS.is_dir(), reason="shared/ is absent")


def _files(pattern: str) -> list[Path]:
    return sorted(SHARED_STANDARDS.glob(pattern)) if SHARED_STANDARDS.is_dir() else []


def _same(a: Any, b: Any) -> bool:
    """Equal, key for key and in the same key order."""
    return a == b and json.dumps(a, sort_keys=False, default=str) == json.dumps(
        b, sort_keys=False, default=str)


@pytest.fixture()
def mesh_root(tmp_path: Path) -> Path:
    """An empty mesh with one domain, ``sales``."""
    return empty_mesh(tmp_path)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _round_trip(files: list[Path], root: Path, out: Path) -> dict[str, Path]:
    result = import_files(files, root, "sales")
    product = load_mesh(root).products[result.product_id]
    return {p.name: p for p in write_export(export_files(product), out)}


@needs_shared
@pytest.mark.parametrize("path", _files("odcs-examples/*.odcs.yaml"), ids=lambda p: p.name)
def test_every_shared_contract_round_trips_losslessly(path: Path, mesh_root: Path,
                                                      tmp_path: Path) -> None:
    exported = _round_trip([path], mesh_root, tmp_path / "out")
    contract = next(p for name, p in exported.items() if name.endswith(".odcs.yaml"))
    assert _same(ryaml.loads(contract.read_text()), ryaml.loads(path.read_text()))
    product = ryaml.loads(exported["product.odps.yaml"].read_text())
    assert product["outputPorts"][0]["contractId"] == ryaml.loads(path.read_text())["id"]
    mesh = load_mesh(mesh_root)
    # the product built around the bare contract loads without errors (a contract that uses
    # fields newer than its declared apiVersion gets a warning saying which version to declare)
    assert [p for p in mesh.problems if p.severity == "error"] == []


@needs_shared
@pytest.mark.parametrize("path", _files("odps-examples/*.odps.yaml"), ids=lambda p: p.name)
def test_every_shared_product_round_trips_losslessly(path: Path, mesh_root: Path,
                                                     tmp_path: Path) -> None:
    exported = _round_trip([path], mesh_root, tmp_path / "out")
    assert _same(ryaml.loads(exported["product.odps.yaml"].read_text()),
                 ryaml.loads(path.read_text()))
    stored = ryaml.loads((mesh_root / "sales/simple_data_product/product.odps.yaml").read_text())
    assert stored["id"] == "sales.simple_data_product"  # the mesh id, the own one kept aside
    assert {"property": "importedId", "value": ryaml.loads(path.read_text())["id"]} in \
        stored["customProperties"]


@needs_shared
def test_a_product_with_its_contract_round_trips_both(mesh_root: Path, tmp_path: Path) -> None:
    odps = _files("odps-examples/*.odps.yaml")[0]
    text = (SHARED_STANDARDS / "odcs-examples/table-column.odcs.yaml").read_text()
    contract_id = ryaml.loads(odps.read_text())["outputPorts"][0]["contractId"]
    contract = tmp_path / "port.odcs.yaml"
    contract.write_text(text.replace("53581432-6c55-4ba2-a65f-72344a91553b", contract_id))
    exported = _round_trip([odps, contract], mesh_root, tmp_path / "out")
    assert set(exported) == {"product.odps.yaml", "processed_data.odcs.yaml"}
    assert exported["processed_data.odcs.yaml"].read_bytes() == contract.read_bytes()
    assert _same(ryaml.loads(exported["product.odps.yaml"].read_text()),
                 ryaml.loads(odps.read_text()))
    output_port_warnings = [p for p in load_mesh(mesh_root).problems
                            if p.field.startswith("outputPorts")]
    assert output_port_warnings == []


@needs_shared
@pytest.mark.parametrize("path", _files("odcs-examples/negative/*.odcs.yaml"),
                         ids=lambda p: p.name)
def test_every_negative_example_is_rejected_with_file_line_and_field(
        path: Path, mesh_root: Path) -> None:
    before = _tree(mesh_root)
    with pytest.raises(DocumentRejected) as caught:
        import_files([path], mesh_root, "sales")
    problems = caught.value.problems
    assert problems and all(p.file == str(path) and p.line and p.field for p in problems), \
        [str(p) for p in problems]
    assert str(path) in str(caught.value)
    assert _tree(mesh_root) == before


ODPS_NEGATIVES = {
    "unknown-root-key": ("apiVersion: v1.1.0\nkind: DataProduct\nid: sales.x\nowner: me\n",
                         4, "owner"),
    "missing-id": ("apiVersion: v1.1.0\nkind: DataProduct\nname: x\n", 1, "id"),
    "bad-api-version": ("apiVersion: v9.0.0\nkind: DataProduct\nid: sales.x\n", 1,
                        "apiVersion"),
    "member-without-username": ("apiVersion: v1.1.0\nkind: DataProduct\nid: sales.x\nteam:\n"
                                "  members:\n    - name: Ana\n", 6, "team.members[0].username"),
    "port-without-name": ("apiVersion: v1.1.0\nkind: DataProduct\nid: sales.x\noutputPorts:\n"
                          "  - contractId: c1\n", 5, "outputPorts[0].name"),
    "v0.9-team-member-without-username": (
        "apiVersion: v0.9.0\nkind: DataProduct\nid: sales.x\nteam:\n  - name: Ana\n", 5,
        "team[0].username"),
}


@pytest.mark.parametrize("case", sorted(ODPS_NEGATIVES))
def test_invalid_products_are_rejected_with_file_line_and_field(case: str, tmp_path: Path,
                                                                mesh_root: Path) -> None:
    text, line, field = ODPS_NEGATIVES[case]
    path = tmp_path / f"{case}.odps.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DocumentRejected) as caught:
        import_files([path], mesh_root, "sales")
    assert (str(path), line, field) in {(p.file, p.line, p.field) for p in caught.value.problems}


def test_a_list_shaped_team_is_accepted_and_written_as_an_object(tmp_path: Path,
                                                                  mesh_root: Path) -> None:
    path = tmp_path / "old.odps.yaml"
    path.write_text("apiVersion: v0.9.0\nkind: DataProduct\nid: sales.legacy\nname: legacy\n"
                    "team:\n  - {username: ana@x.example, role: owner, name: Ana}\n",
                    encoding="utf-8")
    result = import_files([path], mesh_root, "sales")
    product = load_mesh(mesh_root).products[result.product_id]
    assert product.owners == ["Ana"]
    written = ryaml.loads((mesh_root / "sales/legacy/product.odps.yaml").read_text())
    assert written["team"] == {"members": [{"username": "ana@x.example", "role": "owner",
                                            "name": "Ana"}]}
    exported = ryaml.loads(export_files(product)[0].data.decode())
    assert exported["team"] == written["team"] and list(exported) == list(written)


CONTRACT = """apiVersion: v3.1.0
kind: DataContract
id: sales.orders.orders
name: orders
version: 1.0.0
status: active
description:
  purpose: Every order placed in the web shop.
team:
  name: Sales data team
  members:
    - {username: ana@x.example, name: Ana Silva, role: owner}
support:
  - {channel: "#sales-data", url: "https://chat.x.example/sales", tool: slack}
  - {channel: no-url}
schema:
  - name: orders
    properties:
      - {name: order_id, logicalType: string, required: true}
      - {name: amount, logicalType: number}
customProperties:
  - {property: vendorThing, value: {nested: [1, 2]}}
"""


def _contract(tmp_path: Path, text: str = CONTRACT, name: str = "orders.odcs.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_places_a_product_the_loader_loads_without_problems(tmp_path: Path,
                                                                    mesh_root: Path) -> None:
    result = import_files([_contract(tmp_path)], mesh_root, "sales")
    assert result.product_id == "sales.orders"
    assert sorted(p.name for p in result.files) == ["orders.odcs.yaml", "product.odps.yaml"]
    mesh = load_mesh(mesh_root)
    assert mesh.problems == []
    product = mesh.products["sales.orders"]
    assert (product.domain, product.version, product.status) == ("sales", "1.0.0", "active")
    assert product.purpose == "Every order placed in the web shop."
    assert product.owners == ["Ana Silva"] and product.team_name == "Sales data team"
    assert [s.channel for s in product.support] == ["#sales-data"]  # ODPS needs a URL
    assert [p.name for p in product.properties()] == ["order_id", "amount"]
    assert (mesh_root / "sales/orders/orders.odcs.yaml").read_bytes() == \
        (tmp_path / "orders.odcs.yaml").read_bytes()
    assert not [p for p in (mesh_root / "sales").iterdir() if p.name.startswith(".")]


def test_import_refuses_to_overwrite_an_existing_product(tmp_path: Path,
                                                        mesh_root: Path) -> None:
    path = _contract(tmp_path)
    import_files([path], mesh_root, "sales")
    before = _tree(mesh_root)
    changed = _contract(tmp_path, CONTRACT.replace("id: sales.orders.orders", "id: other"),
                        "again.odcs.yaml")
    with pytest.raises(CatalogError, match="already exists"):
        import_files([changed], mesh_root, "sales")
    assert _tree(mesh_root) == before


def test_import_refuses_a_contract_id_another_product_serves(tmp_path: Path,
                                                            mesh_root: Path) -> None:
    path = _contract(tmp_path)
    import_files([path], mesh_root, "sales")
    with pytest.raises(ManifestError, match="already served by sales.orders") as caught:
        import_files([path], mesh_root, "sales", name="orders_copy")
    assert (caught.value.field, caught.value.line) == ("id", 3)


@pytest.mark.parametrize(("field", "value"), [
    ("dataProduct", "../../etc"), ("dataProduct", "a/b"), ("name", "bad\\u0007name"),
    ("dataProduct", ".."), ("dataProduct", "con"), ("name", "select"),
    ("dataProduct", "ab"), ("name", "my.orders"),
])
def test_names_from_the_file_are_checked_before_anything_is_written(
        tmp_path: Path, mesh_root: Path, field: str, value: str) -> None:
    text = CONTRACT.replace("name: orders\nversion", f'{field}: "{value}"\nversion')
    path = _contract(tmp_path, text)
    before = _tree(mesh_root.parent)
    with pytest.raises(ManifestError, match="cannot make a product folder name") as caught:
        import_files([path], mesh_root, "sales")
    assert (caught.value.field, caught.value.line) == (field, 4)
    assert _tree(mesh_root.parent) == before


@pytest.mark.parametrize(("domain", "name"), [("../sales", None), ("sales/x", None),
                                              ("sales", "../escape"), ("sales", "a\nb"),
                                              ("Sales", None)])
def test_bad_names_given_as_options_are_refused(tmp_path: Path, mesh_root: Path,
                                                domain: str, name: str | None) -> None:
    with pytest.raises(ManifestError, match="naming convention"):
        import_files([_contract(tmp_path)], mesh_root, domain, name)
    assert not (mesh_root.parent / "escape").exists()


def test_an_unknown_or_missing_domain_is_refused_with_the_known_ones(tmp_path: Path,
                                                                     mesh_root: Path) -> None:
    with pytest.raises(CatalogError, match=r"no domain 'billing'.*domains: sales"):
        import_files([_contract(tmp_path)], mesh_root, "billing")
    with pytest.raises(CatalogError, match=r"Pass --domain DOMAIN \(one of: sales\)"):
        import_files([_contract(tmp_path)], mesh_root)


def test_a_contract_no_output_port_refers_to_is_refused(tmp_path: Path,
                                                        mesh_root: Path) -> None:
    product = tmp_path / "p.odps.yaml"
    product.write_text("apiVersion: v1.1.0\nkind: DataProduct\nid: sales.orders\n"
                       "outputPorts:\n  - {name: orders, contractId: something-else}\n")
    with pytest.raises(ManifestError, match="not the contractId of any output port"):
        import_files([product, _contract(tmp_path)], mesh_root)


def test_export_refuses_to_replace_files_unless_asked(tmp_path: Path, mesh_root: Path) -> None:
    result = import_files([_contract(tmp_path)], mesh_root, "sales")
    product = load_mesh(mesh_root).products[result.product_id]
    out = tmp_path / "out"
    write_export(export_files(product), out)
    (out / "product.odps.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(CatalogError, match="already exist"):
        write_export(export_files(product), out)
    assert (out / "product.odps.yaml").read_text() == "mine"
    write_export(export_files(product), out, overwrite=True)
    assert (out / "product.odps.yaml").read_bytes() == result.files[0].read_bytes()


DEMO = load_mesh(REPO_ROOT / "domains")


@pytest.mark.parametrize("product_id", sorted(DEMO.products))
def test_exports_of_the_demo_products_validate_and_equal_the_manifests(product_id: str) -> None:
    product = DEMO.products[product_id]
    files = export_files(product, markdown=True)
    assert files[0].name == "product.odps.yaml" and files[-1].name == f"{product_id}.md"
    for file in files[:-1]:
        kind = "odps" if file.name.endswith(".odps.yaml") else "odcs"
        loaded = parse_document(file.data, file.name, kind, strict=True)
        assert loaded.model is not None and not loaded.problems, loaded.problems
        assert file.data == (product.directory / file.name).read_bytes()
    assert len(files) == 2 + len(product.output_ports)


def test_read_document_takes_the_kind_from_the_document(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"  # no standard suffix
    path.write_text(CONTRACT, encoding="utf-8")
    assert read_document(path).kind == "odcs"
    path.write_text("kind: Something\n", encoding="utf-8")
    with pytest.raises(DocumentRejected, match=r"contract.yaml:1: kind: kind 'Something'"):
        read_document(path)


@pytest.mark.parametrize("value", ["1e3", "0o17", "0x1F", "yes", "null", "~", "True", ".inf",
                                   "2013-01-01", "multi\nline\n", "María López", "",
                                   " leading space", "- dash", "key: value", "#hash"])
def test_yaml_writer_keeps_strings_strings_and_key_order(value: str) -> None:
    doc = {"z": value, "a": [{"y": value, "b": 1}], "m": {"k": None, "f": 1.5, "t": True}}
    text = dump_yaml(doc)
    assert _same(ryaml.loads(text.decode()), doc)
    assert b"!!" not in text and b"python" not in text


def test_yaml_writer_refuses_what_yaml_cannot_hold_safely() -> None:
    with pytest.raises(CatalogError, match="cannot be written as plain YAML"):
        dump_yaml({"x": object()})


@pytest.mark.parametrize("document", [
    {"apiVersion": "v1.1.0", "kind": "DataProduct", "id": "064c4630", "name": "x"},
    {"apiVersion": "v1.1.0", "kind": "DataProduct", "id": "abc",
     "customProperties": [{"property": "importedId", "value": "from-another-mesh"}],
     "name": "x"},
    {"apiVersion": "v1.1.0", "kind": "DataProduct", "id": "sales.x", "name": "x"},
])
def test_the_mesh_id_is_undone_exactly_on_export(document: dict[str, Any]) -> None:
    stored = with_mesh_id(document, "sales.x")
    assert stored["id"] == "sales.x"
    assert _same(with_original_id(stored), document)
