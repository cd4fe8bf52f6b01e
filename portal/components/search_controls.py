"""The discover page's controls: search box and facet selectors, kept in sync with the URL.

The URL is the source of truth when it changes from outside (a link, a typed address, the home
page's search box); otherwise the widgets are, and every change is written back to the URL, so
any search can be bookmarked and shared.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st

from catalog import FACETS, SearchQuery
from portal import routes, state
from portal.facets import facet_labels
from portal.safe_text import escape_markdown
from portal.wording import HELP

FACET_LABELS = {"domain": "Domain", "owner": "Owner or team", "tag": "Tag", "status": "Status",
                "classification": "Classification"}
"""Label of each facet selector."""
FACET_HELP = {
    "domain": "The business area that owns the product.",
    "owner": "The product's owner or its team.",
    "tag": HELP["tags"],
    "status": HELP["status"],
    "classification": HELP["classification"] + " A product counts under every level its "
                      "columns use.",
}
FACET_HELP = {facet: text + " Beside a chosen value, (+n) is how many products choosing this "
              "one as well would add." for facet, text in FACET_HELP.items()}
PILL_FACETS = ("domain", "status", "classification")
"""Facets with few values, shown as pills; the others are drop-down multiselects."""


def _url_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in routes.DISCOVER_PARAMS}


def sync_from_url() -> None:
    """Seed the search box and facet selectors from the URL when it changed from outside.

    Call before rendering any control of the page.
    """
    url = _url_params()
    if st.session_state.get(state.DISCOVER_URL) == url:
        return
    query = routes.search_query_from_params(url)
    st.session_state[state.DISCOVER_TEXT] = query.text
    for facet in FACETS:
        st.session_state[state.discover_facet(facet)] = list(query.selected(facet))
    st.session_state[state.DISCOVER_URL] = url


def current_query() -> SearchQuery:
    """The search the controls describe (valid after :func:`sync_from_url`)."""
    return SearchQuery(
        text=str(st.session_state.get(state.DISCOVER_TEXT, "")).strip(),
        **{f: tuple(st.session_state.get(state.discover_facet(f)) or ()) for f in FACETS},
    )


def write_to_url(query: SearchQuery) -> None:
    """Put ``query`` in the URL (only the parameters that changed)."""
    wanted = routes.params_from_search_query(query)
    for name, values in wanted.items():
        if st.query_params.get_all(name) == values:
            continue
        if values:
            st.query_params[name] = values
        elif name in st.query_params:
            del st.query_params[name]
    st.session_state[state.DISCOVER_URL] = wanted


def clear_search() -> None:
    """Callback: empty the search box and every facet selection."""
    st.session_state[state.DISCOVER_TEXT] = ""
    for facet in FACETS:
        st.session_state[state.discover_facet(facet)] = []


def search_box() -> None:
    """The one search box of the page."""
    st.text_input("Search data products", key=state.DISCOVER_TEXT, icon=":material/search:",
                  placeholder="e.g. flight delays, weather, airline codes",
                  help=HELP["search"])


def facet_selector(facet: str, counts: list[tuple[str, int]], query: SearchQuery,
                   in_results: Counter[str]) -> None:
    """Pills or a multiselect for ``facet`` whose labels carry a number of products that never
    exceeds the results: how many results have a value, or, beside a chosen value, how many
    products choosing another would add (:func:`portal.facets.facet_labels`).

    Pills render their labels as Markdown, so theirs are escaped; a multiselect shows its
    options as plain text.

    Args:
        facet: facet name (see :data:`catalog.search.FACETS`).
        counts: (value, products) pairs from the search result, best first.
        query: the search; its selected values are kept as options even when counted 0.
        in_results: how many of the results have each value of the facet.
    """
    labels = facet_labels(facet, counts, query, in_results)
    options = list(labels)
    if not options:
        return

    def label(value: str) -> str:
        """``"operations (4)"`` or ``"weather (+2)"``."""
        return labels.get(value, value)

    def pill_label(value: str) -> str:
        """:func:`label` escaped: pills render Markdown, and values may come from the URL."""
        return escape_markdown(label(value), one_line=True)

    key = state.discover_facet(facet)
    if facet in PILL_FACETS:
        st.pills(FACET_LABELS[facet], options, selection_mode="multi", format_func=pill_label,
                 key=key, help=FACET_HELP[facet])
    else:
        st.multiselect(FACET_LABELS[facet], options, format_func=label, key=key,
                       help=FACET_HELP[facet], placeholder="Any")
