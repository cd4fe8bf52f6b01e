"""Governance: policy compliance across the mesh, approvals and the mesh's KPIs; ``/governance``.

Federated computational governance: global policies plus each domain's
``policies.yaml``, evaluated by the same code as ``python -m catalog validate``.
"""

from __future__ import annotations

import streamlit as st

from catalog import governance_presentation as pres
from portal.components import governance_sections as sections
from portal.services import current_principal, get_catalog

catalog = get_catalog()
principal = current_principal()
compliance = catalog.compliance_all(principal)
kpis = catalog.governance_kpis(principal)
titles = {p.id: p.title for p in catalog.all_products(principal)}

st.title("Governance", anchor=False)
st.caption("Policies every data product must meet — defined once for the whole mesh, added to "
           "or tightened by each domain — checked automatically here, on each product's page "
           "and in domain CI (`python -m catalog validate`).")

sections.kpis(kpis, compliance)

st.subheader("Proposed products waiting for approval", anchor=False)
sections.approvals(catalog, principal, catalog.approval_queue(principal))

st.subheader("Violations to act on", anchor=False)
sections.violations(compliance, titles)

st.subheader("Compliance by domain and policy", anchor=False)
st.caption("Products meeting each policy in each domain (met/measured). A policy not yet "
           "measured (e.g. a quality score before the first run) is neither met nor broken.")
sections.matrix(compliance)

st.subheader("Compliance over time", anchor=False)
sections.trend(pres.trend_points(catalog.compliance_trend(principal)))

st.subheader("Policies and where they come from", anchor=False)
st.caption("Global policies apply in every domain. A domain's policies.yaml may add policies and "
           "tighten global ones, never switch off or loosen a global error.")
sections.policies(compliance)

st.subheader("The mesh in figures", anchor=False)
sections.mesh_figures(kpis, titles)
