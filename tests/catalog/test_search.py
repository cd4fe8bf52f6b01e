"""Search ranking, typo tolerance and facets, on the demo mesh a user would search."""

from __future__ import annotations

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from catalog.search import SearchQuery


def _ids(catalog: Catalog, **query: object) -> list[str]:
    return [h.product_id for h in catalog.search(LOCAL_USER, SearchQuery(**query)).hits]


def test_exact_name_comes_first(demo_catalog: Catalog) -> None:
    result = demo_catalog.search(LOCAL_USER, SearchQuery("flights"))
    assert result.hits[0].product_id == "operations.flights"
    assert result.hits[0].exact
    assert len(result.hits) > 1  # other products mentioning flights follow, ranked
    assert not any(h.exact for h in result.hits[1:])
    scores = [h.score for h in result.hits[1:]]
    assert scores == sorted(scores, reverse=True)


def test_exact_id_and_title_match(demo_catalog: Catalog) -> None:
    assert _ids(demo_catalog, text="weather.hourly_observations")[0] == \
        "weather.hourly_observations"
    title = demo_catalog.product(LOCAL_USER, "fleet.aircraft").title
    assert _ids(demo_catalog, text=title.upper())[0] == "fleet.aircraft"


def test_typo_is_tolerated(demo_catalog: Catalog) -> None:
    assert _ids(demo_catalog, text="flihgts")[0] == "operations.flights"
    assert "weather.hourly_observations" in _ids(demo_catalog, text="weahter")


def test_property_names_and_owners_are_searched(demo_catalog: Catalog) -> None:
    assert "operations.flights" in _ids(demo_catalog, text="tailnum")
    owner = demo_catalog.product(LOCAL_USER, "operations.flights").owners[0]
    assert owner == "María López"
    for typed in (owner, "maria lopez"):  # accents optional, as people type names
        result = demo_catalog.search(LOCAL_USER, SearchQuery(typed))
        hits = [h.product_id for h in result.hits]
        assert not result.partial and "operations.flights" in hits
        assert all(owner in demo_catalog.product(LOCAL_USER, h).owners for h in hits), hits


def test_all_words_must_match_else_partial(demo_catalog: Catalog) -> None:
    both = demo_catalog.search(LOCAL_USER, SearchQuery("weather delay"))
    assert not both.partial and both.hits
    nonsense = demo_catalog.search(LOCAL_USER, SearchQuery("weather zzqxv"))
    assert nonsense.partial and nonsense.hits
    assert demo_catalog.search(LOCAL_USER, SearchQuery("zzqxv")).hits == []


def test_facets_count_and_narrow(demo_catalog: Catalog) -> None:
    everything = demo_catalog.search(LOCAL_USER, SearchQuery())
    domains = dict(everything.facets["domain"])
    assert sum(domains.values()) == len(everything.hits) == len(demo_catalog.mesh().products)
    narrowed = demo_catalog.search(LOCAL_USER, SearchQuery(domain=("weather",)))
    assert len(narrowed.hits) == domains["weather"]
    assert all(h.product_id.startswith("weather.") for h in narrowed.hits)
    # A facet's own counts ignore its own selection, so siblings stay visible.
    assert dict(narrowed.facets["domain"]) == domains
    statuses = dict(narrowed.facets["status"])
    assert sum(statuses.values()) == len(narrowed.hits)


def test_facets_combine_with_text(demo_catalog: Catalog) -> None:
    result = demo_catalog.search(LOCAL_USER, SearchQuery("delay", status=("active",)))
    assert result.hits
    for hit in result.hits:
        assert demo_catalog.product(LOCAL_USER, hit.product_id).status == "active"


def test_classification_facet(fixture_catalog: Catalog) -> None:
    result = fixture_catalog.search(LOCAL_USER, SearchQuery(classification=("restricted",)))
    assert [h.product_id for h in result.hits] == ["sales.customers"]
