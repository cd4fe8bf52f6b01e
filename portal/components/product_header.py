"""The product page's header: title, id, lifecycle badges, domain, and the three signals a
reader decides on before using the data — quality grade, freshness and policy status — each
with a link to the tab that explains it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import streamlit as st

from catalog import ComplianceReport, Verdict, explain
from catalog import governance_presentation as gov
from catalog import quality_presentation as pres
from portal import routes
from portal.safe_text import escape_markdown

Color = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]


@dataclass(frozen=True)
class Signal:
    """One trust signal of the header: a badge's text, colour, icon and help, and the tab
    that explains it."""

    text: str
    color: Color
    icon: str
    help: str
    tab: str


def quality_signal(verdict: Verdict) -> Signal:
    """``Quality A · 98.5`` (the verdict's grade and score; ``· stale`` and gray when the run
    no longer describes the data), or "not checked yet"; the whole verdict in the help."""
    if verdict.run is None:
        return Signal("Quality not checked yet", "gray", ":material/fact_check:",
                      "No quality run is stored for this product yet.", routes.QUALITY_TAB)
    value = "–" if verdict.score is None else f"{verdict.score:.1f}"
    color: Color = verdict.color  # type: ignore[assignment]
    return Signal(f"Quality {verdict.grade} · {value}" + (" · stale" if verdict.stale else ""),
                  color, ":material/fact_check:",
                  escape_markdown(verdict.sentence(), one_line=True), routes.QUALITY_TAB)


def freshness_signal(verdict: Verdict) -> Signal:
    """``Fresh: 2 hours old`` (green), ``Not fresh: 4,707.5 days old`` (red), or why it is
    unknown; the promise is in the help. A stale verdict's freshness is gray."""
    run = verdict.run
    fresh = pres.freshness(run)
    if run is None:
        return Signal("Freshness not measured yet", "gray", ":material/schedule:",
                      "Freshness is measured by the quality checks, which have not run yet. "
                      + explain("freshness"), routes.QUALITY_TAB)
    if fresh is None:
        return Signal("No freshness promise", "gray", ":material/schedule:",
                      f"The data contract makes no freshness promise. {explain('freshness')}",
                      routes.CONTRACT)
    if fresh.met is None:
        return Signal("Freshness unknown", "gray", ":material/schedule:",
                      f"Promised {fresh.promised}; it could not be measured: "
                      f"{escape_markdown(fresh.detail, one_line=True)} {explain('freshness')}",
                      routes.QUALITY_TAB)
    word = "Fresh" if fresh.met else "Not fresh"
    color: Color = "gray" if verdict.stale else ("green" if fresh.met else "red")
    return Signal(f"{word}: newest record {fresh.actual} old"
                  + (" · stale" if verdict.stale else ""), color, ":material/schedule:",
                  f"Promised: newest record {fresh.promised} old ({verdict.moment()}). "
                  f"{escape_markdown(fresh.detail, one_line=True)} "
                  f"{verdict.snapshot_text()} {explain('freshness')}".strip(),
                  routes.QUALITY_TAB)


def policy_signal(report: ComplianceReport | None) -> Signal:
    """``Policies: all met`` (green), ``Policies: 1 warning`` (orange) or ``Policies: 2
    errors`` (red, they block publishing)."""
    if report is None:
        return Signal("Policies not evaluated", "gray", ":material/policy:",
                      "The product's policies could not be evaluated.", routes.GOVERNANCE_TAB)
    summary = gov.result_summary(report).replace("all policies met", "all met")
    if report.errors:
        return Signal(f"Policies: {summary}", "red", ":material/gpp_bad:",
                      "Error policies block publishing and approval until they are fixed.",
                      routes.GOVERNANCE_TAB)
    if report.warnings:
        return Signal(f"Policies: {summary}", "orange", ":material/gpp_maybe:",
                      "Warnings inform; they do not block publishing.", routes.GOVERNANCE_TAB)
    return Signal(f"Policies: {summary}", "green", ":material/verified_user:",
                  "Every policy in force is met.", routes.GOVERNANCE_TAB)


def trust_signals(product_id: str, verdict: Verdict, report: ComplianceReport | None) -> None:
    """The three signals as badges on one line, then links to the tabs that explain them
    (same browser tab)."""
    signals = [quality_signal(verdict), freshness_signal(verdict), policy_signal(report)]
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for signal in signals:  # badge texts are ours: grades, numbers, policy counts
            st.badge(signal.text, color=signal.color, icon=signal.icon, help=signal.help)
        for tab in dict.fromkeys(s.tab for s in signals):
            st.page_link(routes.PRODUCT, label=f"{tab} details",
                         icon=":material/arrow_forward:",
                         query_params=routes.product_params(product_id, tab))
