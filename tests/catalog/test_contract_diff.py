"""Contract diff: every breaking and non-breaking kind of change, the semver bump, the order of
changes and next_version (catalog/contracts)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import ryaml

from catalog.config import REPO_ROOT
from catalog.contracts.diff import diff_contracts, next_version
from catalog.errors import InvalidRequest
from tests.conftest import SHARED_STANDARDS

Doc = dict[str, Any]

BASE: Doc = {
    "apiVersion": "v3.1.0", "kind": "DataContract", "id": "sales.orders.orders",
    "version": "1.2.0", "status": "active", "description": {"purpose": "Every order."},
    "tags": ["sales"],
    "servers": [{"server": "prod", "type": "duckdb", "database": "mesh.duckdb",
                 "schema": "sales"}],
    "schema": [{
        "name": "orders", "physicalName": "orders", "physicalType": "table",
        "properties": [
            {"name": "order_id", "logicalType": "string", "physicalType": "VARCHAR(32)",
             "required": True, "primaryKey": True, "logicalTypeOptions": {"maxLength": 32}},
            {"name": "amount", "logicalType": "integer", "physicalType": "INTEGER",
             "logicalTypeOptions": {"minimum": 0, "maximum": 1000},
             "quality": [{"id": "amount-nulls", "metric": "nullValues", "unit": "percent",
                          "mustBeLessOrEqualTo": 5, "severity": "error",
                          "dimension": "completeness"}]},
            {"name": "status", "logicalType": "string", "classification": "internal",
             "enum": [{"value": "open"}, {"value": "closed"}],
             "quality": [{"id": "status-valid", "metric": "invalidValues",
                          "arguments": {"validValues": ["open", "closed"]}, "mustBe": 0}]},
            {"name": "note", "logicalType": "string", "description": "Free text.",
             "quality": [{"id": "note-nulls", "metric": "nullValues", "unit": "percent",
                          "mustBeLessOrEqualTo": 50, "severity": "warning"}]},
        ],
        "quality": [{"id": "orders-rows", "metric": "rowCount", "mustBeGreaterThan": 100,
                     "severity": "error"}],
    }],
    "slaProperties": [
        {"property": "freshness", "value": 1, "unit": "d", "element": "orders.order_id"},
        {"property": "availability", "value": 99.0, "unit": "percent"},
        {"property": "endOfSupport", "value": "2030-01-01"},
    ],
    "roles": [{"role": "analyst", "access": "read"}],
}


def _prop(doc: Doc, name: str) -> Doc:
    return next(p for p in doc["schema"][0]["properties"] if p["name"] == name)


def _rule(doc: Doc, prop: str, rule_id: str) -> Doc:
    return next(r for r in _prop(doc, prop)["quality"] if r["id"] == rule_id)


def _sla(doc: Doc, name: str) -> Doc:
    return next(s for s in doc["slaProperties"] if s["property"] == name)


Mutation = Callable[[Doc], object]

BREAKING: list[tuple[str, Mutation, str]] = [
    ("object removed", lambda d: d.update(schema=[]), "object-removed"),
    ("property removed", lambda d: d["schema"][0]["properties"].pop(), "property-removed"),
    ("logical type changed", lambda d: _prop(d, "amount").update(logicalType="string"),
     "type-changed"),
    ("physical type changed", lambda d: _prop(d, "order_id").update(physicalType="INTEGER"),
     "type-changed"),
    ("physical type narrowed", lambda d: _prop(d, "order_id").update(physicalType="VARCHAR(8)"),
     "type-changed"),
    ("integer to boolean", lambda d: _prop(d, "amount").update(logicalType="boolean"),
     "type-changed"),
    ("newly required", lambda d: _prop(d, "note").update(required=True), "required-added"),
    ("newly unique", lambda d: _prop(d, "note").update(unique=True), "unique-added"),
    ("newly primary key", lambda d: _prop(d, "amount").update(primaryKey=True),
     "primary-key-added"),
    ("new required property", lambda d: d["schema"][0]["properties"].append(
        {"name": "region", "logicalType": "string", "required": True}), "property-added"),
    ("stored column renamed", lambda d: _prop(d, "note").update(physicalName="remark"),
     "physical-name-changed"),
    ("smaller maxLength", lambda d: _prop(d, "order_id")["logicalTypeOptions"].update(
        maxLength=16), "constraint-tightened"),
    ("new minLength", lambda d: _prop(d, "order_id")["logicalTypeOptions"].update(
        minLength=4), "constraint-tightened"),
    ("larger minimum", lambda d: _prop(d, "amount")["logicalTypeOptions"].update(minimum=10),
     "constraint-tightened"),
    ("smaller maximum", lambda d: _prop(d, "amount")["logicalTypeOptions"].update(maximum=500),
     "constraint-tightened"),
    ("new pattern", lambda d: _prop(d, "order_id")["logicalTypeOptions"].update(
        pattern="^O-"), "constraint-changed"),
    ("narrower enum", lambda d: _prop(d, "status").update(enum=[{"value": "open"}]),
     "enum-narrowed"),
    ("new enum", lambda d: _prop(d, "note").update(enum=[{"value": "x"}]), "enum-narrowed"),
    ("classification raised", lambda d: _prop(d, "status").update(classification="restricted"),
     "classification-raised"),
    ("newly personal data", lambda d: _prop(d, "note").update(
        customProperties=[{"property": "pii", "value": "True"}]), "pii-added"),
    ("stricter threshold", lambda d: _rule(d, "amount", "amount-nulls").update(
        mustBeLessOrEqualTo=1), "quality-rule-tightened"),
    ("stricter row count", lambda d: d["schema"][0]["quality"][0].update(
        mustBeGreaterThan=1000), "quality-rule-tightened"),
    ("fewer valid values", lambda d: _rule(d, "status", "status-valid")["arguments"].update(
        validValues=["open"]), "quality-rule-tightened"),
    ("severity raised to error", lambda d: _rule(d, "note", "note-nulls").update(
        severity="error"), "quality-rule-tightened"),
    ("new error rule", lambda d: _prop(d, "note").setdefault("quality", []).append(
        {"id": "note-short", "type": "sql", "query": "SELECT 0", "mustBe": 0}),
     "quality-rule-added"),
    ("rule checks something else", lambda d: _rule(d, "amount", "amount-nulls").update(
        metric="missingValues"), "quality-rule-changed"),
    ("threshold made incomparable", lambda d: _rule(d, "amount", "amount-nulls").update(
        unit="rows"), "quality-rule-changed"),
    ("shorter freshness", lambda d: _sla(d, "freshness").update(value=12, unit="h"),
     "sla-tightened"),
    ("higher availability", lambda d: _sla(d, "availability").update(value=99.9),
     "sla-tightened"),
    ("earlier end of support", lambda d: _sla(d, "endOfSupport").update(value="2027-01-01"),
     "sla-tightened"),
    ("new retention promise", lambda d: d["slaProperties"].append(
        {"property": "retention", "value": 1, "unit": "y"}), "sla-added"),
    ("server moved", lambda d: d["servers"][0].update(schema="sales_v2"), "server-moved"),
    ("server removed", lambda d: d.update(servers=[]), "server-removed"),
    ("role removed", lambda d: d.update(roles=[]), "role-removed"),
    ("contract id changed", lambda d: d.update(id="sales.orders.v2"), "id-changed"),
]

NON_BREAKING: list[tuple[str, Mutation, str, str]] = [
    ("optional property added", lambda d: d["schema"][0]["properties"].append(
        {"name": "channel", "logicalType": "string"}), "property-added", "minor"),
    ("object added", lambda d: d["schema"].append({"name": "refunds", "properties": []}),
     "object-added", "minor"),
    ("integer widened to number", lambda d: _prop(d, "amount").update(logicalType="number"),
     "type-widened", "minor"),
    ("INTEGER widened to BIGINT", lambda d: _prop(d, "amount").update(physicalType="BIGINT"),
     "type-widened", "minor"),
    ("longer VARCHAR", lambda d: _prop(d, "order_id").update(physicalType="VARCHAR(64)"),
     "type-widened", "minor"),
    ("larger maxLength", lambda d: _prop(d, "order_id")["logicalTypeOptions"].update(
        maxLength=64), "constraint-loosened", "minor"),
    ("bound removed", lambda d: _prop(d, "amount")["logicalTypeOptions"].pop("maximum"),
     "constraint-loosened", "minor"),
    ("no longer required", lambda d: _prop(d, "order_id").update(required=False),
     "required-removed", "minor"),
    ("wider enum", lambda d: _prop(d, "status")["enum"].append({"value": "void"}),
     "enum-widened", "minor"),
    ("classification lowered", lambda d: _prop(d, "status").update(classification="public"),
     "classification-lowered", "minor"),
    ("looser threshold", lambda d: _rule(d, "amount", "amount-nulls").update(
        mustBeLessOrEqualTo=10), "quality-rule-loosened", "minor"),
    ("more valid values", lambda d: _rule(d, "status", "status-valid")["arguments"].update(
        validValues=["open", "closed", "void"]), "quality-rule-loosened", "minor"),
    ("severity lowered", lambda d: _rule(d, "amount", "amount-nulls").update(
        severity="warning"), "quality-rule-loosened", "minor"),
    ("rule removed", lambda d: _prop(d, "amount").pop("quality"), "quality-rule-removed",
     "minor"),
    ("new warning rule", lambda d: _prop(d, "status")["quality"].append(
        {"id": "status-nulls", "metric": "nullValues", "mustBe": 0, "severity": "warning"}),
     "quality-rule-added", "minor"),
    ("longer freshness", lambda d: _sla(d, "freshness").update(value=2),
     "sla-loosened", "minor"),
    ("SLA removed", lambda d: d["slaProperties"].pop(1), "sla-removed", "minor"),
    ("new availability promise", lambda d: d["slaProperties"].append(
        {"property": "latency", "value": 4, "unit": "h"}), "sla-added", "minor"),
    ("server added", lambda d: d["servers"].append({"server": "dev", "type": "local",
                                                    "path": "x.parquet", "format": "parquet"}),
     "server-added", "minor"),
    ("role added", lambda d: d["roles"].append({"role": "auditor", "access": "read"}),
     "role-added", "minor"),
    ("description", lambda d: _prop(d, "note").update(description="Anything."),
     "documentation-changed", "patch"),
    ("contract purpose", lambda d: d["description"].update(purpose="All orders."),
     "documentation-changed", "patch"),
    ("tags", lambda d: d.update(tags=["sales", "orders"]), "documentation-changed", "patch"),
    ("rule description", lambda d: _rule(d, "amount", "amount-nulls").update(
        description="Why."), "documentation-changed", "patch"),
    ("same freshness in hours", lambda d: _sla(d, "freshness").update(value=24, unit="h"),
     "documentation-changed", "patch"),
    ("custom property", lambda d: _prop(d, "note").update(
        customProperties=[{"property": "owner", "value": "ana"}]), "documentation-changed",
     "patch"),
]


def _diff(mutation: Mutation) -> Any:
    new = copy.deepcopy(BASE)
    mutation(new)
    return diff_contracts(BASE, new)


@pytest.mark.parametrize(("case", "mutation", "kind"), BREAKING, ids=[c[0] for c in BREAKING])
def test_breaking_changes_need_a_major_version(case: str, mutation: Mutation, kind: str) -> None:
    result = _diff(mutation)
    assert result.breaking and result.bump == "major"
    assert kind in {c.kind for c in result.changes if c.breaking}, result.changes
    assert result.changes[0].breaking  # breaking changes come first
    assert result.suggested_version() == "2.0.0"


@pytest.mark.parametrize(("case", "mutation", "kind", "bump"), NON_BREAKING,
                         ids=[c[0] for c in NON_BREAKING])
def test_non_breaking_changes(case: str, mutation: Mutation, kind: str, bump: str) -> None:
    result = _diff(mutation)
    assert not result.breaking, [c for c in result.changes if c.breaking]
    assert result.bump == bump
    assert kind in {c.kind for c in result.changes}, result.changes
    assert result.suggested_version() == {"minor": "1.3.0", "patch": "1.2.1"}[bump]


def test_identical_contracts_and_a_new_version_number_need_no_bump() -> None:
    new = copy.deepcopy(BASE)
    new["version"] = "1.3.0"
    result = diff_contracts(BASE, new)
    assert result.changes == () and result.bump == "none" and not result.breaking
    assert result.old_version == "1.2.0" and result.new_version == "1.3.0"


def test_changes_say_what_moved_with_names_and_old_and_new_values() -> None:
    result = _diff(lambda d: _rule(d, "amount", "amount-nulls").update(mustBeLessOrEqualTo=1))
    (tightened,) = result.changes
    assert tightened.path == "schema.orders.amount.quality[amount-nulls]"
    assert tightened.old == {"mustBeLessOrEqualTo": 5}
    assert tightened.new == {"mustBeLessOrEqualTo": 1}
    assert "amount-nulls" in tightened.message and "tightened" in tightened.message


def test_the_largest_change_decides_the_bump_and_breaking_ones_come_first() -> None:
    def several(d: Doc) -> None:
        d["tags"] = ["changed"]
        d["schema"][0]["properties"].append({"name": "channel", "logicalType": "string"})
        _prop(d, "note")["required"] = True

    result = _diff(several)
    assert [c.bump for c in result.changes] == ["major", "minor", "patch"]
    assert result.bump == "major" and len(result.breaking_changes) == 1
    assert result.to_dict()["suggested_version"] == "2.0.0"


def test_a_narrower_type_is_breaking_even_where_the_wider_one_is_not() -> None:
    old = copy.deepcopy(BASE)
    _prop(old, "amount").update(logicalType="number", physicalType="BIGINT")
    result = diff_contracts(old, BASE)  # number -> integer, BIGINT -> INTEGER
    assert {(c.kind, c.path) for c in result.changes} == {
        ("type-changed", "schema.orders.amount.logicalType"),
        ("type-changed", "schema.orders.amount.physicalType")}
    assert result.bump == "major"


def test_diff_is_pure() -> None:
    new = copy.deepcopy(BASE)
    new["schema"][0]["properties"].pop()
    before_old, before_new = copy.deepcopy(BASE), copy.deepcopy(new)
    diff_contracts(BASE, new)
    assert before_old == BASE and before_new == new


def test_rules_without_ids_are_matched_by_what_they_check() -> None:
    old = copy.deepcopy(BASE)
    for rule in old["schema"][0]["quality"]:
        rule.pop("id")
    new = copy.deepcopy(old)
    new["schema"][0]["quality"][0]["mustBeGreaterThan"] = 50
    (change,) = diff_contracts(old, new).changes
    assert change.kind == "quality-rule-loosened" and change.bump == "minor"


def _examples() -> list[Any]:
    demo = sorted((REPO_ROOT / "domains").rglob("*.odcs.yaml"))
    shared = sorted(SHARED_STANDARDS.glob("odcs-examples/*.odcs.yaml")) \
        if SHARED_STANDARDS.is_dir() else []
    return demo + shared


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_every_known_contract_compared_with_itself_has_no_change(path: Any) -> None:
    doc = ryaml.loads(path.read_text(encoding="utf-8"))
    assert diff_contracts(doc, copy.deepcopy(doc)).changes == ()


@pytest.mark.parametrize(("old", "bump", "new"), [
    ("1.4.2", "major", "2.0.0"), ("1.4.2", "minor", "1.5.0"), ("1.4.2", "patch", "1.4.3"),
    ("1.4.2", "none", "1.4.2"), ("v1.0.0", "minor", "v1.1.0"), ("0.3.1", "major", "1.0.0"),
    ("2.0.0-rc.1", "major", "2.0.0"), ("1.2.0-rc.1", "minor", "1.2.0"),
    ("1.2.3-beta", "patch", "1.2.3"), ("1.2.3+build.5", "patch", "1.2.4"),
])
def test_next_version_follows_semver(old: str, bump: Any, new: str) -> None:
    assert next_version(old, bump) == new


@pytest.mark.parametrize("bad", ["1.0", "one", "01.2.3", ""])
def test_next_version_refuses_what_is_not_a_semantic_version(bad: str) -> None:
    with pytest.raises(InvalidRequest, match="MAJOR.MINOR.PATCH"):
        next_version(bad, "minor")
