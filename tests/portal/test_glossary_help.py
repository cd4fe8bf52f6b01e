"""Jargon on the main screens comes with its explanation: every glossary term shown on the
product's Schema, Contract and Governance tabs and on the Governance and Quality pages has the
glossary's plain-language explanation on the same screen, as a tooltip (``help=``) or a caption.

The text scanned is what a reader sees: titles, text, captions, alerts, metric labels, tab and
widget labels, table headers and the cells the portal and the catalog write (policy titles,
findings and fixes included), not the cells quoting the domains' own prose (descriptions,
business names, rule sentences)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.glossary import GLOSSARY, TECHNICAL, term_pattern
from portal import routes, state
from tests.portal.pagetest import MeshDirs, assert_clean, open_page, texts

FLIGHTS = "operations.flights"
PATTERNS = {term: term_pattern(term) for term in TECHNICAL}
"""The technical terms checked (catalog.glossary.TECHNICAL) and how each is found."""
MANIFEST_COLUMNS = {"Description", "Business name", "Why", "Product", "Rule and result", "Missing",
                    "File", "Property", "Id", "Rule id", "Applies to", "Stale because",
                    "Promised", "Newest record age"}
"""Table columns whose cells hold the domains' own words or names (not scanned)."""


def _elements(node: Any) -> Iterator[Any]:
    children = getattr(node, "children", None)
    for child in (children.values() if isinstance(children, dict) else []):
        yield child
        yield from _elements(child)


def shown_and_help(at: AppTest) -> tuple[str, str]:
    """What the page shows (one piece a line) and every explanation it offers."""
    shown = [texts(at)]
    helps: list[str] = []
    for element in _elements(at._tree):
        proto = getattr(element, "proto", None)
        if proto is None:
            continue
        for field in ("help", "label"):
            if hasattr(proto, field) and getattr(proto, field):
                (helps if field == "help" else shown).append(str(getattr(proto, field)))
        if type(element).__name__ == "Dataframe":
            config = json.loads(proto.columns or "{}")
            helps.extend(str(c.get("help", "")) for c in config.values() if isinstance(c, dict))
            frame = element.value
            shown.extend(str(c) for c in frame.columns)
            for column in frame.columns:
                if column not in MANIFEST_COLUMNS:
                    shown.extend(str(v) for v in frame[column].dropna().unique())
    for tab in at.tabs:
        shown.append(tab.label)
    return "\n".join(shown), "\n".join(helps + [c.value for c in at.caption])


def unexplained(at: AppTest) -> dict[str, list[str]]:
    """Terms shown without their glossary explanation on the page → where they were seen."""
    shown, helps = shown_and_help(at)
    missing: dict[str, list[str]] = {}
    for term, pattern in PATTERNS.items():
        seen = [line.strip()[:80] for line in shown.splitlines() if pattern.search(line)]
        if seen and GLOSSARY[term] not in helps:
            missing[term] = seen[:3]
    return missing


@pytest.fixture(scope="module")
def catalog(demo_env: MeshDirs, demo_history: int, demo_settings: Settings) -> Catalog:
    """The demo mesh with its quality history."""
    return Catalog(demo_settings)


def test_the_glossary_has_every_term_checked() -> None:
    assert sorted(t for t in TECHNICAL if t not in GLOSSARY) == []


@pytest.mark.parametrize("product", [FLIGHTS, "reference.airlines"])
@pytest.mark.parametrize("tab", [routes.SCHEMA, routes.CONTRACT, routes.GOVERNANCE_TAB])
def test_product_tabs_explain_their_jargon(catalog: Catalog, tab: str, product: str) -> None:
    at = open_page(routes.PRODUCT, product=product, tab=tab)
    assert_clean(at)
    assert unexplained(at) == {}


@pytest.mark.parametrize("view", ["Compliance", "Violations", "Approvals", "Policies",
                                  "Mesh in figures"])
def test_governance_page_explains_its_jargon(catalog: Catalog, view: str) -> None:
    at = open_page(routes.GOVERNANCE, **{state.GOVERNANCE_VIEW: view})
    assert_clean(at)
    assert unexplained(at) == {}


@pytest.mark.parametrize("view", ["Per product", "Per domain", "Rules not met", "Freshness",
                                  "Over time"])
def test_quality_page_explains_its_jargon(catalog: Catalog, view: str) -> None:
    at = open_page(routes.QUALITY, **{state.QUALITY_VIEW: view})
    assert_clean(at)
    assert unexplained(at) == {}


def test_the_scan_finds_terms_in_their_spellings(catalog: Catalog) -> None:
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=routes.SCHEMA)
    shown, helps = shown_and_help(at)
    assert PATTERNS["classification"].search(shown) and GLOSSARY["classification"] in helps
    assert PATTERNS["primary key"].search("Primary key")
    assert PATTERNS["sla"].search("the slaProperties of the contract")
    assert PATTERNS["source-aligned"].search("a sourceAligned product")
    assert not PATTERNS["sla"].search("slack channel")
