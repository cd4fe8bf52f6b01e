"""The overview tab of a product: description, owner and team, support, lineage, ports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog.mesh import DataProduct
from portal import routes
from portal.tables import member_rows
from portal.wording import HELP, md, safe_url


def _text_section(title: str, text: str, empty: str) -> None:
    st.markdown(f"**{title}**")
    st.markdown(md(text) if text.strip() else f"_{empty}_")


def _links(products: list[DataProduct], empty: str) -> None:
    if not products:
        st.caption(empty)
    for other in products:
        st.page_link(routes.PRODUCT, label=md(other.title), icon=":material/dataset:",
                     help=f"Data product {other.id}",
                     query_params={routes.PRODUCT_PARAM: other.id})


def _people(product: DataProduct) -> None:
    st.markdown("**Owner and team**")
    owners = ", ".join(product.owners) or "No owner is named."
    st.markdown(f":material/person: Owner: **{md(owners)}**")
    if product.team_name:
        st.caption(f"Team: {md(product.team_name)}")
    rows = member_rows(product.team)
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
            "Role": st.column_config.TextColumn(help=HELP["role"]),
            "Contact": st.column_config.LinkColumn(display_text=r"mailto:(.*)"),
        })


def _support(product: DataProduct) -> None:
    st.markdown("**Getting help**")
    if not product.support:
        st.caption("No support channel is listed.")
    for channel in product.support:
        url = safe_url(channel.url)
        name = md(channel.channel)
        label = f"[{name}]({url})" if url else name
        what = " · ".join(md(x) for x in (channel.tool, channel.scope) if x)
        st.markdown(f"- :material/support_agent: {label}" + (f" ({what})" if what else ""))


def product_overview(product: DataProduct, upstream: list[DataProduct],
                     downstream: list[DataProduct]) -> None:
    """Purpose, usage and limitations; owner, team and support; tags; lineage; output ports.

    Args:
        product: the product.
        upstream: products it is built from (its input ports), from the catalog.
        downstream: products built from it, from the catalog.
    """
    left, right = st.columns([3, 2], gap="large")
    with left:
        _text_section("Purpose", product.purpose, "No purpose given.")
        _text_section("How to use it", product.usage, "No usage notes given.")
        _text_section("Limitations", product.limitations, "No limitations listed.")
        if product.tags:
            st.markdown("**Tags**", help=HELP["tags"])
            with st.container(horizontal=True, gap="small"):
                for tag in product.tags:
                    st.badge(tag, color="blue", icon=":material/sell:")
    with right:
        _people(product)
        _support(product)
    st.divider()
    up, down, ports = st.columns(3, gap="large")
    with up:
        st.markdown("**Built from**", help=HELP["input_port"])
        _links(upstream, "Nothing in the mesh: this product reads source systems directly.")
        for port in product.input_ports:
            st.caption(f":material/input: input port {md(port.name)}"
                       + (f", contract `{port.contractId}`" if port.contractId else ""))
    with down:
        st.markdown("**Used by**", help="Data products built from this one.")
        _links(downstream, "No data product in the mesh uses this one yet.")
    with ports:
        st.markdown("**Output ports**", help=HELP["output_port"])
        for port in product.output_ports:
            version = f" v{md(port.version)}" if port.version else ""
            st.markdown(f":material/output: **{md(port.name)}** ({md(port.type or 'data')}"
                        f"{version})")
            if port.description:
                st.caption(md(port.description))
