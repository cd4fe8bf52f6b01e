"""Each ODCS document is checked against the JSON Schema of its own apiVersion."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from catalog.manifests import schemas
from catalog.manifests.documents import parse_document

BASE: dict[str, Any] = {"apiVersion": "v3.0.2", "kind": "DataContract", "id": "x",
                        "version": "1.0.0", "status": "active"}


def _doc(version: str, **extra: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BASE), "apiVersion": version, **extra}


def test_every_supported_version_has_its_own_schema() -> None:
    for version in schemas.ODCS_VERSIONS:
        enum = schemas.odcs_schema(version)["properties"]["apiVersion"]["enum"]
        assert enum[0] == version  # the schema of that release, not a later one
    assert schemas.odcs_schema("v3.1.0") is schemas.odcs_schema("v3.1.0")  # read once


def test_a_field_added_in_v3_1_is_refused_in_a_v3_0_2_document() -> None:
    team = {"name": "Sales", "members": [{"username": "ana"}]}  # object form: v3.1.0
    assert schemas.validate_odcs(_doc("v3.1.0", team=team)) == []
    assert schemas.validate_odcs(_doc("v3.0.2", team=team))
    assert schemas.later_valid_odcs_version(_doc("v3.0.2", team=team)) == "v3.1.0"


def test_a_v3_0_2_document_with_v3_1_fields_loads_with_a_warning_naming_the_version() -> None:
    text = ("kind: DataContract\napiVersion: v3.0.2\nid: x\nversion: 1.0.0\nstatus: active\n"
            "team:\n  name: Sales\n  members:\n    - {username: ana}\n")
    loaded = parse_document(text.encode(), "x.odcs.yaml", "odcs")
    assert loaded.model is not None
    [warning] = loaded.problems
    assert (warning.line, warning.field, warning.severity) == (2, "apiVersion", "warning")
    assert warning.message.startswith("the document declares ODCS v3.0.2 but uses fields of a "
                                      "later version: set apiVersion to v3.1.0")


@pytest.mark.parametrize("version", ["v3.2.1", "v3.2.12"])
def test_v3_2_patch_versions_use_the_v3_2_0_schema(version: str) -> None:
    assert schemas.odcs_schema_version(version) == "v3.2.0"
    assert schemas.validate_odcs(_doc(version)) == []


@pytest.mark.parametrize("version", ["v3.3.0", "v2.2.2", "v3.2", "v3.2.01", "3.2.0", 3, None])
def test_other_versions_are_unsupported(version: object) -> None:
    assert schemas.odcs_schema_version(version) is None
    [violation] = schemas.validate_odcs(_doc("v3.0.2", apiVersion=version))
    assert violation.path == ["apiVersion"]
    assert "use one of v3.0.0, v3.0.1, v3.0.2, v3.1.0, v3.2.0" in violation.message


def test_a_document_without_api_version_is_told_it_is_required() -> None:
    document = _doc("v3.2.0")
    del document["apiVersion"]
    [violation] = schemas.validate_odcs(document)
    assert "apiVersion" in violation.message


def test_v3_2_0_property_without_logical_type_needs_no_map_block() -> None:
    """The vendored v3.2.0 schema carries the upstream fix: the ``logicalType: map`` branch
    applies only when ``logicalType`` is present."""
    column = {"name": "c", "physicalType": "varchar"}
    document = _doc("v3.2.0", schema=[{"name": "t", "properties": [column]}])
    assert schemas.validate_odcs(document) == []
    document["schema"][0]["properties"][0] = {**column, "logicalType": "map"}
    assert any("map" in v.message for v in schemas.validate_odcs(document))
    key = {"logicalType": "string"}
    document["schema"][0]["properties"][0] = {**column, "logicalType": "map",
                                              "map": {"key": key, "value": key}}
    assert schemas.validate_odcs(document) == []
