"""Sections of the Governance page; every violation and proposal links to its product. A
finding drawn from a stale quality result (:class:`catalog.Verdict`) says it is stale."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import streamlit as st

from catalog import (
    Action,
    Catalog,
    CatalogError,
    ComplianceReport,
    DataProduct,
    MeshCompliance,
    MeshKpis,
    Principal,
    Verdict,
    explain,
    explain_terms,
)
from catalog import governance_presentation as pres
from portal import routes, state
from portal.components import governance_charts as charts
from portal.components.product_table import PRODUCT_COLUMN, product_table
from portal.safe_text import code_span, escape_markdown
from portal.services import UNEXPECTED_ERROR
from portal.tables import EMPTY_CELL, WRAP_ROW_HEIGHT, table_height
from portal.wording import plural

logger = logging.getLogger(__name__)

STALE_COLUMN = "Stale because"
"""Why the quality result a finding comes from is stale (empty for other findings)."""
POLICY_HELP = {
    "Severity": st.column_config.TextColumn(help=explain("severity")),
    "Defined in": st.column_config.TextColumn(
        help="Global: set for the whole mesh; otherwise the domain's policies.yaml file."),
}
"""Column help shared by the violations and policies tables (glossary explanations)."""


def explained_columns(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    """Column configs whose help explains the glossary terms the column's cells use (policy
    titles and findings speak of SLAs, snake_case, source-aligned products…)."""
    found = {c: explain_terms(str(r.get(c) or "") for r in rows) for c in columns}
    if "Policy" in found:  # ids such as pii-classified: what an id is, then its words
        found["Policy"] = "\n\n".join(x for x in (explain("policy id"), found["Policy"]) if x)
    return {c: st.column_config.TextColumn(width="large" if c in ("Problem", "Fix") else None,
                                           help=text or None)
            for c, text in found.items()}

def _product_id(row: dict[str, Any]) -> str:
    """The product id of a violation row (its ``Product`` holds the page's URL)."""
    return str(parse_qs(urlsplit(str(row["Product"])).query).get(routes.PRODUCT_PARAM, [""])[0])


def _violation_cells(row: dict[str, Any]) -> dict[str, Any]:
    """A violation row as shown: the product's title where its link was."""
    cells = {PRODUCT_COLUMN: row.get("Title") or _product_id(row), "Id": _product_id(row)}
    cells.update({k: v for k, v in row.items() if k not in ("Product", "Title")})
    return cells


def stale_reasons(row: dict[str, Any], verdicts: Mapping[str, Verdict]) -> str | None:
    """Why a violation row's quality result is stale: set only for findings of a quality
    policy (e.g. ``min-quality-score``) on a product whose latest run is stale."""
    found = verdicts.get(_product_id(row))
    if "quality" not in str(row.get("Policy", "")) or found is None or not found.stale:
        return None
    return "; ".join(found.stale_reasons)


def stale_quality(verdicts: Mapping[str, Verdict], titles: Mapping[str, str]) -> None:
    """A warning naming the products whose latest quality result is stale: the quality-score
    policy and the mean score use those results as they are."""
    stale = [pid for pid, v in verdicts.items() if v.stale and pid in titles]
    if not stale:
        return
    names = ", ".join(escape_markdown(titles[pid], one_line=True) for pid in stale[:5])
    more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
    st.warning(f"The latest quality result of {plural(len(stale), 'product')} is stale "
               f"({names}{more}): the quality-score policy and the mean score use it as it is, "
               "though it no longer tells how the data is now. Run their checks again.",
               icon=":material/history:")


def kpis(k: MeshKpis, compliance: MeshCompliance) -> None:
    """The mesh's KPIs as metrics; the two compliance figures are counted in their own units
    (policy checks, products) and each says which (see
    :func:`catalog.governance_presentation.compliance_figures`)."""
    cols = st.columns(5)
    for col, figure in zip(cols, pres.compliance_figures(compliance), strict=False):
        col.metric(figure.label, figure.value, delta=figure.share or None, delta_arrow="off",
                   delta_color="gray", border=True, help=figure.help)
    cols[2].metric("Discoverable", f"{pres.percent(k.discoverable_share)}", border=True,
                   help="Products naming an owner, with a description, tags and every column "
                        "described.")
    cols[3].metric("Mean quality score", "–" if k.mean_quality is None else
                   f"{k.mean_quality:.1f}", border=True,
                   help=f"Mean of the latest quality scores ({k.quality_scored} products "
                        "scored).")
    cols[4].metric("Median time proposed → active",
                   pres.duration_text(k.median_to_active) if k.approvals else "–", border=True,
                   help="From the audit log's approvals.")
    if not k.approvals:
        st.caption("Median time from proposed to active: no approvals recorded yet.")
    else:
        st.caption(f"Median time from proposed to active over {plural(k.approvals, 'approval')}.")


def trend(points: list[tuple[dt.datetime, float, int]]) -> None:
    """Compliance over time, from the stored snapshots."""
    if len(points) < 2:
        st.caption("One compliance snapshot stored so far; the trend grows by one point an hour "
                   "while the catalog is in use." if points else "No compliance snapshot yet.")
    if points:
        st.image(charts.compliance_trend(points))


def matrix(compliance: MeshCompliance) -> None:
    """The domain × policy matrix."""
    domains, policies, rates, texts = pres.matrix(compliance)
    if not domains:
        st.info("No products to evaluate.", icon=":material/info:")
        return
    st.image(charts.policy_matrix(domains, policies, rates, texts))


@st.fragment
def violations(compliance: MeshCompliance, titles: dict[str, str],
               verdicts: Mapping[str, Verdict]) -> None:
    """The findings to act on, filterable by severity and domain, each linking its product;
    a filter reruns this section only. A finding from a stale quality result says why."""
    rows = [{**r, STALE_COLUMN: stale_reasons(r, verdicts)}
            for r in pres.violation_rows(compliance, titles, routes.product_url)]
    if not rows:
        st.success("No product breaks a policy.", icon=":material/verified_user:")
        return
    left, right = st.columns(2)
    severities = left.pills("Severity", ["error", "warning"], selection_mode="multi",
                            key=state.GOVERNANCE_SEVERITY, help=explain("severity"))
    domains = right.multiselect("Domain", sorted({r["Domain"] for r in rows}),
                                key=state.GOVERNANCE_DOMAIN, placeholder="Any")
    shown = [r for r in rows if (not severities or r["Severity"] in severities)
             and (not domains or r["Domain"] in domains)]
    st.caption(f"{plural(len(shown), 'finding')} shown, errors first; sort by any column. "
               "Click a product's name to open its Governance tab.")
    product_table([_violation_cells(r) for r in shown], [_product_id(r) for r in shown],
                  key=state.GOVERNANCE_VIOLATIONS, tab=routes.GOVERNANCE_TAB,
                  columns=[PRODUCT_COLUMN, "Id",
                           *(c for c in rows[0] if c not in ("Product", "Title"))],
                  row_height=WRAP_ROW_HEIGHT, column_config={
                      **POLICY_HELP, **explained_columns(shown, ("Policy", "Problem", "Fix")),
                      STALE_COLUMN: st.column_config.TextColumn(help=explain("stale"))})


def policies(compliance: MeshCompliance) -> None:
    """Which policy comes from where (global, or a domain's policies.yaml)."""
    for problem in compliance.problems:
        st.error(f"{code_span(problem.location)}: {escape_markdown(problem.message)}",
                 icon=":material/error:")
    rows = pres.policy_rows(compliance)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder=EMPTY_CELL,
                 height=table_height(len(rows)), column_config={
                     **POLICY_HELP,
                     **explained_columns(rows, ("Policy", "Title", "Parameters", "Change"))})


