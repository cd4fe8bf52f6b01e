"""The naming standard: refused before anything touches the file system, ids unique."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.registration import naming


@pytest.mark.parametrize("name", ["daily_sales", "flights2013", "abc", "a1_b2_c3", "x" * 63])
def test_valid_names_pass(name: str) -> None:
    assert naming.name_problems(name) == []


@pytest.mark.parametrize(("name", "fragment"), [
    ("", "Give a product name"),
    ("..", "dots"),
    ("../etc", "slashes"),
    ("a/b", "slashes"),
    ("a\\b", "slashes"),
    ("sales.orders", "dots"),
    ("con", "reserved"),
    ("nul", "reserved"),
    ("products", "reserved"),
    ("select", "reserved"),
    ("tab\tname", "control characters"),
    ("nul\x00byte", "control characters"),
    ("evil\u202ename", "control characters"),
    ("with space", "spaces"),
    (" padded", "spaces"),
    ("DailySales", "snake_case"),
    ("1st_product", "snake_case"),
    ("trailing_", "snake_case"),
    ("double__underscore", "snake_case"),
    ("café", "snake_case"),
    ("ab", "at least 3"),
    ("x" * 64, "keep it to 63"),
])
def test_bad_names_are_refused_with_a_reason(name: str, fragment: str) -> None:
    problems = naming.name_problems(name)
    assert problems, name
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(("text", "expected"), [
    ("Dep Delay", "dep_delay"),
    ("Départ prévu", "depart_prevu"),
    ("carrierCode", "carrier_code"),
    ("2013 flights", "c_2013_flights"),
    ("select", "select_value"),
    ("!!!", "column"),
])
def test_suggested_names_follow_the_standard(text: str, expected: str) -> None:
    suggestion = naming.suggest_name(text)
    assert suggestion == expected
    assert naming.name_problems(suggestion, min_length=1) == []


def test_ids_are_unique_against_the_mesh_and_the_folders(fixture_catalog: Catalog) -> None:
    mesh = fixture_catalog.mesh()
    taken = naming.check_new_product(mesh, "sales", "orders")
    assert taken and "sales.orders already exists" in taken[0]
    # A folder whose manifest does not load still owns its name.
    (mesh.root / "sales" / "half_done").mkdir()
    assert "already exists" in naming.check_new_product(mesh, "sales", "half_done")[0]
    assert naming.check_new_product(mesh, "sales", "returns") == []
    assert "existing domains" in naming.check_new_product(mesh, "nowhere", "returns")[0]


def test_a_hostile_name_never_reaches_the_file_system(fixture_catalog: Catalog) -> None:
    root = fixture_catalog.settings.mesh_root
    before = sorted(p.name for p in root.parent.iterdir())
    for name in ("../../escape", "..", "/tmp/x", "a/../../b"):
        problems = naming.check_new_product(fixture_catalog.mesh(), "sales", name)
        assert any("slashes" in p or "dots" in p for p in problems), problems
    assert sorted(p.name for p in root.parent.iterdir()) == before
