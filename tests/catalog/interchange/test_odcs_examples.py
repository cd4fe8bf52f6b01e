"""Bitol's own example contracts of every ODCS release import (``plan_import``, nothing
written), each checked against the JSON Schema of its own ``apiVersion``.

The examples are in ``tests/fixtures/odcs-examples/<release>/`` (source, tag and commit in
its SOURCE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
import ryaml

from catalog.config import REPO_ROOT
from catalog.interchange.importer import plan_import
from catalog.manifests import schemas
from catalog.manifests.loader import PRODUCT_FILE
from tests.catalog.meshes import empty_mesh

EXAMPLES = REPO_ROOT / "tests/fixtures/odcs-examples"
RELEASES = ("v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0", "v3.2.0")

DECLARED_TOO_OLD = {
    f"{release}/{name}": "v3.1.0"
    for release in ("v3.1.0", "v3.2.0")
    for name in ("all-data-types.odcs.yaml", "basic-four-dpo.odcs.yaml",
                 "column-completeness.odcs.yaml")
}
"""Examples invalid against the schema of the ``apiVersion`` they declare, upstream: from the
v3.1.0 release on these three still say ``apiVersion: v3.0.2`` but use v3.1 shapes (date
limits in ``logicalTypeOptions``, ``logicalType: timestamp``, ``team`` as an object, a quality
rule without ``rule``). They are valid against the v3.1.0 schema, so they import with a
warning on ``apiVersion`` saying to declare v3.1.0; value: the version that accepts them."""


def _examples() -> list[Path]:
    return sorted(p for release in RELEASES for p in (EXAMPLES / release).glob("*.yaml"))


def _key(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_every_release_has_its_examples() -> None:
    counts = {r: len(list((EXAMPLES / r).glob("*.yaml"))) for r in RELEASES}
    assert all(n >= 15 for n in counts.values()), counts
    assert (EXAMPLES / "SOURCE.md").is_file()


@pytest.mark.parametrize("path", _examples(), ids=_key)
def test_each_example_is_checked_against_its_own_version(path: Path) -> None:
    document = ryaml.loads(path.read_text(encoding="utf-8"))
    violations = schemas.validate_odcs(document)
    if _key(path) in DECLARED_TOO_OLD:
        assert violations, "listed as invalid against its declared version, but it is valid"
        assert schemas.later_valid_odcs_version(document) == DECLARED_TOO_OLD[_key(path)]
    else:
        assert violations == [], violations


@pytest.mark.parametrize("path", _examples(), ids=_key)
def test_each_example_imports(path: Path, tmp_path: Path) -> None:
    raw = path.read_bytes()
    plan = plan_import({path.name: raw}, empty_mesh(tmp_path), "sales", None)
    assert list(plan.files)[0] == PRODUCT_FILE and len(plan.files) == 2
    [(contract_file, stored)] = [(n, b) for n, b in plan.files.items() if n != PRODUCT_FILE]
    assert stored == raw  # byte for byte: comments, SPDX header and its own name kept
    assert contract_file.endswith(".odcs.yaml")
    product = ryaml.loads(plan.files[PRODUCT_FILE].decode("utf-8"))
    assert product["id"] == plan.product_id == f"sales.{plan.name}"
    assert product["outputPorts"][0]["contractId"] == str(ryaml.loads(raw.decode("utf-8"))["id"])
    if _key(path) in DECLARED_TOO_OLD:
        [warning] = plan.warnings
        assert (warning.field, warning.severity) == ("apiVersion", "warning")
        lines = raw.decode("utf-8").splitlines()
        assert warning.line == next(i for i, t in enumerate(lines, 1)
                                    if t.startswith("apiVersion:"))
        assert f"set apiVersion to {DECLARED_TOO_OLD[_key(path)]}" in warning.message
    else:
        assert plan.warnings == []
    assert not any(tmp_path.glob("domains/sales/*/"))  # planning writes nothing