def _decide(catalog: Catalog, principal: Principal, product_id: str, approve: bool) -> None:
    """Button callback: approve or send back, and keep the outcome to show after the rerun."""
    try:
        if approve:
            catalog.approve(principal, product_id)
            message = f"Approved {product_id}: it is now active."
        else:
            reason = str(st.session_state.get(state.governance_reason(product_id), ""))
            catalog.send_back(principal, product_id, reason)
            message = f"Sent {product_id} back to its team (status draft), with your reason."
        st.session_state[state.GOVERNANCE_OUTCOME] = ("success", message)
    except CatalogError as err:
        st.session_state[state.GOVERNANCE_OUTCOME] = ("error", str(err))
    except Exception:  # noqa: BLE001 - shown as a message, logged with its trace
        logger.exception("approval decision on %s failed", product_id)
        st.session_state[state.GOVERNANCE_OUTCOME] = ("error", UNEXPECTED_ERROR)


def approvals(catalog: Catalog, principal: Principal,
              queue: list[tuple[DataProduct, ComplianceReport]]) -> None:
    """Proposed products with their compliance: approve, or send back with a reason."""
    outcome = st.session_state.pop(state.GOVERNANCE_OUTCOME, None)
    if outcome:  # the message names the product or repeats the catalog's error: escaped
        (st.success if outcome[0] == "success" else st.error)(
            escape_markdown(outcome[1]), icon=":material/check_circle:"
            if outcome[0] == "success" else ":material/error:")
    if not queue:
        st.caption("No product is waiting for approval.")
        return
    for product, report in queue:
        allowed = catalog.may_decide(principal, product.id)
        refusal = "" if allowed else catalog.decide(principal, Action.APPROVE, product.id).reason
        with st.container(border=True):
            title = escape_markdown(product.title, one_line=True)
            st.page_link(routes.PRODUCT,
                         label=f"**{title}** ({escape_markdown(product.id, one_line=True)})",
                         icon=":material/dataset:",
                         query_params=routes.product_params(product.id, routes.GOVERNANCE_TAB))
            st.caption(f"Domain {escape_markdown(product.domain, one_line=True)} · "
                       f"v{escape_markdown(product.version, one_line=True)} · "
                       f"{pres.result_summary(report)}",
                       help=f"{explain('policy id')} {explain('severity')}\n\n"
                            + explain_terms(f.message for f in report.findings))
            for finding in report.findings:
                st.markdown(f"- **{escape_markdown(finding.severity, one_line=True)}** "
                            f"{code_span(finding.policy_id)}: "
                            f"{escape_markdown(finding.message, one_line=True)}")
            if not allowed:  # e.g. the four-eyes rule for one's own submission
                st.caption(f":material/lock: {escape_markdown(refusal)}")
                continue
            blocked = "fix its policy errors first" if report.errors else ""
            left, right = st.columns([1, 3], vertical_alignment="bottom")
            left.button("Approve", key=state.governance_approve(product.id), type="primary",
                        icon=":material/task_alt:", disabled=bool(blocked),
                        help=(blocked or "Set its status to active"),
                        on_click=_decide, args=(catalog, principal, product.id, True))
            right.text_area("Reason for sending it back", key=state.governance_reason(product.id),
                            height=68, max_chars=2000,
                            placeholder="What the team should change before proposing it again")
            st.button("Send back", key=state.governance_send_back(product.id),
                      icon=":material/undo:",
                      on_click=_decide, args=(catalog, principal, product.id, False))


def mesh_figures(k: MeshKpis, titles: dict[str, str]) -> None:
    """Products per domain, consumers per product, and what keeps products undiscoverable."""
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Products per domain**")
        st.image(charts.counts_bar(k.products_per_domain, "products"))
    with right:
        st.markdown("**Consumers per product** (products built on it)")
        consumed = {pid: n for pid, n in k.consumers_per_product.items() if n}
        if consumed:
            st.image(charts.counts_bar(consumed, "consumers"))
        st.caption(f"{plural(len(k.consumers_per_product) - len(consumed), 'product')} with no "
                   "consumer in the mesh yet.")
    if k.not_discoverable:
        st.markdown("**Not yet discoverable**")
        st.caption("Click a product's name to open its Schema tab, where the columns and their "
                   "descriptions are.")
        ids = list(k.not_discoverable)
        rows = [{PRODUCT_COLUMN: titles.get(pid, pid), "Id": pid,
                 "Missing": ", ".join(k.not_discoverable[pid])} for pid in ids]
        product_table(rows, ids, key=state.GOVERNANCE_UNDISCOVERABLE, tab=routes.SCHEMA)
