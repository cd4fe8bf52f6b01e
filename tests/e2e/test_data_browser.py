"""The data tab in a real browser: a first-time user opens it from a link, picks a month, is told
how many rows the file will hold and which day has no data, downloads exactly that, and is told
what was downloaded; the preview's grid offers no download of its own."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from catalog.catalog import Catalog
from catalog.extracts import ExtractRequest, FilterOp, RowFilter
from catalog.models.principal import LOCAL_USER
from tests.e2e.conftest import TIMEOUT_MS, download_by_link

pytestmark = pytest.mark.e2e

WEATHER = "weather.hourly_observations"


def _settled(page: Any) -> None:
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS)


def _choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the drop-down labelled ``label``."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    _settled(page)


def test_a_month_of_weather_as_a_first_time_user(portal_url: str, page: Any,
                                                  demo_catalog: Catalog, tmp_path: Path) -> None:
    version = demo_catalog.product(LOCAL_USER, WEATHER).version
    december = ExtractRequest(filters=(
        RowFilter("time_hour", FilterOp.GREATER_OR_EQUAL, "2013-12-01"),
        RowFilter("time_hour", FilterOp.LESS, "2014-01-01")))
    expected = demo_catalog.row_count(LOCAL_USER, WEATHER, None, december)
    total = demo_catalog.row_count(LOCAL_USER, WEATHER)

    page.goto(f"{portal_url}/product?product={WEATHER}&tab=data")
    _settled(page)
    add = page.get_by_role("button", name=re.compile("Add a row filter"))
    add.wait_for(timeout=TIMEOUT_MS)
    box = add.bounding_box()
    assert box is not None and box["y"] < 1000, "the form is above the fold"
    page.get_by_text("No rows for 31 December 2013.").wait_for(timeout=TIMEOUT_MS)

    add.click()
    _settled(page)
    _choose(page, "Column", "time_hour")
    _choose(page, "Condition", "is in the month")
    _choose(page, "Month", "December 2013")
    page.get_by_text(re.compile(rf"{expected:,}\s+of {total:,} rows will be downloaded")).wait_for(
        timeout=TIMEOUT_MS)
    page.get_by_text("Rows where time_hour in December 2013.").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("No rows for 31 December 2013.").wait_for(timeout=TIMEOUT_MS)
    name = f"{WEATHER}-{version}-2013-12.csv"
    page.get_by_text(name).first.wait_for(timeout=TIMEOUT_MS)

    # The preview shows December's first rows; its grid offers no (100-row) CSV of its own.
    preview = page.locator(".st-key-data_preview [data-testid='stDataFrame']")
    preview.locator("canvas").first.wait_for(timeout=TIMEOUT_MS)
    preview.hover()
    page.wait_for_timeout(300)
    grid_download = page.locator(".st-key-data_preview button[aria-label^='Download as CSV']")
    assert grid_download.count() == 0 or not grid_download.first.is_visible()
    page.screenshot(path=str(tmp_path / "data-tab.png"), full_page=True)

    download = download_by_link(page, page.get_by_role("link", name=re.compile("Download CSV")))
    assert download.suggested_filename == name
    target = tmp_path / name
    download.save_as(target)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == expected
    assert {r["time_hour"][:7] for r in rows} == {"2013-12"}
    page.get_by_text(re.compile(rf"Download started: {re.escape(name)}, {expected:,} rows")
                     ).wait_for(timeout=TIMEOUT_MS)
    assert page.locator("[data-testid='stException']").count() == 0
