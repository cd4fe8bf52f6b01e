"""The Catalog's compliance: cached per mesh load, snapshots at most hourly, KPIs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.governance.evaluate import evaluate_mesh
from catalog.governance.metrics import save_snapshot
from catalog.models.principal import LOCAL_USER
from catalog.store import StateStore
from tests.catalog.governance.mesh_builder import mesh_of, odcs, odps


def _catalog(tmp_path: Path) -> Catalog:
    mesh_of(tmp_path / "domains", (odps(), odcs()),
            (odps(name="refunds", tags=[]), odcs(name="refunds", slaProperties=[])))
    return Catalog(Settings(tmp_path / "domains", tmp_path / "data"), recheck_seconds=0)


def test_compliance_is_cached_until_a_manifest_changes(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    first = catalog.compliance_all(LOCAL_USER)
    assert catalog.compliance_all(LOCAL_USER) is first
    assert first.reports["sales.refunds"].errors == 2  # no SLA at all: metadata and freshness
    assert catalog.compliance(LOCAL_USER, "sales.refunds") is first.reports["sales.refunds"]
    policies = tmp_path / "domains" / "sales" / "policies.yaml"
    policies.write_text("policies:\n  - id: sales-tagged\n    uses: required-tags\n"
                        "    params: {tags: [orders]}\n")
    again = catalog.compliance_all(LOCAL_USER)
    assert again is not first
    assert [f.policy_id for f in again.reports["sales.refunds"].findings][-1] == "sales-tagged"


def test_a_snapshot_is_stored_at_most_once_an_hour(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    catalog.compliance_all(LOCAL_USER)
    [snapshot] = catalog.compliance_trend(LOCAL_USER)
    compliance = catalog.compliance_all(LOCAL_USER)
    measured = sum(r.measured for r in compliance.reports.values())
    assert snapshot["checks"] == measured
    assert snapshot["passed"] == sum(r.passed for r in compliance.reports.values())
    store = StateStore(tmp_path / "other.sqlite")
    later = evaluate_mesh(catalog.mesh(), None)
    assert save_snapshot(store, later)
    assert not save_snapshot(store, later)
    later.evaluated_at += dt.timedelta(hours=1, seconds=1)
    assert save_snapshot(store, later)
    assert len(store.compliance_history()) == 2


def test_kpis(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    kpis = catalog.governance_kpis(LOCAL_USER)
    assert kpis.products == 2 and kpis.discoverable == 1
    assert kpis.not_discoverable == {"sales.refunds": ["tags"]}
    assert kpis.mean_quality is None and kpis.quality_scored == 0
    assert kpis.median_to_active is None and kpis.approvals == 0
    assert kpis.products_per_domain == {"sales": 2}
    assert kpis.consumers_per_product == {"sales.orders": 0, "sales.refunds": 0}
    assert 0 < (kpis.compliance_rate or 0) < 1


def test_the_two_compliance_figures_say_what_they_count(tmp_path: Path) -> None:
    from catalog.governance.presentation import compliance_figures

    compliance = _catalog(tmp_path).compliance_all(LOCAL_USER)
    checks, products = compliance_figures(compliance)
    measured = sum(r.measured for r in compliance.reports.values())
    passed = sum(r.passed for r in compliance.reports.values())
    assert (checks.label, checks.value) == ("Policy checks met", f"{passed} of {measured}")
    assert checks.share == f"{100 * passed / measured:.0f}%"
    assert (products.label, products.value) == ("Products without policy errors", "1 of 2")
    assert products.share == "50%"
    # Each figure names its own unit: a share of checks is never shown beside a count of
    # products as if both were the same "compliance".
    assert "product" in products.help and "check" in checks.help


def test_a_product_with_a_schema_is_never_missing_its_schema(tmp_path: Path) -> None:
    from catalog.governance.metrics import missing_for_discovery

    mesh_of(tmp_path / "domains", (odps(), odcs()))
    mesh = Catalog(Settings(tmp_path / "domains", tmp_path / "data"), recheck_seconds=0).mesh()
    product = mesh.products["sales.orders"]
    assert missing_for_discovery(product) == []
    for prop in product.output_ports[0].raw_contract["schema"][0]["properties"]:
        prop.pop("description", None)
    found = missing_for_discovery(product)
    assert "schema" not in found
    assert found and found[0].startswith("descriptions of ") and found[0].endswith(" columns")


def test_policy_parameters_read_as_words() -> None:
    from catalog.governance.presentation import params_text

    assert params_text({"tags": ["orders", "sales"], "minimum": 3}) == \
        "tags orders, sales · minimum 3"
    assert "[" not in params_text({"allowed": {"b", "a"}}) and params_text(
        {"allowed": {"b", "a"}}) == "allowed a, b"
