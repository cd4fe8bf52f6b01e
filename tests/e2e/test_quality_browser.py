"""What only a browser shows of quality: a person opens a product's Quality tab, runs the checks
and sees the new result; the mesh-wide Quality page links to products."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER

pytestmark = pytest.mark.e2e

TIMEOUT = 60_000  # ms
FLIGHTS = "operations.flights"


def _wait_for_app(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def test_run_checks_now_from_the_quality_tab(demo_history: int, portal_url: str, page,
                                             demo_catalog: Catalog, tmp_path: Path
                                             ) -> None:  # type: ignore[no-untyped-def]
    before = len(demo_catalog.quality_history(LOCAL_USER, FLIGHTS))
    page.goto(f"{portal_url}/product?product={FLIGHTS}")
    _wait_for_app(page)
    page.get_by_role("tab", name=re.compile("Quality")).click()
    button = page.get_by_role("button", name=re.compile("Run checks now"))
    button.wait_for(timeout=TIMEOUT)
    button.click()

    done = page.get_by_text(re.compile(r"Checked \d+ rules in [\d.]+ s: score"))
    done.wait_for(timeout=TIMEOUT)
    _wait_for_app(page)
    runs = demo_catalog.quality_history(LOCAL_USER, FLIGHTS)
    assert len(runs) == before + 1 and runs[-1].trigger == "portal"
    page.get_by_text(re.compile(r"Latest run: data as of .* portal run")).wait_for(
        timeout=TIMEOUT)
    page.get_by_text("2.45% missing ✗ (8,255 rows)").first.wait_for(timeout=TIMEOUT)
    grade = runs[-1].score.grade
    assert page.get_by_test_id("stMetricValue").filter(has_text=re.compile(f"^{grade}$")
                                                       ).count() == 1
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
    page.mouse.move(5, 5)  # no tooltip in the picture
    page.set_viewport_size({"width": 1400, "height": 2200})  # the whole tab in one picture
    page.wait_for_timeout(500)
    shot = tmp_path / "quality-tab.png"
    page.screenshot(path=str(shot))  # docs/quality-tab.png is this picture, cropped


def test_quality_page_links_to_products(demo_history: int, portal_url: str, page,
                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{portal_url}/quality?quality_domain=weather")
    _wait_for_app(page)
    page.get_by_role("heading", name="Data quality").wait_for(timeout=TIMEOUT)
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "quality-page.png"))
    link = page.locator("[data-testid='stPageLink'] a", has_text="Hourly weather").first
    link.wait_for(timeout=TIMEOUT)
    assert "quality_domain=weather" in page.url
    link.click()
    page.wait_for_url(re.compile(r"/product\?product=weather\.hourly_observations"),
                      timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_click_on_a_score_bar_opens_the_product(demo_history: int, portal_url: str, page
                                                  ) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 2000})  # the chart without scrolling
    page.goto(f"{portal_url}/quality?quality_domain=fleet")
    _wait_for_app(page)
    bar = page.locator(".js-plotly-plot g.point path").first
    bar.wait_for(timeout=TIMEOUT)
    box = bar.bounding_box()
    assert box is not None
    # Plotly's drag layer lies over the bars: click where the bar is, as a person would.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/product\?product=fleet\."), timeout=TIMEOUT)
    page.get_by_role("tab", name=re.compile("Quality")).wait_for(timeout=TIMEOUT)
