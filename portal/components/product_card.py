"""The product card used by the home, discover and domain pages."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from catalog import ComplianceReport, DataProduct, Verdict
from portal import routes
from portal.components.badges import badge_markdown, status_badge_markdown
from portal.components.quality_badge import grade_badge_markdown
from portal.safe_text import code_span, escape_markdown
from portal.services import current_principal, get_catalog
from portal.wording import HELP, shorten

FIELD_NAMES = {"name": "name", "tags": "tags", "owner": "owner", "property": "column names",
               "description": "description"}
"""How search fields are named to readers ("matched in …")."""
CARD_HELP = ("The quality grade (A best, E worst) comes from the latest check of the product's "
             "data; 'stale' means that check no longer tells how the data is now. Policy "
             "errors block publishing (see its Governance tab). A product not yet active "
             "shows its status: " + HELP["status"])
"""Tooltip of a card's line of badges."""


def product_card(product: DataProduct, matched: tuple[str, ...] = (),
                 quality: Mapping[str, Verdict] | None = None,
                 compliance: ComplianceReport | None = None) -> None:
    """A bordered card: title (a link to the product page), id, domain, a few badges (quality
    grade, policies, and the status of a product not yet active; type and version are on the
    product's page), owner, tags, the start of the purpose and, for search results, where the
    query matched.

    Args:
        product: the product to show.
        matched: search fields the query matched (see :class:`catalog.search.SearchHit`).
        quality: trust verdicts by product id, fetched once per page
            (``catalog.verdicts(principal)``); a grade badge is shown when given.
        compliance: the product's policy report (asked for when not given).
    """
    with st.container(border=True):
        st.page_link(routes.PRODUCT, label=f"**{escape_markdown(product.title, one_line=True)}**",
                     icon=":material/dataset:", query_params=routes.product_params(product.id))
        # One element per line (a card of a dozen elements, times every result, is what made
        # the page slow to draw): the badges share one line of Markdown, the details another.
        badges = [] if quality is None else [grade_badge_markdown(quality.get(product.id))]
        badges.append(compliance_badge_markdown(product, compliance))
        if (product.status or "").lower() != "active":
            badges.append(status_badge_markdown(product.status))
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
    reports = get_catalog().compliance_all(current_principal()).reports  # one call, cached
    cols = st.columns(columns)
    for index, product in enumerate(products):
        with cols[index % columns]:
            product_card(product, (matched or {}).get(product.id, ()), quality,
                         reports.get(product.id))


def compliance_badge_markdown(product: DataProduct,
                              report: ComplianceReport | None = None) -> str:
    """A badge with the product's policy errors or warnings (green when it meets them all);
    ``report`` is asked of the catalog when not given."""
    if report is None:
        report = get_catalog().compliance(current_principal(), product.id)
    if report.errors:
        return badge_markdown(f"{report.errors} policy error{'s' if report.errors > 1 else ''}",
                              "red", ":material/gpp_bad:")
    if report.warnings:
        return badge_markdown(
            f"{report.warnings} policy warning{'s' if report.warnings > 1 else ''}",
            "orange", ":material/gpp_maybe:")
    return badge_markdown("Policies met", "green", ":material/verified_user:")
