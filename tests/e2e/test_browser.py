"""What only a browser shows: a person searches, opens a product, downloads its CSV; deep links
and navigation work in the real server."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from tests.e2e.conftest import download_by_link

pytestmark = pytest.mark.e2e

TIMEOUT = 30_000  # ms


def _wait_for_app(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT)
    # Streamlit shows a "running" indicator while the script runs; wait until it is gone.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def test_search_open_product_and_download_csv(portal_url: str, page, demo_catalog: Catalog,
                                              tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{portal_url}/discover")
    _wait_for_app(page)
    box = page.get_by_role("textbox", name="Search data products")
    box.fill("flihgts")  # a typo: still finds the flights product first
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=flihgts"), timeout=TIMEOUT)
    title = demo_catalog.product(LOCAL_USER, "operations.flights").title
    first_card_link = page.locator("[data-testid='stPageLink'] a", has_text=title).first
    first_card_link.wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "discover.png"))
    first_card_link.click()

    page.wait_for_url(re.compile(r"/product\?product=operations\.flights"), timeout=TIMEOUT)
    page.get_by_role("heading", name=title).wait_for(timeout=TIMEOUT)
    page.get_by_role("tab", name=re.compile("Data")).click()
    link = page.get_by_role("link", name=re.compile("Download CSV"))
    link.wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "product-data.png"), full_page=True)
    download = download_by_link(page, link, timeout_ms=120_000)
    # Named after the data's period (flights of 2013, into the first hours of 2014 in UTC).
    assert re.fullmatch(r"operations\.flights-\d+\.\d+\.\d+-2013-01-01_2014-01-01\.csv",
                        download.suggested_filename)
    page.get_by_text(f"Download started: {download.suggested_filename}").wait_for(
        timeout=TIMEOUT)
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    with target.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = sum(1 for _ in reader)
    columns = [c.name for c in demo_catalog.columns(LOCAL_USER, "operations.flights")]
    assert header == columns
    assert rows == demo_catalog.row_count(LOCAL_USER, "operations.flights") == 336_776


def test_filtered_extract_in_the_browser(portal_url: str, page, demo_catalog: Catalog,
                                         tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{portal_url}/product?product=reference.airlines")
    _wait_for_app(page)
    page.get_by_role("tab", name=re.compile("Data")).click()
    page.get_by_role("button", name=re.compile("Add a row filter")).click()
    value = page.get_by_role("textbox", name="Value")
    value.wait_for(timeout=TIMEOUT)
    # Default filter: first column "equals"; airline code B6 is JetBlue.
    value.fill("B6")
    value.press("Enter")
    page.get_by_text(re.compile(r"1\s+of 16 rows will be downloaded")).wait_for(timeout=TIMEOUT)
    download = download_by_link(page, page.get_by_role("link", name=re.compile("Download CSV")))
    text = Path(download.path()).read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(text))) == [["carrier", "name"], ["B6", "JetBlue Airways"]]


def test_deep_links_and_navigation(portal_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{portal_url}/domains?domain=weather")
    _wait_for_app(page)
    page.get_by_text("Hourly", exact=False).first.wait_for(timeout=TIMEOUT)
    page.goto(f"{portal_url}/product?product=no.such_product")
    _wait_for_app(page)
    page.get_by_text("no data product with id 'no.such_product'").wait_for(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
    page.goto(f"{portal_url}/")
    _wait_for_app(page)
    page.get_by_role("link", name=re.compile("Discover")).first.click()
    page.wait_for_url(re.compile(r"/discover"), timeout=TIMEOUT)
