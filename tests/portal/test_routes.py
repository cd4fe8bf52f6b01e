"""URL parameters of the discover page (portal/routes.py) and that every page path exists."""

from __future__ import annotations

from catalog.config import REPO_ROOT
from catalog.search import SearchQuery
from portal import routes


def test_params_round_trip() -> None:
    query = SearchQuery(text="flight delays", domain=("operations",), tag=("nyc", "delays"))
    params = routes.params_from_search_query(query)
    assert params["q"] == ["flight delays"] and params["tag"] == ["nyc", "delays"]
    assert params["owner"] == [] and set(params) == set(routes.DISCOVER_PARAMS)
    assert routes.search_query_from_params(params) == query


def test_params_are_cleaned() -> None:
    query = routes.search_query_from_params(
        {"q": ["  weather "], "tag": ["a", "", "a", "b"], "unknown": ["x"]})
    assert query == SearchQuery(text="weather", tag=("a", "b"))
    assert routes.search_query_from_params({}) == SearchQuery()


def test_page_paths_exist() -> None:
    for page in (routes.HOME, routes.DISCOVER, routes.PRODUCT, routes.DOMAINS, routes.MESH_HEALTH,
                 routes.QUALITY, routes.REGISTER, routes.GOVERNANCE, routes.MY_ACCESS,
                 routes.AUDIT):
        assert (REPO_ROOT / "portal" / page).is_file(), page
