"""The overview tab of a product: description, owner and team, support, lineage, ports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import RESTRICTED, DataProduct
from portal import routes
from portal.components.badges import badge_markdown
from portal.safe_text import code_span, escape_markdown, md_link
from portal.tables import member_rows
from portal.wording import HELP

ROLE_HELP = ("What you are to this product, from its team and its domain's team in the manifests "
             "(and the portal's configured governance admins); it decides what you may do here. "
             "'consumer' means none of those.")
RESTRICTED_HELP = ("Reading this port's data needs an approved access request: ask for it on the "
                   "Data tab.")


def _text_section(title: str, text: str, empty: str) -> None:
    st.markdown(f"**{title}**")
    st.markdown(escape_markdown(text) if text.strip() else f"_{empty}_")


def _links(products: list[DataProduct], empty: str) -> None:
    if not products:
        st.caption(empty)
    for other in products:
        st.page_link(routes.PRODUCT, label=escape_markdown(other.title, one_line=True),
                     icon=":material/dataset:",
                     help=f"Data product {escape_markdown(other.id, one_line=True)}",
                     query_params=routes.product_params(other.id))


def _people(product: DataProduct) -> None:
    st.markdown("**Owner and team**")
    owners = ", ".join(product.owners) or "No owner is named."
    st.markdown(f":material/person: Owner: **{escape_markdown(owners, one_line=True)}**")
    if product.team_name:
        st.caption(f"Team: {escape_markdown(product.team_name, one_line=True)}")
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
        what = " · ".join(escape_markdown(x, one_line=True) for x in (channel.tool, channel.scope)
                          if x)
        st.markdown(f"- :material/support_agent: {md_link(channel.channel, channel.url)}"
                    + (f" ({what})" if what else ""))


def product_overview(product: DataProduct, upstream: list[DataProduct],
                     downstream: list[DataProduct], role: str = "",
                     port_access: dict[str, str] | None = None) -> None:
    """Purpose, usage and limitations; owner, team and support; tags; lineage; output ports.

    Args:
        product: the product.
        upstream: products it is built from (its input ports), from the catalog.
        downstream: products built from it, from the catalog.
        role: what the viewer is here, in words (``catalog.role_here``); not shown when empty.
        port_access: ``open`` or ``restricted`` per output port name (``catalog.port_access``).
    """
    left, right = st.columns([3, 2], gap="large")
    with left:
        _text_section("Purpose", product.purpose, "No purpose given.")
        _text_section("How to use it", product.usage, "No usage notes given.")
        _text_section("Limitations", product.limitations, "No limitations listed.")
        if product.tags:
            st.markdown("**Tags**", help=HELP["tags"])
            # One line of Markdown for every tag (one element instead of a badge each).
            st.markdown(" ".join(badge_markdown(tag, "blue", ":material/sell:")
                                 for tag in product.tags))
    with right:
        if role:
            st.markdown(":material/badge: Your role here: "
                        f"**{escape_markdown(role, one_line=True)}**", help=ROLE_HELP)
        _people(product)
        _support(product)
    st.divider()
    up, down, ports = st.columns(3, gap="large")
    with up:
        st.markdown("**Built from**", help=HELP["input_port"])
        _links(upstream, "Nothing in the mesh: this product reads source systems directly.")
        for port in product.input_ports:
            st.caption(f":material/input: input port {escape_markdown(port.name, one_line=True)}"
                       + (f", contract {code_span(port.contractId)}" if port.contractId else ""))
    with down:
        st.markdown("**Used by**", help="Data products built from this one.")
        _links(downstream, "No data product in the mesh uses this one yet.")
    with ports:
        st.markdown("**Output ports**", help=HELP["output_port"])
        for out_port in product.output_ports:
            version = f" v{out_port.version}" if out_port.version else ""
            kind = escape_markdown((out_port.type or "data") + version, one_line=True)
            restricted = (port_access or {}).get(out_port.name) == RESTRICTED
            st.markdown(f":material/output: **{escape_markdown(out_port.name, one_line=True)}** "
                        f"({kind})" + (" · :material/lock: on request" if restricted else ""),
                        help=RESTRICTED_HELP if restricted else None)
            if out_port.description:
                st.caption(escape_markdown(out_port.description))
