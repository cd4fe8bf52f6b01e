"""Sections of the mesh-wide Quality page; every row and figure leads to a product page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import WEIGHTS
from catalog import quality_presentation as pres
from portal import routes, state
from portal.components import quality_charts as charts
from portal.safe_text import escape_markdown
from portal.tables import table_height
from portal.wording import HELP

_LINK = st.column_config.LinkColumn("Product", display_text=r"product=(.*)",
                                    help="Open the product's page")
"""A product id column whose cells link to the product page."""


def scores(items: list[pres.ProductQuality]) -> None:
    """Score per product: a table with links, then bars (a click on one opens the product)."""
    rows = [{"Product": routes.product_url(i.product.id), "Title": i.product.title,
             "Domain": i.product.domain, "Score": i.score,
             "Grade": i.run.score.grade if i.run else "–",
             "Status": pres.STATUS_LABELS[i.status],
             "Failed": i.run.counts()["failed"] if i.run else None,
             "Warnings": i.run.counts()["warning"] if i.run else None,
             "Data as of": pres.as_of_label(i.run) if i.run else "",
             "Downstream": i.impact} for i in items]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 height=table_height(len(rows)), column_config={
                     "Product": _LINK,
                     "Score": st.column_config.ProgressColumn(
                         format="%.1f", min_value=0, max_value=100,
                         help=f"Weighted mean of dimension pass rates ({pres.weights_text()})"),
                     "Grade": st.column_config.TextColumn(help=pres.grade_bands()),
                     "Downstream": st.column_config.NumberColumn(
                         help="Products built on this one, directly or through others")})
    event = st.plotly_chart(charts.product_scores(items), width="stretch",
                            key=state.QUALITY_CHART, on_select="rerun", selection_mode="points")
    st.caption("Click a bar to open the product.")
    points = event.selection.points if event else []
    if points and points[0].get("customdata"):
        st.switch_page(routes.PRODUCT,
                       query_params={routes.PRODUCT_PARAM: points[0]["customdata"][0]})


def domains(items: list[pres.ProductQuality]) -> None:
    """Mean score per domain with links to its products, and the domain × dimension heatmap."""
    by_domain = pres.domain_scores(items)
    left, right = st.columns([2, 3], gap="large")
    with left:
        for domain, value in by_domain.items():
            with st.container(border=True):
                st.metric(f"Domain {escape_markdown(domain, one_line=True)}", f"{value:.1f}",
                          border=False,
                          help="Mean latest score of the domain's products shown.")
                with st.container(horizontal=True, gap="small"):
                    for i in items:
                        if i.product.domain == domain and i.run is not None:
                            st.page_link(routes.PRODUCT,
                                         label=f"{escape_markdown(i.product.title, one_line=True)}"
                                               f" · {i.run.score.grade}",
                                         query_params={routes.PRODUCT_PARAM: i.product.id})
    with right:
        st.caption("Pass rate of the checks of each quality dimension, per domain")
        st.plotly_chart(charts.dimension_heatmap(pres.dimension_rates(items), list(WEIGHTS)),
                        width="stretch")


def failing_rules(items: list[pres.ProductQuality]) -> None:
    """The rules not met across the mesh, by severity, then impact (downstream products)."""
    ranked = pres.failing_rules(items)
    if not ranked:
        st.success("Every rule that ran is met.", icon=":material/check_circle:")
        return
    rows = [{"Product": routes.product_url(i.product.id),
             "Rule and result": pres.result_sentence(r), "Severity": r.check.severity,
             "Status": str(r.status), "Downstream": i.impact, "Dimension": r.check.dimension,
             "Observed": pres.outcome(r), "Failing rows": r.failing_rows,
             "Rule id": r.check.id} for i, r in ranked]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 height=table_height(len(rows)), column_config={
                     "Product": _LINK,
                     "Rule and result": st.column_config.TextColumn(width="large"),
                     "Severity": st.column_config.TextColumn(help=HELP["quality"]),
                     "Downstream": st.column_config.NumberColumn(
                         help="Products a break here reaches (impact)"),
                     "Dimension": st.column_config.TextColumn(help=HELP["dimension"])})


def freshness(items: list[pres.ProductQuality]) -> None:
    """Freshness SLA per product: promised vs actual age of the newest record."""
    rows = []
    for i in items:
        fresh = pres.freshness(i.run)
        if fresh is not None and i.run is not None:
            rows.append({"Product": routes.product_url(i.product.id), "Title": i.product.title,
                         "Promised": fresh.promised, "Newest record age": fresh.actual,
                         "Met": {True: "✓ met", False: "✗ not met", None: "? not measured"}[
                             fresh.met], "Data as of": pres.as_of_label(i.run)})
    if not rows:
        st.caption("None of these products promises freshness.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"Product": _LINK})
