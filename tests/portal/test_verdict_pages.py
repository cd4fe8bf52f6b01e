"""One verdict everywhere: Home, search cards, the product header and the Quality tab show the
same grade for a product, before and after "Run checks now"; a stale run says so on every view;
the Home introduction can be dismissed; every term the portal explains has a glossary entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.glossary import GLOSSARY
from catalog.models.principal import LOCAL_USER
from catalog.quality.history import save_run
from catalog.quality.verdict import Verdict
from portal import routes, state
from tests.portal.pagetest import MeshDirs, assert_clean, open_page, texts, use_mesh

FLIGHTS = "operations.flights"
PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _views(product_id: str, title: str) -> dict[str, str]:
    """The text of each view that shows the product's verdict: Home, search, the product
    page with its Quality tab."""
    home = open_page()
    search = open_page(routes.DISCOVER, q=title)
    product = open_page(routes.PRODUCT, product=product_id, tab=routes.QUALITY_TAB)
    for at in (home, search, product):
        assert_clean(at)
    return {"home": "\n".join(link.value for link in home.page_link),
            "search": texts(search), "product": texts(product)}


def _assert_agree(verdict: Verdict, title: str, views: dict[str, str]) -> None:
    """Each view shows ``verdict``'s grade, with 'stale' exactly when it is stale."""
    short = verdict.label().removeprefix("Quality ")
    assert f"{title} · {short}" in views["home"], views["home"]
    assert f" {verdict.label()}]" in views["search"]  # the card's badge
    header = f"Quality {verdict.grade} · {verdict.score:.1f}" + (
        " · stale" if verdict.stale else "")
    assert header in views["product"]
    assert f"**{verdict.label()}**" in views["product"]  # the Quality tab's verdict line


@pytest.fixture(scope="module")
def catalog(demo_env: MeshDirs, demo_history: int, demo_settings: Settings) -> Catalog:
    """The demo mesh after a build: history then a current run."""
    return Catalog(demo_settings)


def test_every_view_agrees_before_and_after_run_checks_now(catalog: Catalog) -> None:
    title = catalog.product(LOCAL_USER, FLIGHTS).title
    before = catalog.verdict(LOCAL_USER, FLIGHTS)
    assert before.run is not None and not before.stale  # the build ended with a current run
    _assert_agree(before, title, _views(FLIGHTS, title))
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=routes.QUALITY_TAB)
    at.button(key=state.product_quality_run(FLIGHTS)).click().run()
    assert_clean(at)
    after = catalog.verdict(LOCAL_USER, FLIGHTS)
    assert after.run is not None and after.run.trigger == "portal"
    assert (after.grade, after.stale) == (before.grade, before.stale)  # same data, same verdict
    _assert_agree(after, title, _views(FLIGHTS, title))


@pytest.fixture()
def small_mesh(fixture_mesh: Settings) -> Iterator[Settings]:
    """The small fixture mesh as the portal's mesh (an empty store of its own)."""
    with use_mesh(MeshDirs(fixture_mesh.mesh_root, fixture_mesh.data_dir)):
        yield fixture_mesh


def test_a_stale_run_is_labelled_stale_on_every_view(small_mesh: Settings) -> None:
    catalog = Catalog(small_mesh, recheck_seconds=0)
    product = catalog.all_products(LOCAL_USER)[0]
    run = catalog.run_quality(LOCAL_USER, product.id, store=False)
    save_run(catalog.store, dataclasses.replace(run, product_version="0.0.1",
                                                as_of=run.started_at + dt.timedelta(seconds=1)))
    found = catalog.verdict(LOCAL_USER, product.id)
    assert found.stale and "version 0.0.1" in found.sentence()
    views = _views(product.id, product.title)
    _assert_agree(found, product.title, views)
    assert "This result is stale" in views["product"]


def test_the_introduction_can_be_dismissed() -> None:
    at = open_page()
    assert "What is a data product" in texts(at)
    at.button(key=state.HOME_INTRO_DISMISS).click().run()
    assert_clean(at)
    assert "What is a data product" not in texts(at)
    at.run()  # stays closed for the session
    assert "What is a data product" not in texts(at)


def test_every_term_the_portal_explains_has_a_glossary_entry() -> None:
    """Every ``explain("…")`` in the portal names a glossary term."""
    used = {term for path in PORTAL.rglob("*.py")
            for term in re.findall(r"""explain\(\s*["']([^"']+)["']\s*\)""",
                                   path.read_text(encoding="utf-8"))}
    assert used, "the portal explains terms from the glossary"
    assert sorted(t for t in used if t.lower() not in GLOSSARY) == []
