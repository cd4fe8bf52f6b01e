"""Governance: policy compliance across the mesh, approvals and the mesh's KPIs; ``/governance``.

Federated computational governance: global policies plus each domain's
``policies.yaml``, evaluated by the same code as ``python -m catalog validate``. The open
section lives in the URL (``/governance?governance_view=Violations``); only it runs.
"""

from __future__ import annotations

import streamlit as st

from catalog import explain
from catalog import governance_presentation as pres
from portal import state
from portal.components import governance_sections as sections
from portal.services import current_principal, get_catalog
from portal.wording import plural

# The page's sections, one tab each (the first is open by default). A page script shows a
# bare string literal (Streamlit "magic"), so constants here are explained in comments.
VIEWS = ("Compliance", "Violations", "Approvals", "Policies", "Mesh in figures")

catalog = get_catalog()
principal = current_principal()
compliance = catalog.compliance_all(principal)
kpis = catalog.governance_kpis(principal)
titles = {p.id: p.title for p in catalog.all_products(principal)}
verdicts = catalog.verdicts(principal)
queue = catalog.approval_queue(principal)

st.title("Governance", anchor=False)
st.caption("Policies every data product must meet — defined once for the whole mesh, added to "
           "or tightened by each domain — checked automatically here, on each product's page "
           "and in domain CI (`python -m catalog validate`).",
           help=explain("policy"))

sections.kpis(kpis, compliance)
sections.stale_quality(verdicts, titles)
if queue:
    st.caption(f":material/pending_actions: {plural(len(queue), 'proposed product')} waiting "
               "for approval: see Approvals.")

overview, violations, approvals, policies, figures = st.tabs(
    list(VIEWS), key=state.GOVERNANCE_VIEW, bind="query-params")
if overview.open:
    with overview:
        st.caption("Products meeting each policy in each domain (met/measured). A policy not "
                   "yet measured (e.g. a quality score before the first run) is neither met "
                   "nor broken.")
        sections.matrix(compliance)
        st.markdown("**Compliance over time**")
        sections.trend(pres.trend_points(catalog.compliance_trend(principal)))
if violations.open:
    with violations:
        sections.violations(compliance, titles, verdicts)
if approvals.open:
    with approvals:
        st.caption("Proposed products waiting for approval, with their compliance: approve, or "
                   "send back with a reason.")
        sections.approvals(catalog, principal, queue)
if policies.open:
    with policies:
        st.caption("Global policies apply in every domain. A domain's policies.yaml may add "
                   "policies and tighten global ones, never switch off or loosen a global "
                   "error.")
        sections.policies(compliance)
if figures.open:
    with figures:
        sections.mesh_figures(kpis, titles)
