"""The whole access flow in a real browser, signed in through a real OpenID Connect provider: a
consumer finds a restricted port locked and asks for it (with one sensitive column), the owner
of its domain approves on My access, the consumer previews and downloads the data with only the
column granted in clear; the audit log has every step.

The mesh's data folder is a private copy, so the grant made here reaches no other test.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from catalog.access.masking import MASK
from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from portal import state
from portal.safe_text import WORD_JOINER
from tests.e2e.conftest import (
    TIMEOUT_MS,
    download_by_link,
    new_page,
    serve_portal,
    wait_for_text,
)
from tests.e2e.oidc import OIDC_ENV, PEOPLE, oidc_provider, server_folder, sign_in

pytestmark = pytest.mark.e2e

PRODUCT, PORT = "passengers.bookings", "bookings"
ANA, SOFIA = "ana@example.com", "sofia.rossi@skyport.example"
PURPOSE = "Seat-load analysis for the spring schedule review"
NOTE = "Approved for the spring schedule review; delete the extract afterwards."
PASSENGER_EMAIL = re.compile(r"[a-z]+\.[a-z]+[0-9]*@example\.(?:com|net|org)")
"""A passenger's (synthetic) address, as the contract's pattern of ``email`` says."""


def _keyed(page: Any, key: str) -> Any:
    """The element of the widget with Streamlit key ``key`` (its ``st-key-…`` class)."""
    return page.locator(".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip()))


def _text(page: Any) -> str:
    """What the page shows in its main area, without the invisible word joiners."""
    return page.locator("[data-testid='stMain']").inner_text().replace(WORD_JOINER, "")


def _data_tab(page: Any, url: str) -> None:
    page.goto(f"{url}/product?product={PRODUCT}")
    page.get_by_role("tab", name=re.compile("Data")).click(timeout=TIMEOUT_MS)


def _settled(page: Any) -> None:
    """Wait until no script run is in progress (Streamlit's running indicator is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS)


def test_request_approve_and_download_with_masking(
        browser: Any, demo_settings: Settings, tmp_path: Path) -> None:
    assert {ANA, SOFIA} <= set(PEOPLE)
    settings = Settings(mesh_root=demo_settings.mesh_root,
                        data_dir=shutil.copytree(demo_settings.data_dir, tmp_path / "data"))
    catalog = Catalog(settings)
    total = catalog.row_count(LOCAL_USER, PRODUCT, PORT)
    key = state.product_access

    with oidc_provider(tmp_path / "provider.log") as issuer, serve_portal(
            settings, tmp_path / "portal.log", cwd=server_folder(tmp_path / "cwd", issuer),
            env=OIDC_ENV) as url:
        ana_context, ana = new_page(browser)
        sofia_context, sofia = new_page(browser)
        for person in (ana, sofia):  # tall enough for the screenshots to show whole pages
            person.set_viewport_size({"width": 1400, "height": 1800})
        try:
            # 1. Ana finds the port locked and asks for it, with the e-mail column only.
            sign_in(ana, url, ANA)
            _data_tab(ana, url)
            purpose = _keyed(ana, key(PRODUCT, PORT, "purpose")).locator("textarea")
            purpose.wait_for(timeout=TIMEOUT_MS)
            page = _text(ana)
            assert ("Only the product's team, its domain's team, a governance admin, or someone "
                    f"with an approved access request may preview and extract data on {PRODUCT}."
                    ) in page
            tab = ana.get_by_role("tabpanel")  # the tab shown
            assert tab.locator("[data-testid='stDataFrame']").count() == 0, "no rows shown"
            assert "rows will be downloaded" not in page, "no row count"
            assert tab.get_by_role("link", name=re.compile("Download CSV")).count() == 0
            assert not PASSENGER_EMAIL.search(ana.content().replace(WORD_JOINER, "")), \
                "no passenger's address anywhere in the page, hidden tabs included"
            ports = _keyed(ana, key(PRODUCT, PORT, "ports"))
            assert ports.get_by_text(PORT, exact=True).count() == 1, "the port is proposed"

            purpose.fill(PURPOSE)
            days = _keyed(ana, key(PRODUCT, PORT, "days")).locator("input")
            days.fill("30")
            days.press("Tab")
            _keyed(ana, key(PRODUCT, PORT, "columns")).click()
            options = ana.get_by_role("option")
            options.first.wait_for(timeout=TIMEOUT_MS)
            offered = options.all_inner_texts()
            assert {"email", "date_of_birth", "passenger_name"} <= set(offered), offered
            ana.get_by_role("option", name="email", exact=True).click()
            ana.get_by_text("The product's owners and data stewards decide").click()  # closes it
            options.first.wait_for(state="detached", timeout=TIMEOUT_MS)
            ana.screenshot(path="/tmp/access-1.png", full_page=True)
            _keyed(ana, key(PRODUCT, PORT, "submit")).get_by_role("button").click()

            wait_for_text(ana, "is waiting for a decision")
            page = _text(ana)
            sent = re.search(rf"Your request #(\d+) for {PORT} \(.*\) was sent to the owners "
                             rf"of {re.escape(PRODUCT)} and is waiting", page)
            assert sent, page
            request_id = int(sent.group(1))
            assert "sensitive columns email" in page and "30 days" in page, page
            # a pending request replaces the form (stale elements of the rerun fade out first)
            purpose.wait_for(state="detached", timeout=TIMEOUT_MS)
            ana.screenshot(path=str(tmp_path / "access-1-pending.png"), full_page=True)

            # 2. Sofia, owner of the passengers domain, approves with a note.
            sign_in(sofia, url, SOFIA)
            sofia.goto(f"{url}/my-access")
            note = _keyed(sofia, state.my_access_request(request_id, "note")).locator("textarea")
            note.wait_for(timeout=TIMEOUT_MS)
            page = _text(sofia)
            assert "Requests to decide" in page
            assert f"Ana Consumer ({ANA}) asks" in page and "Sensitive columns: email." in page
            assert PURPOSE in page
            note.fill(NOTE)
            note.press("Tab")  # the text area's value reaches the server when it loses focus
            _settled(sofia)
            _keyed(sofia, state.my_access_request(request_id, "approve")).get_by_role(
                "button").click()
            wait_for_text(sofia, f"Approved request #{request_id}")
            assert (f"Approved request #{request_id}: Ana Consumer may now read {PORT} of "
                    f"{PRODUCT}") in _text(sofia)
            assert _keyed(sofia, state.my_access_request(request_id, "approve")).count() == 0
            sofia.screenshot(path=str(tmp_path / "access-2.png"), full_page=True)

            # 3. Ana sees the preview and downloads the extract: e-mail in clear, the rest masked.
            _data_tab(ana, url)
            tab = ana.get_by_role("tabpanel")
            download = tab.get_by_role("link", name=re.compile("Download CSV"))
            download.wait_for(timeout=TIMEOUT_MS)
            tab.locator("[data-testid='stDataFrame']").wait_for(timeout=TIMEOUT_MS)
            page = _text(ana)
            assert f"{total:,} of {total:,} rows will be downloaded" in page, page
            assert ("passenger_name, date_of_birth, frequent_flyer_number, fare_usd are masked"
                    in page), page
            assert "may preview and extract data" not in page
            ana.screenshot(path="/tmp/access-3.png", full_page=True)
            downloaded = download_by_link(ana, download)
            extract = tmp_path / downloaded.suggested_filename
            downloaded.save_as(extract)
        finally:
            ana_context.close()
            sofia_context.close()

    with extract.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {"email", "date_of_birth"} <= set(rows[0])
    assert len(rows) == total, "the extract form applies no row limit"
    assert all("@" in r["email"] and r["email"].endswith(("example.com", "example.net",
                                                          "example.org")) for r in rows)
    assert {r["date_of_birth"] for r in rows} == {MASK}, "her grant does not name it"

    events = Catalog(settings).audit_log(LOCAL_USER, target=PRODUCT)
    done = {(e["action"], e["actor"]) for e in events}
    assert {("access.requested", ANA), ("access.granted", SOFIA),
            ("data.extracted", ANA)} <= done, done
    [requested] = [e for e in events if e["action"] == "access.requested"]
    assert {k: requested["detail"][k] for k in ("request_id", "ports", "columns", "purpose",
                                                "duration_days")} == {
        "request_id": request_id, "ports": [PORT], "columns": ["email"], "purpose": PURPOSE,
        "duration_days": 30}, "what the form held reached the request"
    [granted] = [e for e in events if e["action"] == "access.granted"]
    assert (granted["detail"]["request_id"], granted["detail"]["consumer"],
            granted["detail"]["note"], granted["detail"]["columns"]) == (
        request_id, ANA, NOTE, ["email"]), "the note typed reached the decision"
    [extracted] = [e for e in events if e["action"] == "data.extracted"]
    assert "date_of_birth" in extracted["detail"]["masked"]
    assert "email" not in extracted["detail"]["masked"]
    assert extracted["detail"]["rows"] == total
