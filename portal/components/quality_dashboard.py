"""Sections of the mesh-wide Quality page; every row and figure leads to a product's Quality
tab, in the same browser tab."""

from __future__ import annotations

from typing import Any

import streamlit as st

from catalog import WEIGHTS
from catalog import quality_presentation as pres
from portal import routes, state
from portal.components import quality_charts as charts
from portal.components.product_table import PRODUCT_COLUMN, product_table
from portal.safe_text import escape_markdown
from portal.wording import HELP

FRESH_WORDS = {True: "met", False: "not met", None: "not measured"}
"""A freshness verdict in words (table cells draw no symbols)."""


def score_rows(items: list[pres.ProductQuality]) -> list[dict[str, Any]]:
    """The Score per product table: one row per product (its title under "Product")."""
    return [{PRODUCT_COLUMN: i.product.title, "Id": i.product.id, "Domain": i.product.domain,
             "Score": i.score, "Grade": i.run.score.grade if i.run else "not checked",
             "Status": pres.STATUS_LABELS[i.status],
             "Not met": pres.rule_tally(i.run).not_met if i.run else None,
             "Data as of": pres.as_of_label(i.run) if i.run else "",
             "Downstream": i.impact} for i in items]


def scores(items: list[pres.ProductQuality]) -> None:
    """Score per product: a table whose names open the product, then the scores as bars."""
    product_table(score_rows(items), [i.product.id for i in items], key=state.QUALITY_SCORES,
                  tab=routes.QUALITY_TAB, column_config={
                      "Score": st.column_config.ProgressColumn(
                          format="%.1f", min_value=0, max_value=100,
                          help=f"Weighted mean of dimension pass rates ({pres.weights_text()})"),
                      "Grade": st.column_config.TextColumn(help=pres.grade_bands()),
                      "Not met": st.column_config.NumberColumn(
                          help="Rules of the latest run not met (failed or warning)"),
                      "Downstream": st.column_config.NumberColumn(
                          help="Products built on this one, directly or through others")})
    st.caption("Click a product's name to open its Quality tab.")
    st.image(charts.product_scores(items))


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
                                         query_params=routes.product_params(
                                             i.product.id, routes.QUALITY_TAB))
    with right:
        st.caption("Pass rate of the checks of each quality dimension, per domain")
        st.image(charts.dimension_heatmap(pres.dimension_rates(items), list(WEIGHTS)))


def failing_rows(items: list[pres.ProductQuality]) -> tuple[list[dict[str, Any]], list[str]]:
    """The Rules not met table (most severe first, then impact) and each row's product id."""
    ranked = pres.failing_rules(items)
    rows = [{PRODUCT_COLUMN: i.product.title, "Id": i.product.id,
             "Rule and result": pres.result_sentence(r, mark=False),
             "Result": pres.RESULT_WORDS[r.status], "Severity": r.check.severity,
             "Downstream": i.impact, "Dimension": r.check.dimension,
             "Failing rows": r.failing_rows, "Rule id": r.check.id} for i, r in ranked]
    return rows, [i.product.id for i, _ in ranked]


def failing_rules(items: list[pres.ProductQuality]) -> None:
    """The rules not met across the mesh, by severity, then impact (downstream products)."""
    rows, ids = failing_rows(items)
    if not rows:
        st.success("Every rule that ran is met.", icon=":material/check_circle:")
        return
    product_table(rows, ids, key=state.QUALITY_FAILING, tab=routes.QUALITY_TAB,
                  row_height=60, column_config={
                      "Rule and result": st.column_config.TextColumn(width="large"),
                      "Severity": st.column_config.TextColumn(help=HELP["quality"]),
                      "Downstream": st.column_config.NumberColumn(
                          help="Products a break here reaches (impact)"),
                      "Failing rows": st.column_config.NumberColumn(
                          help="Rows that break the rule (when the rule counts rows)"),
                      "Dimension": st.column_config.TextColumn(help=HELP["dimension"])})


def freshness_rows(items: list[pres.ProductQuality]) -> tuple[list[dict[str, Any]], list[str]]:
    """The Freshness table (products with a freshness promise) and each row's product id."""
    rows: list[dict[str, Any]] = []
    ids: list[str] = []
    for i in items:
        fresh = pres.freshness(i.run)
        if fresh is not None and i.run is not None:
            rows.append({PRODUCT_COLUMN: i.product.title, "Id": i.product.id,
                         "Promised": fresh.promised,
                         "Newest record age": fresh.actual, "Met": FRESH_WORDS[fresh.met],
                         "Data as of": pres.as_of_label(i.run)})
            ids.append(i.product.id)
    return rows, ids


def freshness(items: list[pres.ProductQuality]) -> None:
    """Freshness SLA per product: promised vs actual age of the newest record."""
    rows, ids = freshness_rows(items)
    if not rows:
        st.caption("None of these products promises freshness.")
        return
    product_table(rows, ids, key=state.QUALITY_FRESHNESS, tab=routes.QUALITY_TAB)

