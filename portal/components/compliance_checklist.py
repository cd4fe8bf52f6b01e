"""A product's governance checklist: every policy in force, failures first, each with its fix."""

from __future__ import annotations

import streamlit as st

from catalog import Catalog, DataProduct, PolicyResult, Principal, explain, explain_terms
from catalog import governance_presentation as pres
from portal.safe_text import code_span, escape_markdown
from portal.wording import plural

_ICONS = {("failed", "error"): ":red[:material/cancel:]",
          ("failed", "warning"): ":orange[:material/warning:]",
          ("unknown", "error"): ":gray[:material/help:]",
          ("unknown", "warning"): ":gray[:material/help:]"}
_PASSED = ":green[:material/check_circle:]"


def _result(result: PolicyResult, label: str) -> None:
    """One policy: its title, state and origin, what was found, and how to fix it. Titles,
    findings and fixes come from policy files and manifests, so they are escaped."""
    icon = _ICONS.get((result.status, result.severity), _PASSED)
    words = [result.title, *(f.message for f in result.findings), result.fix or "",
             result.note or ""]
    st.markdown(f"{icon} **{escape_markdown(result.title, one_line=True)}** — "
                f"{escape_markdown(label, one_line=True)} · {code_span(result.policy_id)} · "
                f"{escape_markdown(result.severity, one_line=True)} · defined in "
                f"{escape_markdown(pres.origin_label(result.origin), one_line=True)}",
                help="\n\n".join(x for x in (f"Policy id: {explain('policy id')}",
                                               f"Severity: {explain('severity')}",
                                               explain_terms(words)) if x))
    for finding in result.findings:
        where = f"{code_span(finding.location)} " if finding.location else ""
        st.markdown(f"- {where}{escape_markdown(finding.message, one_line=True)}")
    if result.status == "failed" and result.fix:
        st.caption(f":material/build: **Fix:** {escape_markdown(result.fix)}")
    if result.note:
        st.caption(escape_markdown(result.note))


def compliance_checklist(catalog: Catalog, principal: Principal, product: DataProduct) -> None:
    """The Governance tab of the product page.

    Args:
        catalog: the catalog.
        principal: the reader.
        product: the product.
    """
    report = catalog.compliance(principal, product.id)
    summary = pres.result_summary(report)
    if report.errors:
        st.error(f"This product breaks {plural(report.errors, 'error policy', 'error policies')}"
                 f" ({summary}): errors block publishing and approval until they are fixed.",
                 icon=":material/gpp_bad:")
    elif report.warnings:
        st.warning(f"This product meets every error policy; {summary}.",
                   icon=":material/gpp_maybe:")
    else:
        st.success(f"This product meets every policy in force ({summary}).",
                   icon=":material/verified_user:")
    st.caption("Policies come from the global set and from the domain's policies.yaml; the same "
               "checks run in `python -m catalog validate` and when a product is registered.")
    items = pres.checklist(report)
    open_items = [(r, label) for r, label in items if r.status != "passed"]
    met = [(r, label) for r, label in items if r.status == "passed"]
    for result, label in open_items:
        with st.container(border=True):
            _result(result, label)
    if met:
        with st.expander(f"{plural(len(met), 'policy', 'policies')} met", expanded=not open_items,
                         icon=":material/check_circle:"):
            for result, label in met:
                _result(result, label)
