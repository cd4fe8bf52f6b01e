"""Home page: figures, domains, search box, tags, and the manifest-problem warning."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from catalog.search import SearchQuery
from portal import routes, state
from tests.portal.pagetest import assert_clean, linked_products, open_page, texts

pytestmark = pytest.mark.usefixtures("demo_env")


def test_home_shows_the_mesh_at_a_glance() -> None:
    at = open_page()
    assert_clean(at)
    catalog = Catalog()
    summary = catalog.summary(LOCAL_USER)
    assert at.title[0].value == "Data mesh portal"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Domains"] == str(summary.domains)
    assert metrics["Data products"] == str(summary.products)
    assert metrics["Owners"] == str(summary.owners)
    links = [link.value for link in at.page_link]
    for domain in catalog.domains(LOCAL_USER):
        assert any(domain.title in label for label in links), domain.title
    top_tag, count = catalog.search(LOCAL_USER, SearchQuery()).facets["tag"][0]
    tag_links = {link.proto.query_string: link.value for link in at.page_link
                 if link.proto.query_string.startswith("tag=")}
    assert tag_links[urlencode({"tag": top_tag})] == f"{top_tag} ({count})"
    assert not at.warning, "no manifest problems in the demo mesh, so no warning"


def test_home_search_opens_discover_with_the_query() -> None:
    at = open_page()
    at.text_input(key=state.HOME_SEARCH).input("weather")
    next(b for b in at.button if b.label == "Search").click().run()
    assert_clean(at)
    assert at.title[0].value == "Discover data products"
    assert at.query_params.get(routes.QUERY_PARAM) == "weather"
    assert at.text_input(key=state.DISCOVER_TEXT).value == "weather"
    found = linked_products(at)
    assert found and any(pid.startswith("weather.") for pid in found[:2]), found
    assert "for “weather”" in texts(at)
