"""Home: what the mesh holds at a glance, a search box and ways into discovery."""

from __future__ import annotations

import streamlit as st

from catalog import SearchQuery, explain
from portal import routes, state
from portal.components.domain_card import domain_grid
from portal.components.governance_charts import counts_bar
from portal.components.quality_badge import grade_overview
from portal.safe_text import escape_markdown
from portal.services import current_principal, get_catalog
from portal.wording import HELP, plural, type_label

catalog = get_catalog()
principal = current_principal()
summary = catalog.summary(principal)

st.title("Data mesh portal", anchor=False)
st.caption("Find, understand and use the data products our business domains publish.")

if not st.session_state.get(state.HOME_INTRO_DISMISSED):
    with st.container(border=True, key=state.HOME_INTRO):
        st.markdown("**New here? What is a data product**")
        st.markdown(
            "A data product is a data set a business team publishes for everyone else: it has "
            "an owner you can ask, a description, a data contract listing its columns and "
            "the rules its data must meet, and promises about how fresh it is. Each product "
            "shows a **quality grade** (A best, E worst) from the latest check of its data, "
            "marked *stale* when that check no longer tells how the data is now. Search "
            "below, open a product, and read its tabs; hover over a ? for what a word means.")
        if st.button("Got it, hide this", key=state.HOME_INTRO_DISMISS, icon=":material/close:"):
            st.session_state[state.HOME_INTRO_DISMISSED] = True
            st.rerun()

if summary.problems:
    st.warning(f"The manifests have {plural(summary.problems, 'error')}, so some data products "
               "may be missing from the catalog.", icon=":material/warning:")
    st.page_link(routes.MESH_HEALTH, label="See what is wrong on the mesh health page",
                 icon=":material/health_and_safety:")

with st.form(state.HOME_SEARCH_FORM, border=False, enter_to_submit=True):
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    text = left.text_input("Search data products", key=state.HOME_SEARCH, help=HELP["search"],
                           placeholder="e.g. flight delays, weather, airline codes")
    if right.form_submit_button("Search", icon=":material/search:", width="stretch"):
        st.switch_page(routes.DISCOVER,
                       query_params={routes.QUERY_PARAM: text.strip()} if text.strip() else None)

metrics = st.columns(4)
metrics[0].metric("Domains", summary.domains, border=True, help=explain("domain"))
metrics[1].metric("Data products", summary.products, border=True,
                  help=explain("data product"))
metrics[2].metric("Owners", summary.owners, border=True,
                  help="People named as owner of at least one product.")
metrics[3].metric("Columns described", f"{summary.properties:,}", border=True,
                  help="Properties (columns) documented in the products' data contracts.")

engines = catalog.data_engines(principal)
fallbacks = sum(f for _n, f in engines.values())
st.caption("Data is read where it lives: " + ", ".join(
    f"{name} ({plural(n, 'product')})" for name, (n, _f) in engines.items()) + (
    f". {plural(fallbacks, 'product')} read from a local DuckDB copy: the engine its contract "
    "names first (e.g. PostgreSQL) is not configured here." if fallbacks else "."))

by_status, by_type = st.columns(2, gap="large")
with by_status:
    st.markdown("**Products by status**", help=HELP["status"])
    st.image(counts_bar(summary.by_status, "products"))
with by_type:
    st.markdown("**Products by type**", help=HELP["type"])
    st.image(counts_bar({type_label(t) or t: n for t, n in summary.by_type.items()},
                        "products"))

st.subheader("Domains", anchor=False)
domain_grid(catalog.domains(principal), columns=3, describe=160)

st.subheader("Data quality", anchor=False)
grade_overview(catalog.all_products(principal), catalog.verdicts(principal))

st.subheader("Popular tags", anchor=False)
tags = catalog.search(principal, SearchQuery()).facets.get("tag", [])[:16]
with st.container(horizontal=True, gap="small"):
    for tag, count in tags:
        st.page_link(routes.DISCOVER, label=escape_markdown(f"{tag} ({count})", one_line=True),
                     icon=":material/sell:", query_params={"tag": tag})
st.page_link(routes.DISCOVER, label="Browse every data product", icon=":material/arrow_forward:")
