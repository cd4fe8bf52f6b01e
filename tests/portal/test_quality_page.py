"""The mesh-wide Quality page: scores per product and domain, the failing rules ranked by
severity then impact, freshness, trends, URL filters; and grades on search results."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from catalog.quality.presentation import severity_rank
from portal import routes, state
from tests.portal.pagetest import MeshDirs, assert_clean, linked_products, open_page, texts


@pytest.fixture(scope="module")
def catalog(demo_env: MeshDirs, demo_history: int, demo_settings: Settings) -> Catalog:
    """The demo mesh with its 2013 history, as the portal sees it."""
    return Catalog(demo_settings)


@pytest.fixture(scope="module")
def dashboard(catalog: Catalog) -> AppTest:
    at = open_page(routes.QUALITY)
    assert_clean(at)
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _ids(frame: pd.DataFrame) -> list[str]:
    assert frame["Product"].str.startswith("/product?product=").all()  # every row links
    return [url.split("=", 1)[1] for url in frame["Product"]]


def test_score_per_product_links_every_product(dashboard: AppTest, catalog: Catalog) -> None:
    latest = catalog.latest_quality_all(LOCAL_USER, with_results=False)
    scores = _table(dashboard, "Grade")
    assert sorted(_ids(scores)) == sorted(p.id for p in catalog.all_products(LOCAL_USER))
    by_id = dict(zip(_ids(scores), scores["Score"], strict=True))
    assert all(by_id[pid] == run.score.value for pid, run in latest.items())
    grades = dict(zip(_ids(scores), scores["Grade"], strict=True))
    assert grades["operations.flights"] == latest["operations.flights"].score.grade
    assert scores.set_index("Title").loc["NYC departing flights 2013", "Downstream"] == 6


def test_domains_heatmap_and_trend(dashboard: AppTest, catalog: Catalog) -> None:
    metrics = {m.label for m in dashboard.metric}
    assert {"Domain operations", "Domain weather", "Domain fleet", "Domain reference",
            "Domain passengers"} <= metrics
    charts = [json.loads(c.proto.spec) for c in dashboard.get("plotly_chart")]
    heat = next(c["data"][0] for c in charts if c["data"][0]["type"] == "heatmap")
    assert set(heat["y"]) == {"fleet", "operations", "passengers", "reference", "weather"}
    assert heat["x"][0] == "completeness"
    trend = charts[-1]["data"][0]
    assert trend["x"][:2] == ["2013-01-31", "2013-02-28"] and len(trend["x"]) >= 12
    assert all(0 <= y <= 100 for y in trend["y"])


def test_failing_rules_ranked_by_severity_then_impact(dashboard: AppTest) -> None:
    rules = _table(dashboard, "Rule and result")
    row = rules.set_index("Rule id").loc["flights-dep-time-nulls"]
    assert row["Observed"] == "2.45% missing" and row["Status"] == "warning"
    assert "2.45% missing ✗" in row["Rule and result"]
    ranks = [(severity_rank(s), -d) for s, d in zip(rules["Severity"], rules["Downstream"],
                                                    strict=True)]
    assert ranks == sorted(ranks)
    assert set(rules["Status"]) <= {"failed", "warning"}


def test_freshness_per_product(dashboard: AppTest) -> None:
    fresh = _table(dashboard, "Promised")
    assert "operations.flights" in _ids(fresh)
    assert set(fresh["Met"]) <= {"✓ met", "✗ not met", "? not measured"}
    assert "Freshness SLA met" in {m.label for m in dashboard.metric}


def test_filters_come_from_the_url_and_narrow(catalog: Catalog) -> None:
    at = open_page(routes.QUALITY, quality_domain="weather")
    assert_clean(at)
    assert at.pills(key=state.QUALITY_DOMAIN).value == ["weather"]
    assert {pid.split(".")[0] for pid in _ids(_table(at, "Grade"))} == {"weather"}

    failing = open_page(routes.QUALITY, quality_status="Failing")
    shown = _ids(_table(failing, "Grade"))
    latest = catalog.latest_quality_all(LOCAL_USER)
    assert shown and all(latest[pid].counts()["failed"] for pid in shown)

    owner = catalog.product(LOCAL_USER, "fleet.aircraft").owners[0]
    at.pills(key=state.QUALITY_DOMAIN).set_value([]).run()
    at.multiselect(key=state.QUALITY_OWNER).set_value([owner]).run()
    assert_clean(at)
    owned = _ids(_table(at, "Grade"))
    assert "fleet.aircraft" in owned
    assert all(owner in catalog.product(LOCAL_USER, pid).owners for pid in owned)


def test_no_match_says_so(catalog: Catalog) -> None:
    at = open_page(routes.QUALITY, quality_domain="weather", quality_status="Not checked yet")
    assert_clean(at)
    assert "No data product matches these filters" in texts(at)


def test_search_results_and_home_show_grades(catalog: Catalog) -> None:
    latest = catalog.latest_quality_all(LOCAL_USER, with_results=False)
    at = open_page(routes.DISCOVER, q="flights")
    assert_clean(at)
    grade = latest["operations.flights"].score.grade
    assert f"Quality {grade}]" in texts(at)
    badges = [line for line in texts(at).splitlines() if "Quality " in line and "badge[" in line]
    assert len(badges) == len(linked_products(at)) > 1  # one badge per result card
    home = open_page()
    assert_clean(home)
    title = catalog.product(LOCAL_USER, "operations.flights").title
    assert f"{title} · {grade}" in [link.label for link in home.page_link]
