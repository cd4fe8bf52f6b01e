"""The Governance page (compliance rate, matrix, trend, violations, origins, KPIs, approvals;
one section run at a time), the product's Governance checklist and the compliance badge of
search results."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from portal import routes, state
from tests.portal.pagetest import (
    MeshDirs,
    assert_clean,
    charts,
    copy_manifests,
    linked_products,
    open_page,
    table_columns,
    texts,
    use_mesh,
)

PROPOSED = "fleet.aircraft_utilisation"
VIEWS = ("Compliance", "Violations", "Approvals", "Policies", "Mesh in figures")


def _view(view: str) -> AppTest:
    at = open_page(routes.GOVERNANCE, **{state.GOVERNANCE_VIEW: view})
    assert_clean(at)
    return at


@pytest.fixture(scope="module")
def catalog(demo_env: MeshDirs, demo_history: int, demo_settings: Settings) -> Catalog:
    """The demo mesh with its quality history, as the portal sees it."""
    return Catalog(demo_settings)


@pytest.fixture(scope="module")
def page(catalog: Catalog) -> AppTest:
    """The page as it opens: the Compliance section."""
    at = open_page(routes.GOVERNANCE)
    assert_clean(at)
    return at


@pytest.fixture(scope="module")
def sections(catalog: Catalog) -> dict[str, AppTest]:
    """Each section of the page, opened by its URL."""
    return {view: _view(view) for view in VIEWS}


def test_only_the_open_section_runs(page: AppTest, sections: dict[str, AppTest]) -> None:
    assert [t.label for t in page.tabs] == list(VIEWS)
    assert not page.dataframe and len(charts(page)) == 2  # the matrix and the trend
    assert "waiting for approval: see Approvals" in texts(page)
    assert [len(sections[v].dataframe) for v in VIEWS[1:]] == [1, 0, 1, 0]


def _table(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_kpis_tell_the_truth_about_the_mesh(page: AppTest, catalog: Catalog) -> None:
    compliance = catalog.compliance_all(LOCAL_USER)
    metrics = {m.label: m.value for m in page.metric}
    shares = {m.label: m.proto.delta for m in page.metric}
    measured = sum(r.measured for r in compliance.reports.values())
    passed = sum(r.passed for r in compliance.reports.values())
    assert metrics["Policy checks met"] == f"{passed} of {measured}"
    assert shares["Policy checks met"] == f"{100 * compliance.rate():.0f}%"
    publishable = sum(r.publishable for r in compliance.reports.values())
    assert metrics["Products without policy errors"] == f"{publishable} of 12"
    assert shares["Products without policy errors"] == f"{100 * publishable / 12:.0f}%"
    assert publishable < 12  # the demo genuinely breaks policies
    assert "Compliance rate" not in metrics, "a share of checks beside a count of products"
    assert metrics["Discoverable"] == "100%"
    assert metrics["Median time proposed → active"] == "–"
    assert "no approvals recorded yet" in texts(page)


def test_violations_link_products_and_name_their_origin(sections: dict[str, AppTest]) -> None:
    frame = next(df for df in sections["Violations"].dataframe if "Fix" in df.value.columns)
    assert table_columns(frame)["Product"]["type_config"]["type"] == "button"
    table = frame.value
    titles = {p.id: p.title for p in Catalog().all_products(LOCAL_USER)}
    assert list(table["Product"]) == [titles[pid] for pid in table["Id"]]
    rows = table.set_index("Id")
    airlines = rows.loc["reference.airlines"]
    assert (airlines["Policy"], airlines["Severity"], airlines["Defined in"]) == (
        "sla-freshness", "error", "Global")
    assert airlines["File"] == "domains/reference/airlines/airlines.odcs.yaml:60"
    tagged = rows.loc["reference.airport_connections"]
    assert (tagged["Policy"], tagged["Defined in"]) == ("reference-data-tagged",
                                                        "domains/reference/policies.yaml")
    assert list(table["Severity"]) == sorted(table["Severity"])  # errors first


def test_violations_filter_by_severity(catalog: Catalog) -> None:
    at = _view("Violations")
    at.pills(key=state.GOVERNANCE_SEVERITY).set_value(["warning"]).run()
    assert_clean(at)
    assert set(_table(at, "Fix")["Severity"]) == {"warning"}


def test_matrix_trend_and_origins(page: AppTest, sections: dict[str, AppTest]) -> None:
    pictures = charts(page)
    heat = next(c for c in pictures if "meeting each policy" in c)
    for name in ("fleet", "operations", "passengers", "reference", "weather", "sla-freshness",
                 "required-metadata", "reference-data-tagged"):
        assert f">{name}<" in heat, name
    assert "<title>reference · sla-freshness: 1/3</title>" in heat
    trend = next(c for c in pictures if "Policy checks met over time" in c)
    labels = re.findall(r'rotate\(-30 [^)]*\)">([^<]*)</text>', trend)
    assert labels and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", x) for x in labels)
    origins = _table(sections["Policies"], "Applies to")
    operations = origins[origins["Defined in"] == "domains/operations/policies.yaml"]
    assert list(operations["Policy"]) == ["min-quality-score"]
    assert "minimum 80.0 → 90.0" in operations["Change"].iloc[0]
    assert "every domain" in set(origins["Applies to"])


def test_no_cell_shows_none_or_a_python_list(sections: dict[str, AppTest]) -> None:
    for table in (df for at in sections.values() for df in at.dataframe):
        assert table.proto.placeholder == "–", list(table.value.columns)
        for column in table.value.columns:
            cells = table.value[column].astype(str)
            assert not cells.str.fullmatch(r"\[.*\]|.*\['.*").any(), column


def test_queue_shows_the_proposed_product(sections: dict[str, AppTest]) -> None:
    approvals = sections["Approvals"]
    assert PROPOSED in linked_products(approvals)
    assert not approvals.button(key=state.governance_approve(PROPOSED)).disabled


@pytest.fixture()
def copied_mesh(tmp_path: Path) -> Iterator[MeshDirs]:
    """A private copy of the demo manifests (approval rewrites them), no data."""
    mesh = MeshDirs(copy_manifests(tmp_path / "domains"), tmp_path / "data")
    with use_mesh(mesh):
        yield mesh


def test_approve_from_the_page(copied_mesh: MeshDirs) -> None:
    at = _view("Approvals")
    at.button(key=state.governance_approve(PROPOSED)).click().run()
    assert_clean(at)
    assert f"Approved {PROPOSED}: it is now active." in texts(at)
    assert PROPOSED not in linked_products(at)  # left the queue
    catalog = Catalog(Settings(copied_mesh.root, copied_mesh.data))
    assert catalog.product(LOCAL_USER, PROPOSED).status == "active"
    [event] = catalog.store.audit(PROPOSED)
    assert (event["action"], event["actor"]) == ("product.approved", "local")


def test_send_back_needs_a_reason(copied_mesh: MeshDirs) -> None:
    at = _view("Approvals")
    at.button(key=state.governance_send_back(PROPOSED)).click().run()
    assert "Say why the product is sent back" in texts(at)
    at.text_area(key=state.governance_reason(PROPOSED)).input("Add a freshness SLA.").run()
    at.button(key=state.governance_send_back(PROPOSED)).click().run()
    assert_clean(at)
    assert f"Sent {PROPOSED} back to its team" in texts(at)
    catalog = Catalog(Settings(copied_mesh.root, copied_mesh.data))
    assert catalog.product(LOCAL_USER, PROPOSED).status == "draft"
    assert catalog.store.audit(PROPOSED)[0]["detail"]["reason"] == "Add a freshness SLA."


def test_product_checklist_failures_first_with_fix(catalog: Catalog) -> None:
    at = open_page(routes.PRODUCT, product="reference.airlines", tab=routes.GOVERNANCE_TAB)
    assert_clean(at)
    page = texts(at)
    assert "This product breaks 1 error policy" in page
    assert "`domains/reference/airlines/airlines.odcs.yaml:60` sourceAligned product" in page
    assert "**Fix:** Add to the contract" in page
    failed = page.index("Source-aligned products promise freshness")
    assert failed < page.index("Names follow the naming convention")  # failures first


def test_search_results_show_a_compliance_badge(catalog: Catalog) -> None:
    at = open_page(routes.DISCOVER, q="airports")
    assert_clean(at)
    badges = [line for line in texts(at).splitlines() if "badge[" in line and "olic" in line]
    assert len(badges) == len(linked_products(at)) > 1
    assert any("1 policy error" in line for line in badges)
