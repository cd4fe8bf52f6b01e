"""The mesh-wide Quality page: scores per product and domain, the failing rules ranked by
severity then impact, freshness, trends, URL filters, one section run at a time, stale results
labelled stale; and grades on search results."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from catalog.quality.presentation import severity_rank
from portal import routes, state
from portal.components.product_table import clicked_product
from tests.portal.pagetest import (
    MeshDirs,
    assert_clean,
    charts,
    linked_products,
    open_page,
    table_columns,
    texts,
)


@pytest.fixture(scope="module")
def catalog(demo_env: MeshDirs, demo_history: int, demo_settings: Settings) -> Catalog:
    """The demo mesh with its 2013 history, as the portal sees it."""
    return Catalog(demo_settings)


VIEWS = ("Per product", "Per domain", "Rules not met", "Freshness", "Over time")


def _view(view: str, **params: str) -> AppTest:
    at = open_page(routes.QUALITY, **{state.QUALITY_VIEW: view}, **params)
    assert_clean(at)
    return at


@pytest.fixture(scope="module")
def dashboard(catalog: Catalog) -> AppTest:
    """The page as it opens: the Per product section."""
    at = open_page(routes.QUALITY)
    assert_clean(at)
    return at


@pytest.fixture(scope="module")
def sections(catalog: Catalog) -> dict[str, AppTest]:
    """Each section of the page, opened by its URL."""
    return {view: _view(view) for view in VIEWS}


def test_only_the_open_section_runs(dashboard: AppTest, sections: dict[str, AppTest]) -> None:
    assert [t.label for t in dashboard.tabs] == list(VIEWS)
    assert "one tab each" not in texts(dashboard)  # no code comment written by magic
    assert len(dashboard.dataframe) == 1 and not charts(dashboard)  # the score table only
    assert len(sections["Rules not met"].dataframe) == 1
    assert len(sections["Freshness"].dataframe) == 1
    assert not sections["Per domain"].dataframe and len(charts(sections["Per domain"])) == 1
    assert not sections["Over time"].dataframe and len(charts(sections["Over time"])) == 1


def _table(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _ids(frame: pd.DataFrame) -> list[str]:
    return list(frame["Id"])


def test_every_table_opens_the_product_quality_tab_in_the_same_browser_tab(
        sections: dict[str, AppTest]) -> None:
    tables = [df for at in sections.values() for df in at.dataframe if "Id" in df.value.columns]
    assert len(tables) == 3  # scores, rules not met, freshness
    for table in tables:
        config = table_columns(table)["Product"]
        assert config["type_config"]["type"] == "button", "a link column opens a new tab"
        assert "Product" in table.proto.button_click_widgets
        titles = {p.id: p.title for p in Catalog().all_products(LOCAL_USER)}
        assert list(table.value["Product"]) == [titles[pid] for pid in table.value["Id"]]


def test_a_click_picks_the_row_s_product() -> None:
    ids = ["a.one", "b.two"]
    assert clicked_product({"row": 1, "label": "Two"}, ids) == "b.two"
    assert clicked_product(None, ids) is None
    assert clicked_product({"row": 2, "label": "?"}, ids) is None
    assert clicked_product({"row": True, "label": "?"}, ids) is None


def test_no_table_cell_shows_none_or_a_symbol(sections: dict[str, AppTest]) -> None:
    for table in (df for at in sections.values() for df in at.dataframe):
        assert table.proto.placeholder == "–", list(table.value.columns)
        text = table.value.astype(str).to_string()
        assert "✓" not in text and "✗" not in text


def test_score_per_product_links_every_product(dashboard: AppTest, catalog: Catalog) -> None:
    latest = catalog.latest_quality_all(LOCAL_USER, with_results=False)
    scores = _table(dashboard, "Grade")
    assert sorted(_ids(scores)) == sorted(p.id for p in catalog.all_products(LOCAL_USER))
    by_id = dict(zip(_ids(scores), scores["Score"], strict=True))
    assert all(by_id[pid] == run.score.value for pid, run in latest.items())
    grades = dict(zip(_ids(scores), scores["Grade"], strict=True))
    assert grades["operations.flights"] == latest["operations.flights"].score.grade
    assert scores.set_index("Product").loc["NYC departing flights 2013",
                                           "Products built on it"] == 6
    ranked = [s for s in scores["Score"] if not pd.isna(s)]
    assert ranked == sorted(ranked)  # lowest score first


def test_domains_heatmap_and_trend(sections: dict[str, AppTest], catalog: Catalog) -> None:
    metrics = {m.label for m in sections["Per domain"].metric}
    assert {"Domain operations", "Domain weather", "Domain fleet", "Domain reference",
            "Domain passengers"} <= metrics
    pictures = charts(sections["Per domain"]) + charts(sections["Over time"])
    heat = next(c for c in pictures if "quality dimension, per domain" in c)
    for domain in ("fleet", "operations", "passengers", "reference", "weather"):
        assert f">{domain}<" in heat
    assert heat.index(">completeness<") < heat.index(">uniqueness<")
    trend = pictures[-1]
    points = re.findall(r"<title>([^<]*): ([^<]*)</title></circle>", trend)
    assert [label for label, _ in points[:2]] == ["2013-01-31", "2013-02-28"]
    assert len(points) >= 12 and all(0 <= float(v) <= 100 for _, v in points)


def test_failing_rules_ranked_by_severity_then_impact(sections: dict[str, AppTest]) -> None:
    rules = _table(sections["Rules not met"], "Rule and result")
    row = rules.set_index("Rule id").loc["flights-dep-time-nulls"]
    assert row["Result"] == "not met (warning)" and row["Id"] == "operations.flights"
    assert "— 2.45% missing (8," in row["Rule and result"]
    ranks = [(severity_rank(s), -d) for s, d in zip(rules["Severity"],
                                                    rules["Products built on it"], strict=True)]
    assert ranks == sorted(ranks)
    assert set(rules["Result"]) <= {"not met", "not met (warning)"}


def test_freshness_per_product(sections: dict[str, AppTest]) -> None:
    fresh = _table(sections["Freshness"], "Promised")
    assert "operations.flights" in _ids(fresh)
    assert set(fresh["Met"]) <= {"met", "not met", "not measured"}
    assert "Freshness promise met" in {m.label for m in sections["Freshness"].metric}


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
