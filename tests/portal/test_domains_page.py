"""Domains page: the list of domains and one domain's team, contacts and products."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from portal import routes
from tests.portal.pagetest import assert_clean, linked_products, open_page, texts

pytestmark = pytest.mark.usefixtures("demo_env")


def test_all_domains_are_listed_with_links() -> None:
    at = open_page(routes.DOMAINS)
    assert_clean(at)
    domains = Catalog().domains(LOCAL_USER)
    queries = {link.proto.query_string for link in at.page_link}
    for domain in domains:
        assert f"domain={domain.name}" in queries
        assert domain.title in texts(at)


def test_deep_link_shows_one_domain() -> None:
    at = open_page(routes.DOMAINS, domain="operations")
    assert_clean(at)
    domain = Catalog().domain(LOCAL_USER, "operations")
    assert at.title[0].value == domain.title
    assert set(linked_products(at)) == set(domain.product_ids)
    team = at.dataframe[0].value
    assert "owner" in set(team["Role"])
    assert "#ops-data" in texts(at)


def test_unknown_domain_is_an_error() -> None:
    at = open_page(routes.DOMAINS, domain="nowhere")
    assert_clean(at)
    assert "nowhere" in at.error[0].value
