"""Quality grades where products are listed: the badge of product cards, the home overview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import streamlit as st

from catalog import DataProduct, Verdict, explain
from catalog import quality_presentation as pres
from portal import routes
from portal.components.badges import badge_markdown
from portal.safe_text import escape_markdown


def grade_badge_markdown(verdict: Verdict | None) -> str:
    """The verdict's badge "Quality C" (or "Quality C · stale", gray) as Markdown, for a line
    of several badges (gray "Quality not checked" without a run)."""
    if verdict is None:
        return badge_markdown("Quality not checked", "gray", ":material/fact_check:")
    return badge_markdown(verdict.label(), verdict.color, ":material/fact_check:")


def grade_overview(products: list[DataProduct], verdicts: Mapping[str, Verdict],
                   limit: int = 12) -> None:
    """The home page's quality section: how many products have each grade, the products by
    grade (lowest score first, at most ``limit``) as links, and a link to the Quality page.

    Args:
        products: the products of the mesh.
        verdicts: their verdicts by product id (``catalog.verdicts(principal)``).
        limit: most products listed.
    """
    checked = [v for v in verdicts.values() if v.checked]
    counts = Counter(v.grade for v in checked)
    unchecked = sum(1 for p in products if not (p.id in verdicts and verdicts[p.id].checked))
    stale = sum(1 for v in checked if v.stale)
    st.caption("Grades of the latest quality checks: "
               + " · ".join(f"{g} {counts.get(g, 0)}" for g in pres.GRADE_COLORS)
               + (f" · not checked {unchecked}" if unchecked else "")
               + (f" · {stale} of them stale (checked before the data or product changed)"
                  if stale else "")
               + ".", help=f"{explain('grade')} {explain('stale')}")

    def score_of(product: DataProduct) -> float:
        """The latest score, -1 when never checked or unscored (so those come first)."""
        found = verdicts.get(product.id)
        return found.score if found is not None and found.score is not None else -1.0

    with st.container(horizontal=True, gap="small"):
        for product in sorted(products, key=score_of)[:limit]:
            found = verdicts.get(product.id)
            grade = found.label().removeprefix("Quality ") if found else "not checked"
            st.page_link(routes.PRODUCT,
                         label=f"{escape_markdown(product.title, one_line=True)} · {grade}",
                         icon=":material/fact_check:",
                         query_params=routes.product_params(product.id, routes.QUALITY_TAB))
    st.page_link(routes.QUALITY, label="See data quality across the mesh",
                 icon=":material/arrow_forward:")
