"""The data tab of a product: a preview of the first rows and the CSV extract form, or, when
the principal may not read the port, why not and the access-request form.

Masking is the catalog's: previews, counts and extracts come back with the columns the principal
may not see already masked; this tab only says which they are and offers to ask for them.
"""

from __future__ import annotations

import logging

import streamlit as st

from catalog import (
    Action,
    Catalog,
    Column,
    DataProduct,
    ExtractRequest,
    FilterOp,
    Principal,
    RowFilter,
)
from portal import state
from portal.components.access_common import MASK_HINT
from portal.components.access_request import pending_request, request_form
from portal.safe_text import escape_markdown
from portal.services import errors_shown, show_error
from portal.tables import table_height
from portal.wording import HELP, plural

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 100
"""Rows shown in the preview."""
MAX_FILTERS = 3
"""Row filters the extract form offers at most."""
_NO_VALUE = (FilterOp.IS_EMPTY, FilterOp.NOT_EMPTY)
LINK_TTL_S = 600
"""How long the download links of the extract form work, in seconds."""


def data_view(catalog: Catalog, principal: Principal, product: DataProduct) -> None:
    """Port chooser (when there are several), then the port's data or how to ask for it.

    Errors (data not built yet, unreadable files) are shown in place of the data.
    """
    names = [p.name for p in product.output_ports]
    if not names:
        st.info("This product has no output port, so there is no data to show.")
        return
    port = names[0]
    if len(names) > 1:
        port = st.selectbox("Output port", names, key=state.product_port(product.id),
                            help=HELP["output_port"])
    with errors_shown():
        decision = catalog.decide(principal, Action.READ_DATA, product.id, port=port)
        masked = catalog.masked_columns(principal, product.id, port)
        if not decision.allowed:
            st.warning("You do not have access to this data yet. "
                       + escape_markdown(decision.reason), icon=":material/lock:")
            if pending_request(catalog, principal, product.id, port) is None:
                st.subheader("Request access", anchor=False)
                st.caption("The product's owners and data stewards decide; their answer shows "
                           "on My access.")
            request_form(catalog, principal, product, port, masked)
            return
        if masked:
            verb = "is" if len(masked) == 1 else "are"
            st.info(escape_markdown(f"{', '.join(masked)} {verb} masked (personal or "
                                    f"confidential data): you see {MASK_HINT} in their place. "
                                    "Request access to them below."),
                    icon=":material/visibility_off:")
            with st.expander("Request access to the masked columns", icon=":material/lock_open:"):
                request_form(catalog, principal, product, port, masked)
        _port_data(catalog, principal, product, port, masked)


def _port_data(catalog: Catalog, principal: Principal, product: DataProduct, port: str,
               masked: list[str]) -> None:
    """Row count, preview and extract form of a port the principal may read."""
    with errors_shown():
        columns = catalog.columns(principal, product.id, port)
        total = catalog.row_count(principal, product.id, port)
        st.metric("Rows", f"{total:,}", help="All rows the output port serves right now.")
        frame = catalog.preview(principal, product.id, port, limit=PREVIEW_ROWS)
        st.caption(f"The first {len(frame):,} of {total:,} rows.")
        dates = {c.name: st.column_config.DateColumn(format="YYYY-MM-DD")
                 for c in columns if c.type.upper() == "DATE" and c.name not in masked}
        st.dataframe(frame, hide_index=True, width="stretch", column_config=dates,
                     height=table_height(len(frame), max_rows=10))
        extract_form(catalog, principal, product, port, columns, total, masked)


def _change_filters(key: str, delta: int) -> None:
    st.session_state[key] = max(0, min(MAX_FILTERS, st.session_state.get(key, 0) + delta))


def _filter_rows(product_id: str, port: str, names: list[str], count: int
                 ) -> tuple[list[RowFilter], int]:
    """Render ``count`` filter rows; return the complete filters and how many lack a value."""
    filters: list[RowFilter] = []
    incomplete = 0
    for index in range(count):
        col, op, val = st.columns([2, 2, 3], vertical_alignment="bottom")
        column = col.selectbox("Column", names,
                               key=state.product_filter(product_id, port, index, "column"))
        operator = op.selectbox("Condition", [o.value for o in FilterOp],
                                key=state.product_filter(product_id, port, index, "op"))
        needs_value = FilterOp(operator) not in _NO_VALUE
        value = val.text_input("Value", key=state.product_filter(product_id, port, index, "value"),
                               disabled=not needs_value, help=HELP["filter_value"])
        if needs_value and not value.strip():
            incomplete += 1
            continue
        filters.append(RowFilter(column, FilterOp(operator),
                                 value.strip() if needs_value else None))
    return filters, incomplete


