"""Sections of the mesh-wide Quality page; every row and figure leads to a product's Quality
tab, in the same browser tab. A stale result (:class:`catalog.Verdict`) says so in every table.

The figures are SVG texts cached on the figures' own data (``st.cache_data``): the same scores
draw the same picture, so a rerun or another session reuses it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from catalog import WEIGHTS, Verdict, explain
from catalog import quality_presentation as pres
from portal import routes, state
from portal.components import quality_charts as charts
from portal.components.product_table import PRODUCT_COLUMN, product_table
from portal.safe_text import escape_markdown

FRESH_WORDS = {True: "met", False: "not met", None: "not measured"}
"""A freshness verdict in words (table cells draw no symbols)."""
STALE_COLUMN = "Stale because"
"""The column saying why a product's latest result is stale (empty when it is current)."""
BUILT_ON_IT = "Products built on it"
"""The impact column (downstream products), in plain words."""


def stale_because(verdict: Verdict | None) -> str | None:
    """Why the result is stale, for a table cell; None when it is current or never checked."""
    return "; ".join(verdict.stale_reasons) if verdict is not None and verdict.stale else None


def grade_text(item: pres.ProductQuality, verdict: Verdict | None) -> str:
    """The grade as every view words it: ``B``, ``B · stale``, ``not checked``."""
    if item.run is None:
        return "not checked"
    return item.run.score.grade + (" · stale" if verdict is not None and verdict.stale else "")


def _stale_config() -> Any:
    return st.column_config.TextColumn(width="medium", help=explain("stale"))


def stale_warning(items: list[pres.ProductQuality], verdicts: Mapping[str, Verdict]) -> None:
    """A warning naming the products shown whose latest result is stale (nothing when none)."""
    stale = [i.product.title for i in items if stale_because(verdicts.get(i.product.id))]
    if stale:
        names = ", ".join(escape_markdown(t, one_line=True) for t in stale[:5])
        more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
        st.warning(f"The latest result of {len(stale)} of these products is stale ({names}"
                   f"{more}): it no longer tells how their data is now. The tables say why; "
                   "run their checks again.", icon=":material/history:")


def score_rows(items: list[pres.ProductQuality],
               verdicts: Mapping[str, Verdict]) -> list[dict[str, Any]]:
    """The Score per product table, lowest score first (never checked last): one row per
    product (its title under "Product")."""
    ordered = sorted(items, key=lambda i: (i.score is None, i.score or 0.0, i.product.title))
    return [{PRODUCT_COLUMN: i.product.title, "Id": i.product.id, "Domain": i.product.domain,
             "Score": i.score, "Grade": grade_text(i, verdicts.get(i.product.id)),
             "Status": pres.STATUS_LABELS[i.status],
             "Not met": pres.rule_tally(i.run).not_met if i.run else None,
             "Data as of": pres.as_of_label(i.run) if i.run else "",
             STALE_COLUMN: stale_because(verdicts.get(i.product.id)),
             BUILT_ON_IT: i.impact} for i in ordered]


def scores(items: list[pres.ProductQuality], verdicts: Mapping[str, Verdict]) -> None:
    """Score per product, lowest first: a table whose names open the product (the score
    column draws each score as a bar)."""
    rows = score_rows(items, verdicts)
    product_table(rows, [r["Id"] for r in rows], key=state.QUALITY_SCORES,
                  tab=routes.QUALITY_TAB, column_config={
                      "Score": st.column_config.ProgressColumn(
                          format="%.1f", min_value=0, max_value=100,
                          help=f"{explain('quality score')} Weights: {pres.weights_text()}."),
                      "Grade": st.column_config.TextColumn(
                          help=f"{explain('grade')} {explain('stale')}"),
                      "Not met": st.column_config.NumberColumn(
                          help="Rules of the latest run not met (failed or warning)"),
                      STALE_COLUMN: _stale_config(),
                      BUILT_ON_IT: st.column_config.NumberColumn(help=explain("downstream"))})
    st.caption("Lowest score first. Click a product's name to open its Quality tab.")


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
        st.caption("Share of the checks met for each kind of rule, per domain",
                   help=f"{explain('dimension')} {explain('pass rate')}")
        st.image(_heatmap(pres.dimension_rates(items), tuple(WEIGHTS)))


