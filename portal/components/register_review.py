"""Step 6 of the registration wizard: the generated files side by side, what validation and
governance say, the version (for a new version: the schema diff), and publish."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import Catalog, Review, version_problems
from catalog import registration_presentation as shown
from portal import routes, state
from portal.components import register_wizard as wizard
from portal.safe_text import escape_markdown
from portal.services import current_principal, show_error
from portal.tables import table_height


def sync() -> None:
    """Copy the chosen version into the form (new versions only)."""
    if state.REGISTER_VERSION in st.session_state and wizard.is_new_version():
        wizard.form().version = str(st.session_state[state.REGISTER_VERSION]).strip()


def problems(catalog: Catalog) -> list[str]:
    """The last step has no "Next"."""
    return []


def _files(result: Review) -> None:
    """The generated files, on request (most people never need to read YAML)."""
    form = wizard.form()
    with st.expander("Show the generated files (YAML)", icon=":material/code:"):
        left, right = st.columns(2)
        for column, kind, name, text in (
                (left, "odps", shown.PRODUCT_FILE, result.odps_yaml),
                (right, "odcs", shown.contract_file(form), result.odcs_yaml)):
            with column:
                st.markdown(f"**{escape_markdown(name, one_line=True)}**")
                st.code(text, language="yaml", height=420)
                st.download_button(f"Download {escape_markdown(name, one_line=True)}",
                                   text.encode("utf-8"), file_name=name,
                                   mime="application/yaml", key=state.register_download(kind),
                                   icon=":material/download:", on_click="ignore")


def _summary(result: Review) -> None:
    """What will be published, in sentences (they repeat what was typed: escaped)."""
    st.subheader("What will be published", anchor=False)
    st.markdown("\n".join(f"- {escape_markdown(line, one_line=True)}"
                           for line in result.summary))


def _findings(result: Review) -> None:
    """Blocking problems, each with a button to the field to change; warnings after."""
    if not result.fixes:
        score = f" (score {result.score:.0f} on the data as uploaded)" \
            if result.score is not None else ""
        st.success("Both files are valid and meet every policy of the domain, including the "
                   f"minimum quality score{score}: it can be published.",
                   icon=":material/verified:")
    for index, fix in enumerate(result.fixes):
        with st.container(border=True):
            st.markdown(f":red[:material/error:] **{escape_markdown(fix.where, one_line=True)}"
                        f"**: {escape_markdown(fix.message, one_line=True)}")
            st.button(escape_markdown(f"Change it: go to {fix.where}", one_line=True),
                      key=state.register_go_to(index), icon=":material/edit:",
                      on_click=wizard.go_to, args=(fix.step, fix.field))
    for problem in result.problems:
        if problem.severity != "error":
            st.warning(escape_markdown(problem.message), icon=":material/warning:")
    for finding in result.findings:
        if finding.severity != "error":
            text = escape_markdown(finding.message[:1].upper() + finding.message[1:],
                                   one_line=True)
            if finding.fix:
                text += f"  \nHow to fix: {escape_markdown(finding.fix, one_line=True)}"
            st.info(text, icon=":material/info:")


def _version(catalog: Catalog) -> list[str]:
    """The new version's diff and version field; problems that stop publishing."""
    form = wizard.form()
    plan = catalog.version_plan(current_principal(), form)
    wizard.seed(state.REGISTER_VERSION, plan.suggested)
    st.subheader("What changes for consumers", anchor=False)
    if plan.diff.changes:
        st.dataframe(pd.DataFrame([{"Breaking": "yes" if c.breaking else "no",
                                    "Change": c.message, "Where": c.path}
                                   for c in plan.diff.changes]),
                     hide_index=True, width="stretch",
                     height=table_height(len(plan.diff.changes), 10))
    else:
        st.caption("The contract is unchanged; only the data is new.")
    if plan.required_bump == "major":
        st.warning(f"These changes break consumers: the new version must be "
                   f"{escape_markdown(plan.suggested, one_line=True)} or later.",
                   icon=":material/warning:")
        if plan.downstream:
            st.markdown("Products that consume it and should be told:")
            for product in plan.downstream:
                st.page_link(routes.PRODUCT, label=escape_markdown(
                                 f"{product.title} ({product.id})", one_line=True),
                             query_params=routes.product_params(product.id),
                             icon=":material/dataset:")
    st.text_input(f"Version (published now: {escape_markdown(plan.current, one_line=True)})",
                  key=state.REGISTER_VERSION,
                  help="MAJOR.MINOR.PATCH; a breaking change needs a new major number.")
    sync()
    return version_problems(plan, form.version)


def _publish(catalog: Catalog, blocking: list[str]) -> None:
    form, src = wizard.form(), wizard.source()
    if blocking:
        st.info("Publishing is possible once the problems above are fixed: each button takes "
                "you to the field to change.", icon=":material/info:")
    if not st.button(escape_markdown(f"Publish {form.product_id} {form.version}", one_line=True),
                     type="primary",
                     icon=":material/publish:", key=state.REGISTER_PUBLISH,
                     disabled=bool(blocking) or src is None) or src is None:
        return
    try:
        with st.spinner("Publishing: writing the data and both files, then checking quality…"):
            result = catalog.publish(current_principal(), form, src)  # product or version
    except Exception as err:  # noqa: BLE001 - shown in place; the form keeps everything
        show_error(err)
        return
    st.session_state[state.REGISTER_RESULT] = result
    catalog.discard_source(src)  # published: the staged copy is no longer needed
    st.session_state[state.REGISTER_SOURCE] = None
    st.rerun()


def render(catalog: Catalog) -> None:
    """Draw step 6."""
    form, src = wizard.form(), wizard.source()
    if src is None:
        st.error("The data is missing; go back to the Data step.")
        return
    with st.spinner("Checking the files and trying the rules on the data…"):
        result = catalog.review_registration(current_principal(), form, src)
    _summary(result)
    st.subheader("Checks before publishing", anchor=False)
    _findings(result)
    _files(result)
    blocking = list(result.blocking)
    if wizard.is_new_version():
        found = _version(catalog)
        for problem in found:
            st.error(escape_markdown(problem))
        blocking += found
    _publish(catalog, blocking)


def published(catalog: Catalog) -> None:
    """What was published: the product, its rows, the first quality run, where to go next."""
    result = st.session_state[state.REGISTER_RESULT]
    st.success(f"{escape_markdown(f'{result.product_id} {result.version}', one_line=True)} is "
               f"published: {result.rows:,} rows. It can be found in the catalog now.",
               icon=":material/check_circle:")
    run = result.quality
    if run is not None and run.score.value is not None:
        counts = run.counts()
        st.metric("First quality run", f"{run.score.value:.0f} ({run.score.grade})",
                  help=escape_markdown(run.score.arithmetic, one_line=True))
        st.caption(f"{counts['passed']} checks passed, {counts['failed']} failed, "
                   f"{counts['warning']} warnings, {counts['skipped']} not measurable here.")
    elif result.quality_error:
        st.warning("The first quality run could not be stored: "
                   + escape_markdown(result.quality_error, one_line=True))
    with st.container(horizontal=True):
        st.page_link(routes.PRODUCT, label="Open the product", icon=":material/dataset:",
                     query_params=routes.product_params(result.product_id))
        st.page_link(routes.DISCOVER, label="Find it in the catalog", icon=":material/search:",
                     query_params={routes.QUERY_PARAM: result.product_id.split(".", 1)[1]})
