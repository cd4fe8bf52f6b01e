"""Discover: one search box, facets with counts, results as cards; all state in the URL."""

from __future__ import annotations

import streamlit as st

from catalog import FACETS
from portal import state
from portal.components import search_controls as controls
from portal.components.product_card import product_grid
from portal.facets import result_counts
from portal.safe_text import escape_markdown
from portal.services import current_principal, get_catalog
from portal.wording import plural

catalog = get_catalog()
principal = current_principal()

controls.sync_from_url()
query = controls.current_query()
result = catalog.search(principal, query)
controls.write_to_url(query)

st.title("Discover data products", anchor=False)
controls.search_box()

products = catalog.products(principal, [hit.product_id for hit in result.hits])
in_results = result_counts(products)
facets, results = st.columns([1.4, 3], gap="medium")
with facets:
    if any(result.facets.get(f) or query.selected(f) for f in FACETS):
        st.markdown("**Narrow down**")
    for facet in FACETS:
        controls.facet_selector(facet, result.facets.get(facet, []), query, in_results[facet])

with results:
    filtered = any(query.selected(f) for f in FACETS)
    if not result.hits:
        st.info("**No products match.** Check the spelling, use fewer or more general words"
                + (", or remove some filters" if filtered else "")
                + ". Every word must match a product's name, tags, owner, columns or description.",
                icon=":material/search_off:")
        st.button("Clear the search and filters", key=state.DISCOVER_CLEAR,
                  on_click=controls.clear_search, icon=":material/filter_alt_off:")
    else:
        typed = escape_markdown(query.text, one_line=True)  # from the URL: shown literally
        if result.partial:
            st.info(f"No product matches every word of “{typed}”; these match only some "
                    "of the words.", icon=":material/info:")
        st.caption(f"{plural(len(result.hits), 'data product')}"
                   + (f" for “{typed}”" if query.text else "")
                   + (" with the chosen filters" if filtered else ""))
        product_grid(products, columns=2,
                     matched={hit.product_id: hit.matched_fields for hit in result.hits},
                     quality=catalog.verdicts(principal))
