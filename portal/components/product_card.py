"""The product card used by the home, discover and domain pages."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from catalog import DataProduct, Verdict
from portal import routes
from portal.components.badges import badge_markdown, product_badge_markdown
from portal.components.quality_badge import grade_badge_markdown
from portal.safe_text import code_span, escape_markdown
from portal.services import current_principal, get_catalog
from portal.wording import HELP, shorten

FIELD_NAMES = {"name": "name", "tags": "tags", "owner": "owner", "property": "column names",
               "description": "description"}
"""How search fields are named to readers ("matched in …")."""
CARD_HELP = (HELP["status"] + " The quality grade (A best, E worst) comes from the latest "
             "check of the product's data; 'stale' means that check no longer tells how the "
             "data is now. Policy errors block publishing (see its Governance tab).")
"""Tooltip of a card's line of badges."""


def product_card(product: DataProduct, matched: tuple[str, ...] = (),
                 quality: Mapping[str, Verdict] | None = None) -> None:
    """A bordered card: title (a link to the product page), id, domain, badges, owner, tags,
    the start of the purpose and, for search results, where the query matched.

    Args:
        product: the product to show.
        matched: search fields the query matched (see :class:`catalog.search.SearchHit`).
        quality: trust verdicts by product id, fetched once per page
            (``catalog.verdicts(principal)``); a grade badge is shown when given.
    """
    with st.container(border=True):
        st.page_link(routes.PRODUCT, label=f"**{escape_markdown(product.title, one_line=True)}**",
                     icon=":material/dataset:", query_params=routes.product_params(product.id))
        # One element per line (a card of a dozen elements, times every result, is what made
        # the page slow to draw): the badges share one line of Markdown, the details another.
        badges = [*product_badge_markdown(product), compliance_badge_markdown(product)]
        if quality is not None:
            badges.append(grade_badge_markdown(quality.get(product.id)))
        st.markdown(" ".join(badges), help=CARD_HELP)
        st.markdown(escape_markdown(shorten(product.purpose, 220)) or "_No purpose given._")
        owners = ", ".join(product.owners) or "no owner named"
        team = f" · {product.team_name}" if product.team_name else ""
        details = [f"{code_span(product.id)} · domain "
                   f"{escape_markdown(product.domain, one_line=True)}",
                   f":material/person: {escape_markdown(owners + team, one_line=True)}"]
        if product.tags:
            details.append(":material/sell: " + escape_markdown(", ".join(product.tags),
                                                               one_line=True))
        if matched:
            details.append(":material/search: matched in "
                           + ", ".join(FIELD_NAMES.get(m, m) for m in matched))
        st.caption("  \n".join(details))


def product_grid(products: list[DataProduct], columns: int = 2,
                 matched: dict[str, tuple[str, ...]] | None = None,
                 quality: Mapping[str, Verdict] | None = None) -> None:
    """Products as cards in a grid of ``columns`` columns, in the given order (with grade
    badges when ``quality`` is given, see :func:`product_card`)."""
    if not products:
        return
    cols = st.columns(columns)
    for index, product in enumerate(products):
        with cols[index % columns]:
            product_card(product, (matched or {}).get(product.id, ()), quality)


def compliance_badge_markdown(product: DataProduct) -> str:
    """A badge with the product's policy errors or warnings (green when it meets them all)."""
    report = get_catalog().compliance(current_principal(), product.id)
    if report.errors:
        return badge_markdown(f"{report.errors} policy error{'s' if report.errors > 1 else ''}",
                              "red", ":material/gpp_bad:")
    if report.warnings:
        return badge_markdown(
            f"{report.warnings} policy warning{'s' if report.warnings > 1 else ''}",
            "orange", ":material/gpp_maybe:")
    return badge_markdown("Policies met", "green", ":material/verified_user:")
