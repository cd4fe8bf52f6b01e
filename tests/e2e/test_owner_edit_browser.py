"""An owner edits a product in a real browser: the description and a quality rule, previewed in
words, published as a new version; the product page and its Quality tab show the new version.

The portal runs in local single-user mode (its one user is a governance admin, who may edit
every product) over a writable copy of the built demo mesh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.config import Settings
from tests.e2e.conftest import serve_portal, writable_demo_copy

pytestmark = pytest.mark.e2e

TIMEOUT = 30_000  # ms
PRODUCT = "reference.airlines"
DESCRIPTION = "Airline codes and the names behind them, for every flight table."
RULE = "At least 15 airlines are listed"


@pytest.fixture(scope="module")
def writable_mesh(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
                  ) -> Settings:
    """A copy of the built demo mesh that publishing may write to."""
    return writable_demo_copy(demo_settings, tmp_path_factory.mktemp("edit-e2e"))


@pytest.fixture(scope="module")
def edit_url(writable_mesh: Settings, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[str]:
    """A real portal server over the writable mesh, in local single-user mode."""
    log = tmp_path_factory.mktemp("edit-server") / "streamlit.log"
    with serve_portal(writable_mesh, log, env={"MESH_AUTH": "local"}) as url:
        yield url


def _settled(page: Any) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def _fill(box: Any, text: str) -> None:
    box.fill(text)
    box.press("Tab")


def test_an_owner_edits_a_description_and_a_rule_and_publishes(
        edit_url: str, page: Any, writable_mesh: Settings, tmp_path: Path) -> None:
    page.goto(f"{edit_url}/product?product={PRODUCT}")
    _settled(page)
    page.get_by_role("button", name="Edit").click()
    description = page.get_by_role("textbox", name="Description", exact=True)
    description.wait_for(timeout=TIMEOUT)
    _settled(page)
    assert description.input_value().startswith("The official list of airline codes")
    _fill(description, DESCRIPTION)

    rule = page.locator("[data-testid='stExpander']", has_text="airlines-row-count")
    rule.get_by_text("airlines-row-count").click()
    threshold = rule.get_by_role("textbox", name="Threshold")
    threshold.wait_for(timeout=TIMEOUT)
    assert threshold.input_value() == "16"
    _fill(threshold, "15")
    _fill(rule.get_by_role("textbox", name="Rule description"), RULE)
    page.get_by_role("button", name="Preview changes").click()
    page.get_by_text("Version 1.0.0 → 1.1.0").wait_for(timeout=TIMEOUT)
    _settled(page)
    page.screenshot(path=str(tmp_path / "edit-preview.png"), full_page=True)

    publish = page.get_by_role("button", name="Publish version 1.1.0")
    publish.click()
    page.get_by_text("Published version 1.1.0 of reference.airlines.").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_text(DESCRIPTION).first.wait_for(timeout=TIMEOUT)
    assert page.get_by_text("1.1.0").count() >= 1
    page.screenshot(path=str(tmp_path / "edit-published.png"), full_page=True)

    page.goto(f"{edit_url}/product?product={PRODUCT}&tab=Quality")
    _settled(page)
    # the run of the new version, and the edited rule with its new limit in the rules table
    # (a grid drawn on a canvas; its cells are mirrored for screen readers)
    page.get_by_text(re.compile(r"version 1\.1\.0 · \d+ rules")).wait_for(timeout=2 * TIMEOUT)
    rule_id = page.locator("[role='gridcell']", has_text="airlines-row-count")
    rule_id.first.wait_for(state="attached", timeout=2 * TIMEOUT)
    _settled(page)
    page.screenshot(path=str(tmp_path / "edit-quality-tab.png"))
    cells = page.locator("[role='gridcell']").all_inner_texts()
    assert "at least 15 rows" in cells  # the rule's new limit, measured on the data
    assert page.get_by_text(re.compile("stale")).count() == 0  # checked at the new version

    contract = yaml.safe_load((writable_mesh.mesh_root / "reference" / "airlines"
                               / "airlines.odcs.yaml").read_text())
    assert contract["version"] == "1.1.0"
    assert contract["schema"][0]["quality"][0]["mustBeGreaterOrEqualTo"] == 15
    assert contract["schema"][0]["quality"][0]["description"] == RULE
    assert (writable_mesh.mesh_root / "reference" / "airlines" / "_versions" / "1.0.0"
            / "airlines.odcs.yaml").exists()
