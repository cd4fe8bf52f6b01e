"""Step 2 of the registration wizard: upload a file, pick one from the data folder, or write a
query over existing products; then a preview and the row count."""

from __future__ import annotations

import streamlit as st

from catalog import UPLOAD_SUFFIXES, Catalog, DataSource, SourceKind
from catalog import registration_presentation as shown
from portal import state
from portal.components import register_wizard as wizard
from portal.safe_text import code_span, escape_markdown
from portal.services import current_principal, show_error
from portal.tables import table_height

_KINDS = {SourceKind.UPLOAD.value: "Upload a CSV or Parquet file",
          SourceKind.LOCAL.value: "A file or table in the data folder",
          SourceKind.QUERY.value: "A SQL query over existing products"}
PREVIEW_ROWS = 20


def sync() -> None:
    """Nothing to copy: the staged data is stored as soon as it is accepted."""


def problems(catalog: Catalog) -> list[str]:
    """What stops step 2: no data yet, or data without rows."""
    src = wizard.source()
    if src is None:
        return ["Upload a file, choose one from the data folder, or write a query first."]
    if src.rows == 0:
        return [f"{src.label} has no rows; choose data with at least one row."]
    return []


def accept(catalog: Catalog, staged: DataSource) -> None:
    """Keep ``staged`` as the product's data: profile it and start the schema from it.

    The previous staged file is removed; rules are suggested afresh for the new data.
    """
    old = wizard.source()
    if old is not None and old.path != staged.path:
        catalog.discard_source(old)
    principal = current_principal()
    data_profile = catalog.profile_source(principal, staged)
    form = wizard.form()
    form.properties = catalog.infer_schema(principal, form, data_profile)
    form.sla = catalog.suggest_service_levels(form, data_profile)
    for key in [state.REGISTER_FRESHNESS_COLUMN,
                *(state.register_sla(t) for t in shown.SLA_TOPICS)]:
        st.session_state.pop(key, None)  # seeded again from the new suggestion
    st.session_state[state.REGISTER_SOURCE] = staged
    st.session_state[state.REGISTER_PROFILE] = data_profile
    st.session_state.pop(state.REGISTER_RULES_FOR, None)
    st.session_state.pop(state.REGISTER_DRY_RUN, None)
    wizard.set_problems([])


def _upload(catalog: Catalog) -> None:
    limit = catalog.upload_limit_bytes() // (1024 * 1024)
    uploaded = st.file_uploader(
        "CSV or Parquet file", type=sorted(s.lstrip(".") for s in UPLOAD_SUFFIXES),
        key=state.REGISTER_UPLOAD, max_upload_size=limit,
        help=f"Up to {limit} MB. CSV files must be UTF-8 text with a header row.")
    if uploaded is None:
        return
    identity = (uploaded.name, uploaded.size, uploaded.file_id)
    if st.session_state.get(state.REGISTER_UPLOADED) == identity:
        return
    st.session_state[state.REGISTER_UPLOADED] = identity
    try:
        with st.spinner(f"Reading {escape_markdown(uploaded.name, one_line=True)}…"):
            accept(catalog, catalog.stage_upload(current_principal(), uploaded.name,
                                                 uploaded.getvalue()))
    except Exception as err:  # noqa: BLE001 - shown in place; the step stays usable
        show_error(err)


def _local(catalog: Catalog) -> None:
    candidates = catalog.local_candidates(current_principal())
    if not candidates:
        st.info("The data folder has no CSV, Parquet or DuckDB data that is not a product yet.")
        return
    labels = {c.label: c for c in candidates}
    choice = st.selectbox("File or table", list(labels), key=state.REGISTER_LOCAL, index=None,
                          placeholder="Choose a file or table")
    if st.button("Use this data", key=state.REGISTER_USE_LOCAL, disabled=choice is None,
                 icon=":material/check:") and choice is not None:
        picked = labels[choice]
        try:
            with st.spinner(f"Reading {escape_markdown(picked.label, one_line=True)}…"):
                accept(catalog, catalog.stage_file(current_principal(), picked.path,
                                                   picked.table))
        except Exception as err:  # noqa: BLE001 - shown in place
            show_error(err)


def _query(catalog: Catalog) -> None:
    current = wizard.source()
    wizard.seed(state.REGISTER_QUERY, current.query if current and current.query else "")
    sql = st.text_area("SQL query", key=state.REGISTER_QUERY, height=140,
                       placeholder="SELECT carrier, count(*) AS flights\n"
                                   "FROM operations.flights GROUP BY carrier",
                       help="One SELECT over existing products, named by their id "
                            "<domain>.<name>. They become the new product's input ports.")
    if st.button("Run query", key=state.REGISTER_RUN_QUERY, icon=":material/play_arrow:"):
        try:
            with st.spinner("Running the query…"):
                accept(catalog, catalog.stage_query(current_principal(), sql))
        except Exception as err:  # noqa: BLE001 - shown in place
            show_error(err)


def _current(catalog: Catalog, src: DataSource) -> None:
    st.subheader("The data", anchor=False)
    cols = st.columns(3)
    cols[0].metric("Rows", f"{src.rows:,}")
    data_profile = wizard.profile()
    cols[1].metric("Columns", len(data_profile.columns) if data_profile else "–")
    cols[2].markdown(f"**Source**  \n{escape_markdown(src.label, one_line=True)}")
    if src.inputs:
        st.caption("Input ports: " + ", ".join(
            f"{code_span(i.product_id)} {escape_markdown(i.version, one_line=True)}"
            for i in src.inputs))
    if data_profile:
        for col in data_profile.columns:
            if col.formula_like:
                st.warning(f"{col.formula_like:,} cells of "
                           f"{escape_markdown(col.name, one_line=True)} start with =, +, -, @ or "
                           "a tab: spreadsheets could run them as formulas. They are kept as "
                           "text, and CSV downloads from the portal prefix them with ' so they "
                           "stay text.", icon=":material/warning:")
    frame = catalog.source_preview(current_principal(), src, PREVIEW_ROWS)
    st.caption(f"The first {len(frame):,} of {src.rows:,} rows.")
    st.dataframe(frame, hide_index=True, width="stretch", height=table_height(len(frame), 10))


def render(catalog: Catalog) -> None:
    """Draw step 2: the three ways to bring data, then what is staged."""
    kinds = list(_KINDS)
    current = wizard.source()
    wizard.seed(state.REGISTER_SOURCE_KIND, current.kind.value if current else kinds[0])
    kind = st.radio("Where does the data come from?", kinds, key=state.REGISTER_SOURCE_KIND,
                    format_func=_KINDS.get, horizontal=True, persist_state="page")
    {"upload": _upload, "local": _local, "query": _query}[kind](catalog)
    src = wizard.source()
    if src is not None:
        _current(catalog, src)