@st.cache_data(max_entries=64, show_spinner=False)
def _heatmap(rates: dict[str, dict[str, float]], dimensions: tuple[str, ...]) -> str:
    """The domain × dimension figure of these pass rates (cached on the rates)."""
    return charts.dimension_heatmap(rates, list(dimensions))


@st.cache_data(max_entries=64, show_spinner=False)
def _trend(points: tuple[tuple[dt.date, float, int], ...]) -> str:
    """The mesh trend figure of these points (cached on the points)."""
    return charts.mesh_trend(list(points))


def trend(points: list[tuple[dt.date, float, int]]) -> None:
    """The mean score per data cut-off day, as a figure."""
    if not points:
        st.caption("No quality run is stored yet.")
        return
    st.image(_trend(tuple(points)))


def failing_rows(items: list[pres.ProductQuality], verdicts: Mapping[str, Verdict]
                 ) -> tuple[list[dict[str, Any]], list[str]]:
    """The Rules not met table (most severe first, then impact) and each row's product id."""
    ranked = pres.failing_rules(items)
    rows = [{PRODUCT_COLUMN: i.product.title, "Id": i.product.id,
             "Rule and result": pres.result_sentence(r, mark=False),
             "Result": pres.RESULT_WORDS[r.status], "Severity": r.check.severity,
             BUILT_ON_IT: i.impact, "Kind of rule": r.check.dimension,
             "Failing rows": r.failing_rows,
             STALE_COLUMN: stale_because(verdicts.get(i.product.id)),
             "Rule id": r.check.id} for i, r in ranked]
    return rows, [i.product.id for i, _ in ranked]


def failing_rules(items: list[pres.ProductQuality], verdicts: Mapping[str, Verdict]) -> None:
    """The rules not met across the mesh, by severity, then impact (downstream products)."""
    rows, ids = failing_rows(items, verdicts)
    if not rows:
        st.success("Every rule that ran is met.", icon=":material/check_circle:")
        return
    product_table(rows, ids, key=state.QUALITY_FAILING, tab=routes.QUALITY_TAB,
                  row_height=60, column_config={
                      "Rule and result": st.column_config.TextColumn(width="large"),
                      "Severity": st.column_config.TextColumn(help=explain("severity")),
                      BUILT_ON_IT: st.column_config.NumberColumn(help=explain("downstream")),
                      "Failing rows": st.column_config.NumberColumn(
                          help="Rows that break the rule (when the rule counts rows)"),
                      "Kind of rule": st.column_config.TextColumn(help=explain("dimension")),
                      STALE_COLUMN: _stale_config(),
                      "Rule id": st.column_config.TextColumn(
                          help="The rule's stable name in the data contract")})


def freshness_rows(items: list[pres.ProductQuality], verdicts: Mapping[str, Verdict]
                   ) -> tuple[list[dict[str, Any]], list[str]]:
    """The Freshness table (products with a freshness promise) and each row's product id."""
    rows: list[dict[str, Any]] = []
    ids: list[str] = []
    for i in items:
        fresh = pres.freshness(i.run)
        if fresh is not None and i.run is not None:
            rows.append({PRODUCT_COLUMN: i.product.title, "Id": i.product.id,
                         "Promised": fresh.promised,
                         "Newest record age": fresh.actual, "Met": FRESH_WORDS[fresh.met],
                         "Data as of": pres.as_of_label(i.run),
                         STALE_COLUMN: stale_because(verdicts.get(i.product.id))})
            ids.append(i.product.id)
    return rows, ids


def freshness(items: list[pres.ProductQuality], verdicts: Mapping[str, Verdict]) -> None:
    """Freshness promise per product: promised vs actual age of the newest record."""
    rows, ids = freshness_rows(items, verdicts)
    if not rows:
        st.caption("None of these products promises freshness.")
        return
    product_table(rows, ids, key=state.QUALITY_FRESHNESS, tab=routes.QUALITY_TAB,
                  column_config={"Promised": st.column_config.TextColumn(
                                     help=explain("freshness")),
                                 STALE_COLUMN: _stale_config()})

