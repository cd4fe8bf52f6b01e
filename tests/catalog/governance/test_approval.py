"""Approval of proposed products: approve, refuse, send back, permissions, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.errors import InvalidRequest, PermissionDenied
from catalog.governance.approval import ApprovalRefused, with_status
from catalog.governance.metrics import time_to_active
from catalog.models.principal import CONSUMER, LOCAL_USER, Principal
from tests.catalog.governance.mesh_builder import mesh_of, odcs, odps

ADMIN = LOCAL_USER
OWNER = Principal("dora@shop.example", "Dora Owner", frozenset({CONSUMER}))  # owner by team
STRANGER = Principal("eve@shop.example", "Eve", frozenset({CONSUMER, "domain owner"}))
CONSUMER = Principal("carl@shop.example", "Carl", frozenset({"consumer"}))


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    """A mesh with a proposed product that meets every policy and one that breaks one."""
    root = tmp_path / "domains"
    mesh_of(root, (odps(status="proposed"), odcs()),
            (odps(name="refunds", status="proposed"),
             odcs(name="refunds", slaProperties=[{"property": "frequency", "value": 1}])))
    odps_file = root / "sales" / "orders" / "product.odps.yaml"
    odps_file.write_text("# Orders of the web shop (keep this comment)\n"
                         + odps_file.read_text().replace("status: proposed",
                                                         "status: proposed  # awaiting review"))
    return Catalog(Settings(root, tmp_path / "data"), recheck_seconds=0)


def test_the_queue_lists_proposed_products_with_their_compliance(catalog: Catalog) -> None:
    queue = {p.id: r for p, r in catalog.approval_queue(ADMIN)}
    assert set(queue) == {"sales.orders", "sales.refunds"}
    assert queue["sales.orders"].errors == 0 and queue["sales.refunds"].errors == 1


def test_approve_rewrites_the_status_only_and_records_the_decision(catalog: Catalog) -> None:
    file = catalog.product(ADMIN, "sales.orders").odps_file
    before = file.read_text()
    decision = catalog.approve(ADMIN, "sales.orders")
    after = file.read_text()
    assert after == before.replace("status: proposed  # awaiting review",  # comment column kept
                                   "status: active    # awaiting review")
    assert catalog.product(ADMIN, "sales.orders").status == "active"
    [event] = catalog.store.audit("sales.orders")
    assert (event["actor"], event["action"], event["seq"]) == ("local", "product.approved",
                                                               decision.audit_seq)
    assert event["detail"]["from"] == "proposed" and event["detail"]["to"] == "active"
    assert event["detail"]["proposed_since_source"] == "file-modified"
    assert catalog.governance_kpis(ADMIN).approvals == 1
    assert [p.id for p, _ in catalog.approval_queue(ADMIN)] == ["sales.refunds"]


def test_approval_is_refused_while_a_policy_error_remains(catalog: Catalog) -> None:
    file = catalog.product(ADMIN, "sales.refunds").odps_file
    before = file.read_bytes()
    with pytest.raises(ApprovalRefused, match="sla-freshness") as refused:
        catalog.approve(ADMIN, "sales.refunds")
    assert [f.policy_id for f in refused.value.findings] == ["sla-freshness"]
    assert file.read_bytes() == before and catalog.store.audit("sales.refunds") == []


def test_send_back_needs_a_reason_and_sets_draft(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequest, match="Say why"):
        catalog.send_back(ADMIN, "sales.refunds", "   ")
    catalog.send_back(ADMIN, "sales.refunds", "Promise a freshness SLA first.")
    assert catalog.product(ADMIN, "sales.refunds").status == "draft"
    [event] = catalog.store.audit("sales.refunds")
    assert event["action"] == "product.sent_back"
    assert event["detail"]["reason"] == "Promise a freshness SLA first."
    with pytest.raises(InvalidRequest, match="not proposed"):
        catalog.approve(ADMIN, "sales.refunds")


def test_only_domain_owners_and_governance_admins_decide(catalog: Catalog) -> None:
    for who in (CONSUMER, STRANGER):
        assert not catalog.may_decide(who, "sales.orders")
        with pytest.raises(PermissionDenied, match="owner or data steward of the product.s domain"):
            catalog.approve(who, "sales.orders")
        with pytest.raises(PermissionDenied):
            catalog.send_back(who, "sales.orders", "no")
    assert catalog.store.audit() == []
    assert catalog.may_decide(OWNER, "sales.orders")  # an owner in the domain's team
    catalog.approve(OWNER, "sales.orders")
    assert catalog.store.audit("sales.orders")[0]["actor"] == "dora@shop.example"


def test_with_status_adds_a_missing_status_line() -> None:
    text = "apiVersion: v1.1.0\nid: a.b\nversion: 1.0.0\nname: b\n"
    assert with_status(text, "active") == ("apiVersion: v1.1.0\nid: a.b\nversion: 1.0.0\n"
                                           "status: active\nname: b\n")


def test_median_time_to_active_comes_from_approval_records() -> None:
    at = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    audit = [{"action": "product.approved", "at": at.isoformat(),
              "detail": {"proposed_since": (at - dt.timedelta(days=d)).isoformat()}}
             for d in (1, 3, 8)] + [{"action": "product.sent_back", "at": at.isoformat(),
                                     "detail": {}}]
    assert sorted(time_to_active(audit)) == [dt.timedelta(days=d) for d in (1, 3, 8)]
