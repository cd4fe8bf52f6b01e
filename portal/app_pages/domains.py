"""Domains: every business domain, or one domain with its team and products
(``/domains?domain=<name>``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import DomainNotFound
from portal import routes
from portal.components.domain_card import domain_grid
from portal.components.not_found import not_found
from portal.components.product_card import product_grid
from portal.safe_text import code_span, escape_markdown, md_link
from portal.services import current_principal, get_catalog
from portal.tables import member_rows
from portal.wording import HELP, plural

catalog = get_catalog()
principal = current_principal()
name = st.query_params.get(routes.DOMAIN_PARAM, "").strip()

if not name:
    st.title("Domains", anchor=False)
    st.caption("Each business domain owns and publishes its own data products.")
    domain_grid(catalog.domains(principal), columns=2, describe=400)
    st.stop()

try:
    domain = catalog.domain(principal, name)
except DomainNotFound as err:
    not_found("Domain not found", err, [(routes.DOMAINS, "See all domains", ":material/domain:")])

st.page_link(routes.DOMAINS, label="All domains", icon=":material/arrow_back:")
st.title(escape_markdown(domain.title, one_line=True), anchor=False)
st.caption(f"Domain {code_span(domain.name)} · {plural(len(domain.product_ids), 'data product')}")
role = catalog.role_here(principal, domain=domain.name)
st.markdown(f":material/badge: Your role here: **{escape_markdown(role, one_line=True)}**",
            help="What you are to this domain, from its team in domain.yaml (and the portal's "
                 "configured governance admins). Domain owners and data stewards approve its "
                 "proposed products and decide access requests; every team member may register "
                 "products in it.")
st.markdown(escape_markdown(domain.description))

team, contacts = st.columns([3, 2], gap="large")
with team:
    st.markdown("**Team**" + (f": {escape_markdown(domain.team.name, one_line=True)}"
                               if domain.team and domain.team.name else ""))
    rows = member_rows(domain.team)
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
            "Role": st.column_config.TextColumn(help=HELP["role"]),
            "Contact": st.column_config.LinkColumn(display_text=r"mailto:(.*)"),
        })
    else:
        st.caption("No team members are listed.")
with contacts:
    st.markdown("**Contacts**")
    if not domain.contacts:
        st.caption("No contact channel is listed.")
    for channel in domain.contacts:
        what = " · ".join(escape_markdown(x, one_line=True) for x in (channel.tool, channel.scope)
                          if x)
        st.markdown(f"- :material/support_agent: {md_link(channel.channel, channel.url)}"
                    + (f" ({what})" if what else ""))

st.subheader("Data products", anchor=False)
products = catalog.products(principal, domain.product_ids)
if products:
    product_grid(products, columns=2,
                 quality=catalog.verdicts(principal))
else:
    st.info("This domain publishes no data products yet.", icon=":material/info:")
