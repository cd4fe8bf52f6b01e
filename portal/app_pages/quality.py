"""Quality: how well every data product keeps its contract, mesh-wide; ``/quality``.

Filters (domain, owner or team, quality status) and the open section live in the URL
(``/quality?quality_domain=weather&quality_status=failed&quality_view=Freshness``), so any view
can be shared. Only the open section runs (``st.tabs`` bound to the URL), so the page draws one
table or figure at a time.
"""

from __future__ import annotations

from statistics import mean

import streamlit as st

from catalog import explain
from catalog import quality_presentation as pres
from portal import state
from portal.components import quality_dashboard as sections
from portal.safe_text import escape_markdown
from portal.services import current_principal, get_catalog
from portal.wording import plural

# The page's sections, one tab each (the first is open by default). A comment, not a
# docstring: Streamlit's magic would write a bare string literal onto the page.
VIEWS = ("Per product", "Per domain", "Rules not met", "Freshness", "Over time")

catalog = get_catalog()
principal = current_principal()
products = catalog.all_products(principal)
verdicts = catalog.verdicts(principal, with_results=True)  # one read of the latest runs
latest = {pid: v.run for pid, v in verdicts.items() if v.run is not None}
downstream = {p.id: [d.id for d in catalog.downstream(principal, p.id)] for p in products}
items = pres.product_quality(products, latest, downstream)

st.title("Data quality", anchor=False)
st.caption("How well each data product keeps its data contract, from the latest run of its "
           "checks. Open a product to see every rule, its history, and to run the checks again.",
           help=explain("data contract"))

by_domain, by_owner, by_status = st.columns([2, 2, 3], gap="medium")
domains = by_domain.pills("Domain", sorted({p.domain for p in products}), key=state.QUALITY_DOMAIN,
                          selection_mode="multi", bind="query-params",
                          format_func=lambda d: escape_markdown(d, one_line=True),
                          help=explain("domain"))
owners = by_owner.multiselect(
    "Owner or team", sorted({o for p in products for o in (*p.owners, p.team_name) if o}),
    key=state.QUALITY_OWNER, bind="query-params", placeholder="Any",
    help="The product's owner or its team.")
statuses = by_status.pills("Quality status", list(pres.PRODUCT_STATUSES),
                           key=state.QUALITY_STATUS, selection_mode="multi",
                           bind="query-params", format_func=lambda s: pres.STATUS_LABELS.get(s, s),
                           help="A product's worst result in its latest run: failing (an error-"
                                "severity rule not met), warnings, could not check, all met.")
shown = [i for i in items if pres.matches(i, domains, owners, statuses)]
if not shown:
    st.info("No data product matches these filters. Remove some of them to see more.",
            icon=":material/filter_alt_off:")
    st.stop()

checked = [i for i in shown if i.run is not None]
scored = [i.score for i in checked if i.score is not None]
not_met = sum(len(pres.failing_rules([i])) for i in checked)
fresh = [f for f in (pres.freshness(i.run) for i in checked) if f is not None]
metrics = st.columns(4)
metrics[0].metric("Products checked", f"{len(checked)} of {len(shown)}", border=True,
                  help="Products shown that have at least one stored quality run.")
metrics[1].metric("Mean score", f"{mean(scored):.1f}" if scored else "–", border=True,
                  help=f"Mean of the latest scores. Grades: {pres.grade_bands()}.")
metrics[2].metric("Rules not met", not_met, border=True,
                  help="Rules of the latest runs not met (failed, or met only with a warning).")
metrics[3].metric("Freshness promise met", f"{sum(bool(f.met) for f in fresh)} of {len(fresh)}",
                  border=True, help=f"Products whose newest record is as recent as promised. "
                                    f"{explain('freshness')}")
if len(checked) < len(shown):
    st.caption(f"{plural(len(shown) - len(checked), 'product')} never checked yet: open it and "
               "run its checks, or run `python -m catalog check`.")
sections.stale_warning(shown, verdicts)

per_product, per_domain, failing, freshness, over_time = st.tabs(
    list(VIEWS), key=state.QUALITY_VIEW, bind="query-params")
if per_product.open:
    with per_product:
        sections.scores(shown, verdicts)
if per_domain.open:
    with per_domain:
        sections.domains(shown)
if failing.open:
    with failing:
        st.caption("Most severe first, then by impact: how many products are built on the one "
                   "whose rule fails.")
        sections.failing_rules(shown, verdicts)
if freshness.open:
    with freshness:
        sections.freshness(shown, verdicts)
if over_time.open:
    with over_time:
        st.caption("Mean score of these products at each data cut-off, each product counted "
                   "with its latest run up to that day. A long gap between two cut-offs is "
                   "marked on the axis.")
        ids = {i.product.id for i in shown}
        sections.trend(pres.mesh_trend(catalog.quality_runs_all(principal),
                                       keep=ids.__contains__))
