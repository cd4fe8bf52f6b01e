"""Product: everything about one data product; ``/product?product=<id>&tab=<tab>``.

Only the open tab runs (``st.tabs`` bound to the ``tab`` URL parameter), so a click elsewhere
does not redo the work of the other five, and a link can open any tab
(``/product?product=operations.flights&tab=Quality``; the tab's name in any case).
"""

from __future__ import annotations

from contextlib import suppress

import streamlit as st

from catalog import Action, DomainNotFound, ProductNotFound
from portal import routes, state
from portal.components.badges import product_badges
from portal.components.compliance_checklist import compliance_checklist
from portal.components.contract_view import contract_view, manifest_downloads
from portal.components.data_view import data_view
from portal.components.not_found import not_found
from portal.components.product_edit import edit_button, edit_outcome, edit_panel, editing
from portal.components.product_header import trust_signals
from portal.components.product_overview import product_overview
from portal.components.quality_view import quality_view
from portal.components.schema_table import schema_table
from portal.safe_text import code_span, escape_markdown
from portal.services import current_principal, errors_shown, get_catalog

catalog = get_catalog()
principal = current_principal()
product_id = st.query_params.get(routes.PRODUCT_PARAM, "").strip()

if not product_id:
    st.title("Data product", anchor=False)
    st.caption("Choose a data product, or search for one on the discover page.")
    titles = {p.id: p.title for p in catalog.all_products(principal)}
    choice = st.selectbox("Data product", list(titles), index=None, key=state.PRODUCT_PICKER,
                          format_func=lambda pid: f"{titles[pid]} ({pid})",  # plain text
                          placeholder="Choose a data product")
    st.page_link(routes.DISCOVER, label="Search the catalog", icon=":material/search:")
    if choice:
        st.query_params[routes.PRODUCT_PARAM] = choice
        st.rerun()
    st.stop()

try:
    product = catalog.product(principal, product_id)
except ProductNotFound as err:
    not_found("Data product not found", err,
              [(routes.DISCOVER, "Search the catalog", ":material/search:"),
               (routes.MESH_HEALTH, "Check mesh health", ":material/health_and_safety:")])

domain_title = product.domain
with suppress(DomainNotFound):  # a product of an unknown domain still shows its name
    domain_title = catalog.domain(principal, product.domain).title
st.title(escape_markdown(product.title, one_line=True), anchor=False)
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.markdown(code_span(product.id))
    product_badges(product)
    st.page_link(routes.DOMAINS, label=f"Domain: {escape_markdown(domain_title, one_line=True)}",
                 icon=":material/domain:",
                 query_params={routes.DOMAIN_PARAM: product.domain})
    if catalog.decide(principal, Action.PUBLISH_VERSION, product.id).allowed:
        st.page_link(routes.REGISTER, label="Publish a new version", icon=":material/upgrade:",
                     query_params={routes.PRODUCT_PARAM: product.id})
    edit_button(catalog, principal, product)
with errors_shown():
    trust_signals(product.id, catalog.verdict(principal, product.id),
                  catalog.compliance(principal, product.id))
edit_outcome(product.id)
if editing(product.id):
    with errors_shown():
        edit_panel(catalog, principal, product)
    st.stop()

# A hand-typed ``tab=quality`` selects the Quality tab (the URL then names it as labelled).
asked = st.query_params.get(routes.TAB_PARAM)
if asked and routes.canonical_tab(asked) not in (None, asked):
    st.session_state[state.PRODUCT_TAB] = routes.canonical_tab(asked)
overview, schema, contract, data, quality, governance = st.tabs(
    list(routes.PRODUCT_TABS), key=state.PRODUCT_TAB, bind="query-params")

if overview.open:
    with overview, errors_shown():
        product_overview(product, catalog.upstream(principal, product.id),
                         catalog.downstream(principal, product.id),
                         role=catalog.role_here(principal, product.id),
                         port_access={p.name: catalog.port_access(principal, product.id, p.name)
                                      for p in product.output_ports})

if schema.open:
    with schema:
        for port in product.output_ports:
            if len(product.output_ports) > 1:
                st.subheader(f"Output port {escape_markdown(port.name, one_line=True)}",
                             anchor=False)
            schema_table(port)

if contract.open:
    with contract, errors_shown():
        for port in product.output_ports:
            if len(product.output_ports) > 1:
                st.subheader(f"Output port {escape_markdown(port.name, one_line=True)}",
                             anchor=False)
            contract_view(port)
        manifest_downloads(product.id, catalog.manifest_files(principal, product.id),
                           catalog.product_documentation(principal, product.id))

if data.open:
    with data:
        data_view(catalog, principal, product)

if quality.open:
    with quality, errors_shown():
        quality_view(catalog, principal, product,
                     may_run=catalog.decide(principal, Action.RUN_CHECKS, product.id).allowed)

if governance.open:
    with governance, errors_shown():
        compliance_checklist(catalog, principal, product)
