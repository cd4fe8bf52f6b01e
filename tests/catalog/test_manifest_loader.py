"""Loading manifests: valid files load, broken and hostile ones are reported with file:line:field
and skipped while the rest of the mesh still loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.manifests import documents
from catalog.manifests.loader import load_mesh

ORDERS = "sales/orders/orders.odcs.yaml"


def _errors(mesh):
    return [p for p in mesh.problems if p.severity == "error"]


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_fixture_mesh_loads_cleanly(fixture_mesh: Settings) -> None:
    mesh = load_mesh(fixture_mesh.mesh_root)
    assert mesh.problems == []
    assert sorted(mesh.products) == ["sales.customers", "sales.orders"]
    orders = mesh.products["sales.orders"]
    assert orders.title == "Web shop orders"
    assert orders.owners == ["Ana Silva"]
    assert [p.name for p in orders.properties()] == ["order_id", "customer_id", "note", "amount"]
    assert mesh.upstream("sales.customers") == ["sales.orders"]
    assert mesh.downstream("sales.orders") == ["sales.customers"]
    assert mesh.products["sales.customers"].has_pii()  # 'True' string accepted as PII flag


def test_bad_enum_names_file_line_and_field(fixture_mesh: Settings) -> None:
    file = fixture_mesh.mesh_root / ORDERS
    line = _line_of(file, "logicalType: integer")
    file.write_text(file.read_text().replace("logicalType: integer", "logicalType: strng", 1))
    mesh = load_mesh(fixture_mesh.mesh_root)
    [problem] = _errors(mesh)
    assert str(problem).startswith(
        f"domains/{ORDERS}:{line}: schema[0].properties[0].logicalType: 'strng' is not one of ["
    )
    assert "'integer'" in problem.message
    # The broken contract is skipped, the rest of the mesh still loads.
    assert "sales.customers" in mesh.products
    assert mesh.products["sales.orders"].output_ports[0].contract is None


def test_unknown_field_points_at_the_key(fixture_mesh: Settings) -> None:
    file = fixture_mesh.mesh_root / ORDERS
    file.write_text(file.read_text().replace("status: active", "status: active\nstatsu: oops"))
    [problem] = _errors(load_mesh(fixture_mesh.mesh_root))
    assert problem.field == "statsu"
    assert problem.line == _line_of(file, "statsu")
    assert "unexpected" in problem.message


def test_missing_required_property_field(fixture_mesh: Settings) -> None:
    file = fixture_mesh.mesh_root / "sales/orders/product.odps.yaml"
    file.write_text(file.read_text().replace("kind: DataProduct\n", ""))
    problems = _errors(load_mesh(fixture_mesh.mesh_root))
    assert any("kind" in p.message and p.file.endswith("product.odps.yaml") for p in problems)


def test_yaml_syntax_error_has_its_line(fixture_mesh: Settings) -> None:
    file = fixture_mesh.mesh_root / "sales/customers/product.odps.yaml"
    text = file.read_text().replace("tags: [customers]", "tags: [customers")
    file.write_text(text)
    mesh = load_mesh(fixture_mesh.mesh_root)
    [problem] = _errors(mesh)
    assert problem.file == "domains/sales/customers/product.odps.yaml"
    assert "invalid YAML" in problem.message
    assert problem.line is not None and problem.line >= _line_of(file, "tags: [customers")
    assert "sales.orders" in mesh.products and "sales.customers" not in mesh.products


def test_product_id_must_match_folder(fixture_mesh: Settings) -> None:
    file = fixture_mesh.mesh_root / "sales/orders/product.odps.yaml"
    file.write_text(file.read_text().replace("id: sales.orders", "id: sales.order"))
    [problem] = _errors(load_mesh(fixture_mesh.mesh_root))
    assert (problem.field, problem.line) == ("id", _line_of(file, "id: sales.order"))
    assert "must be 'sales.orders'" in problem.message


BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (BILLION_LAUGHS.encode(), "aliases"),
        (b"apiVersion: v3.1.0\nname: \xff\xfe broken", "not UTF-8"),
        (b"- just\n- a list\n", "expected a mapping"),
        (b"", "found empty"),
        (b"apiVersion: v3.1.0\nid: x\x00y\n", "NUL"),
        (b"a: " + b"x" * (3 * 1024 * 1024), "limited to"),
        (b"apiVersion: v3.1.0\napiVersion: v3.0.0\n", "duplicate"),
    ],
    ids=["billion-laughs", "not-utf8", "top-level-list", "empty", "nul-byte", "huge", "dup-key"],
)
def test_hostile_yaml_is_refused_not_fatal(fixture_mesh: Settings, content: bytes,
                                            expected: str) -> None:
    (fixture_mesh.mesh_root / ORDERS).write_bytes(content)
    mesh = load_mesh(fixture_mesh.mesh_root)
    [problem] = _errors(mesh)
    assert problem.file == f"domains/{ORDERS}"
    assert expected in problem.message
    assert "sales.customers" in mesh.products


def test_python_tags_are_never_executed(fixture_mesh: Settings, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    file = fixture_mesh.mesh_root / ORDERS
    file.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    load_mesh(fixture_mesh.mesh_root)
    assert not marker.exists()


def test_unchanged_files_are_not_parsed_again(fixture_mesh: Settings) -> None:
    first = load_mesh(fixture_mesh.mesh_root)
    second = load_mesh(fixture_mesh.mesh_root)
    assert first.products["sales.orders"].document is second.products["sales.orders"].document
    file = fixture_mesh.mesh_root / "sales/orders/product.odps.yaml"
    file.write_text(file.read_text().replace("Web shop orders", "Shop orders (renamed)"))
    third = load_mesh(fixture_mesh.mesh_root)
    assert third.products["sales.orders"].title == "Shop orders (renamed)"


def test_missing_contract_and_domain_file_are_warnings(fixture_mesh: Settings) -> None:
    (fixture_mesh.mesh_root / "sales/customers/customers.odcs.yaml").unlink()
    (fixture_mesh.mesh_root / "sales/domain.yaml").unlink()
    mesh = load_mesh(fixture_mesh.mesh_root)
    assert _errors(mesh) == []
    messages = " ".join(p.message for p in mesh.problems)
    assert "no contract with id 'sales.customers.customers'" in messages
    assert "no domain.yaml" in messages
    assert "sales.customers" in mesh.products


def test_demo_mesh_is_valid_and_large_enough(demo_settings: Settings) -> None:
    mesh = load_mesh(demo_settings.mesh_root)
    assert _errors(mesh) == [], [str(p) for p in mesh.problems]
    assert len(mesh.domains) >= 4
    assert len(mesh.products) >= 10
    derived = [p for p in mesh.products.values() if p.input_ports]
    assert len(derived) >= 2
    for product in mesh.products.values():
        assert product.owners, f"{product.id} has no owner"
        assert product.purpose and product.support, product.id
        assert all(p.description for p in product.properties()), product.id


def test_cache_is_keyed_on_size_and_mtime(fixture_mesh: Settings) -> None:
    file = fixture_mesh.mesh_root / ORDERS
    load_mesh(fixture_mesh.mesh_root)
    size, mtime, _ = documents._cache[str(file)]
    assert (size, mtime) == (file.stat().st_size, file.stat().st_mtime_ns)
