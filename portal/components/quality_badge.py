"""Quality grades where products are listed: the badge of product cards, the home overview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import streamlit as st

from catalog import DataProduct, QualityRun
from catalog import quality_presentation as pres
from portal import routes
from portal.components.badges import badge_markdown
from portal.safe_text import escape_markdown


def grade_badge_markdown(run: QualityRun | None) -> str:
    """The grade badge "Quality C" as Markdown, for a line of several badges (gray "Quality
    not checked" without a run)."""
    if run is None:
        return badge_markdown("Quality not checked", "gray", ":material/fact_check:")
    grade = run.score.grade
    return badge_markdown(f"Quality {grade}", pres.GRADE_COLORS.get(grade, "gray"),
                          ":material/fact_check:")


def grade_overview(products: list[DataProduct], latest: Mapping[str, QualityRun],
                   limit: int = 12) -> None:
    """The home page's quality section: how many products have each grade, the products by
    grade (lowest score first, at most ``limit``) as links, and a link to the Quality page.

    Args:
        products: the products of the mesh.
        latest: their latest runs by product id (``latest_quality_all(..., with_results=False)``).
        limit: most products listed.
    """
    counts = Counter(run.score.grade for run in latest.values())
    unchecked = sum(1 for p in products if p.id not in latest)
    st.caption("Grades of the latest quality runs: "
               + " · ".join(f"{g} {counts.get(g, 0)}" for g in pres.GRADE_COLORS)
               + (f" · not checked {unchecked}" if unchecked else "")
               + f". {pres.grade_bands()}.")

    def score_of(product: DataProduct) -> float:
        """The latest score, -1 when never checked or unscored (so those come first)."""
        run = latest.get(product.id)
        return run.score.value if run is not None and run.score.value is not None else -1.0

    with st.container(horizontal=True, gap="small"):
        for product in sorted(products, key=score_of)[:limit]:
            run = latest.get(product.id)
            grade = run.score.grade if run is not None else "not checked"
            st.page_link(routes.PRODUCT,
                         label=f"{escape_markdown(product.title, one_line=True)} · {grade}",
                         icon=":material/fact_check:",
                         query_params=routes.product_params(product.id, routes.QUALITY_TAB))
    st.page_link(routes.QUALITY, label="See data quality across the mesh",
                 icon=":material/arrow_forward:")
