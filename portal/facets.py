"""Facet labels of the discover page that never count more products than the results hold.

The catalog counts each facet the usual way (:mod:`catalog.search`): a facet's counts apply
the text query and every *other* facet's selection, so choosing a value never hides its
siblings. Shown as they are, the siblings of a chosen value then count products that are not
among the results ("weather (2)" chosen, 2 results, "operations (7)" beside it). Here, in a
facet with a selection, a chosen value shows how many of the results have it, and every other
value how many products choosing it as well would *add* ("operations (+7)"). No Streamlit here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from catalog import FACETS, DataProduct, SearchQuery


def facet_values(product: DataProduct) -> dict[str, set[str]]:
    """A product's values of each facet, as the catalog's search counts them: its domain,
    owners and team, tags, status and the classifications of its columns."""
    owners = set(product.owners)
    if product.team_name:
        owners.add(product.team_name)
    return {"domain": {product.domain}, "owner": owners, "tag": set(product.tags),
            "status": {product.status}, "classification": set(product.classifications())}


def result_counts(products: Iterable[DataProduct]) -> dict[str, Counter[str]]:
    """How many of the results have each value, per facet."""
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for product in products:
        for facet, values in facet_values(product).items():
            counts[facet].update(values)
    return counts


def facet_labels(facet: str, counts: list[tuple[str, int]], query: SearchQuery,
                 in_results: Counter[str]) -> dict[str, str]:
    """The label of each value of ``facet``: ``"value (n)"`` with n at most the number of
    results, or ``"value (+n)"`` for a value that choosing would add n products for.

    Args:
        facet: the facet.
        counts: the catalog's (value, products) pairs for it.
        query: the search (its selections).
        in_results: how many results have each value (:func:`result_counts`).
    """
    selected = query.selected(facet)
    count_of = dict(counts)
    labels: dict[str, str] = {}
    for value in [v for v, _ in counts] + [v for v in selected if v not in count_of]:
        if not selected:
            labels[value] = f"{value} ({count_of.get(value, 0)})"
        elif value in selected:
            labels[value] = f"{value} ({in_results.get(value, 0)})"
        else:
            added = max(0, count_of.get(value, 0) - in_results.get(value, 0))
            labels[value] = f"{value} (+{added})"
    return labels
