"""Each global policy on a product that meets it and on one that breaks it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.governance.evaluate import evaluate_mesh, evaluate_product
from catalog.governance.model import Finding
from catalog.governance.registry import global_policies, policy_kinds
from tests.catalog.governance.mesh_builder import mesh_of, odcs, odps, props


def _findings(tmp_path: Path, product: dict[str, Any], contract: dict[str, Any],
              *others: tuple[dict[str, Any], dict[str, Any]],
              scores: dict[str, float | None] | None = None) -> list[Finding]:
    mesh = mesh_of(tmp_path / "domains", (product, contract), *others)
    assert not [p for p in mesh.problems if p.severity == "error"], mesh.problems
    return evaluate_product(mesh.products[product["id"]], mesh, quality_scores=scores)


def _of(findings: list[Finding], policy: str) -> list[Finding]:
    return [f for f in findings if f.policy_id == policy]


def test_a_compliant_product_has_no_finding(tmp_path: Path) -> None:
    assert _findings(tmp_path, odps(), odcs(), scores={"sales.orders": 95.0}) == []


def test_registry_lists_the_global_set_with_ids_severities_and_fixes() -> None:
    ids = {p.id: p.severity for p in global_policies()}
    assert ids == {"naming-convention": "error", "required-metadata": "error",
                   "pii-classified": "error", "pii-marked": "warning",
                   "required-completeness": "error", "sla-freshness": "error",
                   "min-quality-score": "error", "no-deprecated-inputs": "warning",
                   "no-retired-inputs": "error",
                   "sql-sandboxed": "error", "data-confined": "error"}
    for kind in policy_kinds().values():
        assert kind.title and kind.message and kind.fix and kind.rule


def test_naming_convention(tmp_path: Path) -> None:
    contract = odcs()
    props(contract)[1]["name"] = "OrderAmount"
    props(contract)[0]["name"] = "x" * 64
    found = _of(_findings(tmp_path, odps(), contract), "naming-convention")
    assert [f.message for f in found] == [
        "property name in orders '" + "x" * 64 + "' is 64 characters long; at most 63 are "
        "allowed", "property name in orders 'OrderAmount' is not snake_case (e.g. 'orderamount')"]
    assert {f.file for f in found} == {"domains/sales/orders/orders.odcs.yaml"}
    assert all(f.line and f.severity == "error" for f in found)


def test_required_metadata(tmp_path: Path) -> None:
    product = odps(support=[], team={"name": "T", "members": [
        {"username": "bo@shop.example", "role": "data steward"}]})
    contract = odcs()
    del contract["slaProperties"]
    found = _of(_findings(tmp_path, product, contract), "required-metadata")
    messages = " | ".join(f.message for f in found)
    assert "no team member has the role 'owner'" in messages
    assert "no SLA (slaProperties)" in messages
    assert "no support channel" in messages
    support = next(f for f in found if "support" in f.message)
    assert support.file == "domains/sales/orders/product.odps.yaml"
    text = (tmp_path / support.file).read_text()
    assert text.splitlines()[support.line - 1] == "support: []"


def test_required_metadata_quality_rules(tmp_path: Path) -> None:
    contract = odcs()
    del props(contract)[1]["quality"]
    found = _of(_findings(tmp_path, odps(), contract), "required-metadata")
    assert [f.message for f in found] == ["the contract of port 'orders' has no quality rules"]


def test_pii_classified(tmp_path: Path) -> None:
    contract = odcs()
    props(contract).append({"name": "email", "logicalType": "string", "description": "Mail.",
                            "classification": "internal",
                            "customProperties": [{"property": "pii", "value": "True"}]})
    found = _of(_findings(tmp_path, odps(), contract), "pii-classified")
    assert len(found) == 1 and "is classified 'internal'" in found[0].message
    assert found[0].field == "schema[0].properties[2].classification"
    props(contract)[2]["classification"] = "restricted"
    assert _of(_findings(tmp_path / "ok", odps(), contract), "pii-classified") == []


def test_likely_pii_names_are_flagged_as_a_warning(tmp_path: Path) -> None:
    contract = odcs()
    props(contract).extend([
        {"name": "customer_email", "logicalType": "string", "description": "x",
         "classification": "restricted"},
        {"name": "airline_name", "logicalType": "string", "description": "x",
         "classification": "public"},
        {"name": "phone", "logicalType": "string", "description": "x",
         "classification": "restricted",
         "customProperties": [{"property": "pii", "value": False}]}])
    found = _of(_findings(tmp_path, odps(), contract), "pii-marked")
    assert [f.severity for f in found] == ["warning"]
    assert "'customer_email'" in found[0].message and "('email')" in found[0].message


def test_required_completeness(tmp_path: Path) -> None:
    contract = odcs()
    del props(contract)[0]["required"]  # a primary key nobody checks for nulls
    props(contract)[1]["required"] = True
    props(contract)[1]["quality"][0].update({"mustBe": None})
    del props(contract)[1]["quality"][0]["mustBe"]
    props(contract)[1]["quality"][0].update({"mustBeLessOrEqualTo": 5, "unit": "percent"})
    found = _of(_findings(tmp_path, odps(), contract), "required-completeness")
    assert [f.message for f in found] == [
        "primary-key property 'order_id' of orders is not required and no completeness rule "
        "checks it for nulls",
        "property 'amount' of orders is required, but its rule 'amount-not-null' tolerates "
        "nulls (mustBeLessOrEqualTo 5 percent)"]
    assert found[1].field == "schema[0].properties[1].quality[0]"


def test_a_zero_tolerance_rule_covers_a_primary_key(tmp_path: Path) -> None:
    contract = odcs()
    del props(contract)[0]["required"]
    props(contract)[0]["quality"] = [{"metric": "nullValues", "mustBe": 0}]
    assert _of(_findings(tmp_path, odps(), contract), "required-completeness") == []


def test_sla_freshness_for_source_aligned_only(tmp_path: Path) -> None:
    contract = odcs(slaProperties=[{"property": "frequency", "value": 1, "unit": "d"}])
    found = _of(_findings(tmp_path, odps(), contract), "sla-freshness")
    assert len(found) == 1 and found[0].field == "slaProperties" and found[0].line
    derived = _findings(tmp_path / "agg", odps(type="aggregate"), contract)
    assert _of(derived, "sla-freshness") == []


def test_min_quality_score(tmp_path: Path) -> None:
    low = _of(_findings(tmp_path, odps(), odcs(), scores={"sales.orders": 79.4}),
              "min-quality-score")
    assert [f.message for f in low] == ["quality score 79 is below the minimum of 80"]
    mesh = mesh_of(tmp_path / "m2", (odps(), odcs()))
    for scores in (None, {}, {"sales.orders": None}):
        report = evaluate_mesh(mesh, scores).reports["sales.orders"]
        result = next(r for r in report.results if r.policy_id == "min-quality-score")
        assert result.status == "unknown" and not result.findings
        assert report.rate == 1.0  # not yet measured is neither a pass nor a failure


@pytest.mark.parametrize(("status", "policy", "severity"), [
    ("deprecated", "no-deprecated-inputs", "warning"), ("retired", "no-retired-inputs", "error")])
def test_consuming_a_deprecated_or_retired_product(tmp_path: Path, status: str, policy: str,
                                                   severity: str) -> None:
    upstream = (odps(name="raw_orders", status=status), odcs(name="raw_orders"))
    consumer = odps(name="revenue", type="aggregate", inputPorts=[
        {"name": "sales.raw_orders", "version": "1.0.0",
         "contractId": "sales.raw_orders.raw_orders"}])
    found = _of(_findings(tmp_path, consumer, odcs(name="revenue"), upstream), policy)
    assert [(f.severity, f.message, f.field) for f in found] == [
        (severity, f"consumes sales.raw_orders, which is {status}", "inputPorts[0]")]
    healthy = _findings(tmp_path / "ok", consumer, odcs(name="revenue"),
                        (odps(name="raw_orders"), odcs(name="raw_orders")))
    assert _of(healthy, policy) == []
