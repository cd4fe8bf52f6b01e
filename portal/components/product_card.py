"""The product card used by the home, discover and domain pages."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from catalog import DataProduct, QualityRun
from portal import routes
from portal.components.badges import product_badges
from portal.components.quality_badge import grade_badge
from portal.safe_text import code_span, escape_markdown
from portal.services import current_principal, get_catalog
from portal.wording import shorten

FIELD_NAMES = {"name": "name", "tags": "tags", "owner": "owner", "property": "column names",
               "description": "description"}
"""How search fields are named to readers ("matched in …")."""


def product_card(product: DataProduct, matched: tuple[str, ...] = (),
                 quality: Mapping[str, QualityRun] | None = None) -> None:
    """A bordered card: title (a link to the product page), id, domain, badges, owner, tags,
    the start of the purpose and, for search results, where the query matched.

    Args:
        product: the product to show.
        matched: search fields the query matched (see :class:`catalog.search.SearchHit`).
        quality: latest quality run by product id, fetched once per page
            (``catalog.latest_quality_all(principal, with_results=False)``); a grade badge is
            shown when given.
    """
    with st.container(border=True):
        st.page_link(routes.PRODUCT, label=f"**{escape_markdown(product.title, one_line=True)}**",
                     icon=":material/dataset:", query_params=routes.product_params(product.id))
        st.caption(f"{code_span(product.id)} · domain "
                   f"{escape_markdown(product.domain, one_line=True)}")
        with st.container(horizontal=True, gap="small"):
            product_badges(product)
            compliance_badge(product)
            if quality is not None:
                grade_badge(quality.get(product.id))
        st.markdown(escape_markdown(shorten(product.purpose, 220)) or "_No purpose given._")
        owners = ", ".join(product.owners) or "no owner named"
        team = f" · {product.team_name}" if product.team_name else ""
        st.caption(f":material/person: {escape_markdown(owners + team, one_line=True)}")
        if product.tags:
            st.caption(":material/sell: " + escape_markdown(", ".join(product.tags), one_line=True))
        if matched:
            words = ", ".join(FIELD_NAMES.get(m, m) for m in matched)
            st.caption(f":material/search: matched in {words}")


def product_grid(products: list[DataProduct], columns: int = 2,
                 matched: dict[str, tuple[str, ...]] | None = None,
                 quality: Mapping[str, QualityRun] | None = None) -> None:
    """Products as cards in a grid of ``columns`` columns, in the given order (with grade
    badges when ``quality`` is given, see :func:`product_card`)."""
    if not products:
        return
    cols = st.columns(columns)
    for index, product in enumerate(products):
        with cols[index % columns]:
            product_card(product, (matched or {}).get(product.id, ()), quality)


def compliance_badge(product: DataProduct) -> None:
    """A badge with the product's policy errors or warnings (green when it meets them all)."""
    report = get_catalog().compliance(current_principal(), product.id)
    tip = "Governance policies this product breaks; see its Governance tab."
    if report.errors:
        st.badge(f"{report.errors} policy error{'s' if report.errors > 1 else ''}", color="red",
                 icon=":material/gpp_bad:", help=tip)
    elif report.warnings:
        st.badge(f"{report.warnings} policy warning{'s' if report.warnings > 1 else ''}",
                 color="orange", icon=":material/gpp_maybe:", help=tip)
    else:
        st.badge("Policies met", color="green", icon=":material/verified_user:", help=tip)
