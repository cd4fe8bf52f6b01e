"""Register a product: a step-by-step wizard from a file or a query to a published product;
``/register`` (``/register?product=<id>`` starts a new version of that product)."""

from __future__ import annotations

import streamlit as st

from catalog import STEPS
from portal import routes, state
from portal.components import register_basics as basics
from portal.components import register_data as data
from portal.components import register_review as review
from portal.components import register_rules as rules
from portal.components import register_schema as schema
from portal.components import register_wizard as wizard
from portal.components.register_wizard import Step
from portal.safe_text import code_span
from portal.services import current_principal, errors_shown, get_catalog

REGISTRY = {
    "basics": Step(basics.render, basics.sync, basics.problems),
    "data": Step(data.render, data.sync, data.problems),
    "schema": Step(schema.render_schema, schema.sync_schema, schema.schema_step_problems),
    "sla": Step(schema.render_sla, schema.sync_sla, schema.sla_step_problems),
    "rules": Step(rules.render, rules.sync, rules.problems, on_enter=rules.on_enter),
    "review": Step(review.render, review.sync, review.problems),
}
MODES = {"new": "A new data product", "version": "A new version of an existing product"}

catalog = get_catalog()
principal = current_principal()
st.title("Register a product", anchor=False)
st.caption("Turn a CSV or Parquet file, data already in the data folder, or a query over other "
           "products into a published data product with a data contract, in six steps.")

if state.REGISTER_RESULT in st.session_state:
    review.published(catalog)
    st.button("Register another product", icon=":material/add_box:",
              key=state.REGISTER_RESTART, on_click=wizard.reset)
    st.stop()

wanted = st.query_params.get(routes.PRODUCT_PARAM, "").strip()
if wanted and state.REGISTER_MODE not in st.session_state:
    st.session_state[state.REGISTER_MODE] = "version"
    st.session_state[state.REGISTER_VERSION_OF] = wanted
if wizard.step_index() == 0:
    mode = st.radio("What do you want to publish?", list(MODES), format_func=MODES.get,
                    key=state.REGISTER_MODE, horizontal=True)
    if mode == "new" and not catalog.registration_domains(principal):
        basics.explain_who_registers(catalog, principal)
        st.stop()
    if mode == "version":
        titles = catalog.versionable_products(principal)
        if not titles:
            st.info("Only the product's team, its domain's team or a governance admin may "
                    "publish a new version, and you are in none of their teams.",
                    icon=":material/lock:")
            st.stop()
        asked = st.session_state.get(state.REGISTER_VERSION_OF)
        if asked and asked not in titles:  # /register?product=<another team's or no product>
            st.warning(f"You cannot publish a new version of {code_span(asked)}: it is not one "
                       "of the products whose team (or domain's team) you are in.",
                       icon=":material/lock:")
            st.session_state[state.REGISTER_VERSION_OF] = None
        chosen = st.selectbox("Product", list(titles), key=state.REGISTER_VERSION_OF,
                              index=None, format_func=lambda pid: f"{titles.get(pid, pid)} "
                                                                  f"({pid})",
                              placeholder="Choose the product to publish a new version of")
        if chosen and st.session_state.get(state.REGISTER_PREFILLED) != chosen:
            with errors_shown():
                form = catalog.start_version(principal, chosen)
                wizard.reset()
                st.session_state[state.REGISTER_FORM] = form
                st.session_state[state.REGISTER_PREFILLED] = chosen
        if not chosen:
            st.stop()
    elif wizard.is_new_version():
        wizard.reset()

wizard.progress()
wizard.show_problems(catalog, REGISTRY)
with errors_shown():
    REGISTRY[STEPS[wizard.step_index()]].render(catalog)
wizard.navigation(catalog, REGISTRY)
if wizard.source() is not None or wizard.step_index() > 0:
    st.button("Start over", icon=":material/restart_alt:", key=state.REGISTER_RESTART,
              on_click=wizard.reset, type="tertiary",
              help="Forget everything entered so far" + (
                  " (the staged data is removed)." if wizard.source() else "."))