def extract_form(catalog: Catalog, principal: Principal, product: DataProduct, port: str,
                 columns: list[Column], total: int, masked: list[str] | None = None) -> None:
    """Column picker, up to :data:`MAX_FILTERS` row filters, a live count, and CSV and Parquet
    downloads whose file is only made when the button is clicked (:func:`download_links`).
    Rows cannot be filtered on ``masked`` columns (the catalog refuses it: the count would
    reveal their values)."""
    st.subheader("Download an extract", anchor=False)
    key = state.product_extract
    names = [c.name for c in columns]
    hidden = set(masked or ())
    with st.container(border=True):
        picked = st.multiselect("Columns", names, default=names,
                                key=key(product.id, port, "columns"), help=HELP["extract_columns"])
        count_key = key(product.id, port, "filters")
        count = st.session_state.setdefault(count_key, 0)
        filters, incomplete = _filter_rows(product.id, port,
                                           [n for n in names if n not in hidden], count)
        with st.container(horizontal=True):
            st.button("Add a row filter", icon=":material/filter_alt:", on_click=_change_filters,
                      args=(count_key, 1), disabled=count >= MAX_FILTERS,
                      key=key(product.id, port, "add_filter"))
            if count:
                st.button("Remove the last filter", icon=":material/remove:",
                          on_click=_change_filters, args=(count_key, -1),
                          key=key(product.id, port, "remove_filter"))
        if incomplete:
            verb = "is" if incomplete == 1 else "are"
            st.caption(f"{plural(incomplete, 'filter')} without a value {verb} not applied yet.")
        request = ExtractRequest(columns=tuple(picked), filters=tuple(filters))
        matching: int | None = None
        try:
            matching = catalog.row_count(principal, product.id, port, request)
        except Exception as err:  # noqa: BLE001 - shown in place; the form stays usable
            show_error(err)
        if matching is not None:
            st.markdown(f"**{matching:,}** of {total:,} rows match, "
                        f"with {plural(len(picked), 'column')}.")
        if not picked:
            st.warning("Pick at least one column to download.", icon=":material/warning:")
        download_links(catalog, principal, product, port, request,
                       ready=matching is not None and bool(picked))


def download_links(catalog: Catalog, principal: Principal, product: DataProduct, port: str,
                   request: ExtractRequest, *, ready: bool) -> None:
    """"Download CSV" and "Download Parquet" buttons: short-lived signed links to the HTTP API's
    data routes, which stream a file the catalog writes (never built in this server's memory).

    The links are made by the catalog (:meth:`~catalog.Catalog.sign_extract_link`) for this
    principal, port, columns and filters; they work for :data:`LINK_TTL_S` seconds and are
    renewed whenever the page updates. The data rights are checked again on download.

    Args:
        catalog: the catalog.
        principal: who downloads.
        product: the product.
        port: the output port.
        request: the columns and filters picked.
        ready: False disables the buttons (no column picked, or a filter the catalog refused).
    """
    links: dict[str, str] = {}
    if ready:
        try:
            links = {fmt: catalog.sign_extract_link(principal, product.id, port, request, fmt,
                                                    ttl_s=LINK_TTL_S)
                     for fmt in ("csv", "parquet")}
        except Exception as err:  # noqa: BLE001 - shown in place; the form stays usable
            show_error(err)
    key = state.product_extract
    with st.container(horizontal=True, vertical_alignment="center"):
        st.link_button("Download CSV", links.get("csv", ""), key=key(product.id, port, "download"),
                       icon=":material/download:", type="primary", disabled="csv" not in links)
        st.link_button("Download Parquet", links.get("parquet", ""),
                       key=key(product.id, port, "download_parquet"),
                       icon=":material/download:", disabled="parquet" not in links)
    st.caption(f"The file is made when you click, from the data as it is then; the links work "
               f"for {LINK_TTL_S // 60} minutes and are renewed whenever this page updates.")
