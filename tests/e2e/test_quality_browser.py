"""What only a browser shows of quality: a person opens a product's Quality tab, runs the checks
and sees the new result; the mesh-wide Quality page and the Governance page lead to a
product's tab in the same browser tab (links and table buttons)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER

pytestmark = pytest.mark.e2e

TIMEOUT = 60_000  # ms
FLIGHTS = "operations.flights"
CHART = "[data-testid='stImage'] img"
"""A chart: an SVG picture."""


def _wait_for_app(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def test_run_checks_now_from_the_quality_tab(demo_history: int, portal_url: str, page,
                                             demo_catalog: Catalog, tmp_path: Path
                                             ) -> None:  # type: ignore[no-untyped-def]
    before = len(demo_catalog.quality_history(LOCAL_USER, FLIGHTS))
    page.goto(f"{portal_url}/product?product={FLIGHTS}&tab=quality")  # a hand-typed link
    _wait_for_app(page)
    assert page.get_by_role("tab", name="Quality").get_attribute("aria-selected") == "true"
    button = page.get_by_role("button", name=re.compile("Run checks now"))
    button.wait_for(timeout=TIMEOUT)
    button.click()

    done = page.get_by_text(re.compile(r"Checked \d+ rules in [\d.]+ s: ")).first
    done.wait_for(timeout=TIMEOUT)
    _wait_for_app(page)
    runs = demo_catalog.quality_history(LOCAL_USER, FLIGHTS)
    assert len(runs) == before + 1 and runs[-1].trigger == "portal"
    page.get_by_text(re.compile(r"Latest check: data as of .* checked from the portal")
                     ).wait_for(timeout=TIMEOUT)
    page.get_by_text("2.45% missing ✗ (8,255 rows)").first.wait_for(timeout=TIMEOUT)
    grade = runs[-1].score.grade
    assert page.get_by_test_id("stMetricValue").filter(has_text=re.compile(f"^{grade}$")
                                                       ).count() == 1
    page.locator(CHART).first.wait_for(timeout=TIMEOUT)
    assert page.locator("[data-testid='stSkeleton']").count() == 0, "nothing left loading"
    assert page.locator("[data-testid='stException']").count() == 0
    page.mouse.move(5, 5)  # no tooltip in the picture
    page.set_viewport_size({"width": 1400, "height": 2200})  # the whole tab in one picture
    page.wait_for_timeout(500)
    shot = tmp_path / "quality-tab.png"
    page.screenshot(path=str(shot))  # docs/quality-tab.png is this picture, cropped


def test_quality_page_links_to_products(demo_history: int, portal_url: str, page,
                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{portal_url}/quality?quality_domain=weather&quality_view=Per+domain")
    _wait_for_app(page)
    page.get_by_role("heading", name="Data quality").wait_for(timeout=TIMEOUT)
    page.locator(CHART).first.wait_for(timeout=TIMEOUT)  # the domain × kind-of-rule heatmap
    page.screenshot(path=str(tmp_path / "quality-page.png"))
    link = page.locator("[data-testid='stPageLink'] a", has_text="Hourly weather").first
    link.wait_for(timeout=TIMEOUT)
    assert "quality_domain=weather" in page.url
    link.click()
    page.wait_for_url(re.compile(r"/product\?product=weather\.hourly_observations"
                                 r"&tab=Quality"), timeout=TIMEOUT)
    page.get_by_role("button", name=re.compile("Run checks now")).wait_for(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0


def _click_first_product(page, table) -> None:  # type: ignore[no-untyped-def]
    """Click the product button of the table's first row (a data grid draws on a canvas)."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 40, box["y"] + 35 + 17)  # header 35 px, then the first row


def test_a_table_row_opens_the_product_tab_in_the_same_browser_tab(
        demo_history: int, portal_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 2000})
    page.goto(f"{portal_url}/quality?quality_domain=weather")
    _wait_for_app(page)
    scores = page.locator("[data-testid='stDataFrame']").first
    scores.locator("canvas").first.wait_for(timeout=TIMEOUT)
    _click_first_product(page, scores)
    page.wait_for_url(re.compile(r"/product\?product=weather\.[a-z_]+&tab=Quality"),
                      timeout=TIMEOUT)
    page.get_by_role("button", name=re.compile("Run checks now")).wait_for(timeout=TIMEOUT)
    assert len(page.context.pages) == 1, "no new browser tab"

    page.goto(f"{portal_url}/governance?governance_view=Violations")
    _wait_for_app(page)
    page.get_by_text("Click a product's name to open its Governance tab").wait_for(
        timeout=TIMEOUT)
    violations = page.locator("[data-testid='stDataFrame']").first  # the page's first table
    violations.locator("canvas").first.wait_for(timeout=TIMEOUT)
    _click_first_product(page, violations)
    page.wait_for_url(re.compile(r"/product\?product=[a-z_.]+&tab=Governance"),
                      timeout=TIMEOUT)
    page.get_by_text(re.compile("This product (breaks|meets)")).first.wait_for(timeout=TIMEOUT)
    assert len(page.context.pages) == 1
