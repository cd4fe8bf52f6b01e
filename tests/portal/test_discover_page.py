"""Discover page: search, facets with counts, empty and partial results, state in the URL."""

from __future__ import annotations

import re

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from portal import routes, state
from tests.portal.pagetest import assert_clean, linked_products, open_page, texts

pytestmark = pytest.mark.usefixtures("demo_env")


def test_query_in_the_url_finds_the_product_first() -> None:
    at = open_page(routes.DISCOVER, q="flights")
    assert_clean(at)
    assert at.text_input(key=state.DISCOVER_TEXT).value == "flights"
    found = linked_products(at)
    assert found[0] == "operations.flights"
    assert "NYC departing flights 2013" in texts(at)


def test_a_facet_narrows_results_and_goes_into_the_url() -> None:
    at = open_page(routes.DISCOVER, q="flights")
    before = linked_products(at)
    domain_pills = at.pills(key=state.discover_facet("domain"))
    assert all(re.fullmatch(r".+ \(\d+\)", label) for label in domain_pills.options)
    operations_label = next(o for o in domain_pills.options if o.startswith("operations ("))
    domain_pills.set_value(["operations"]).run()
    assert_clean(at)
    after = linked_products(at)
    assert after and len(after) < len(before)
    assert all(pid.startswith("operations.") for pid in after)
    assert operations_label == f"operations ({len(after)})"
    assert at.query_params.get("domain") == "operations"
    assert at.query_params.get(routes.QUERY_PARAM) == "flights"


def test_every_facet_is_read_from_the_url() -> None:
    catalog = Catalog()
    product = catalog.product(LOCAL_USER, "reference.airlines")
    at = open_page(routes.DISCOVER, domain="reference", tag=product.tags[0], status="active")
    assert_clean(at)
    assert at.pills(key=state.discover_facet("domain")).value == ["reference"]
    assert at.multiselect(key=state.discover_facet("tag")).value == [product.tags[0]]
    assert at.pills(key=state.discover_facet("status")).value == ["active"]
    found = linked_products(at)
    assert "reference.airlines" in found
    assert all(pid.startswith("reference.") for pid in found)


def test_no_match_gives_advice_and_a_way_back() -> None:
    at = open_page(routes.DISCOVER, q="qqqzzzxxy")
    assert_clean(at)
    assert linked_products(at) == []
    assert any("No products match" in i.value for i in at.info)
    at.button(key=state.DISCOVER_CLEAR).click().run()
    assert_clean(at)
    assert len(linked_products(at)) == len(Catalog().mesh().products)
    assert routes.QUERY_PARAM not in at.query_params


def test_partial_match_is_announced() -> None:
    at = open_page(routes.DISCOVER, q="flights qqqzzzxxy")
    assert_clean(at)
    assert linked_products(at)
    assert any("match only some" in i.value for i in at.info)


def test_typing_a_query_updates_results_and_url() -> None:
    at = open_page(routes.DISCOVER)
    everything = linked_products(at)
    at.text_input(key=state.DISCOVER_TEXT).input("airlines").run()
    assert_clean(at)
    found = linked_products(at)
    assert found[0] == "reference.airlines"
    assert len(found) < len(everything)
    assert at.query_params.get(routes.QUERY_PARAM) == "airlines"


def test_facet_counts_never_exceed_the_results() -> None:
    at = open_page(routes.DISCOVER, domain="weather")
    assert_clean(at)
    results = len(linked_products(at))
    labels = at.pills(key=state.discover_facet("domain")).options
    counts = {label.split(" (")[0]: label.split(" (")[1].rstrip(")") for label in labels}
    assert counts["weather"] == str(results)
    # Beside the chosen value, the others say how many products choosing them would add.
    others = {value: count for value, count in counts.items() if value != "weather"}
    assert others and all(count.startswith("+") for count in others.values())
    for facet in ("owner", "tag"):
        for label in at.multiselect(key=state.discover_facet(facet)).options:
            assert int(label.rsplit("(", 1)[1].rstrip(")")) <= results, label


def test_facet_labels_count_what_a_choice_adds() -> None:
    from collections import Counter

    from catalog import SearchQuery
    from portal.facets import facet_labels

    query = SearchQuery(tag=("delays",))
    counts = [("delays", 4), ("weather", 3), ("flights", 5)]
    in_results = Counter({"delays": 4, "weather": 1, "flights": 5})
    assert facet_labels("tag", counts, query, in_results) == {
        "delays": "delays (4)", "weather": "weather (+2)", "flights": "flights (+0)"}
    assert facet_labels("tag", counts, SearchQuery(), in_results)["weather"] == "weather (3)"
