"""The data tab of a product: the extract form with its downloads and a preview that follows it,
or, when the principal may not read the port, why not and the access-request form.

Top to bottom: which columns and rows (conditions that suit each column: two dates, a month or
two numbers with "is between"), then how many rows the file will hold, the period it covers
and any day without data in it, the file's name and the download buttons, then the first rows
of exactly that extract. A click on a download button leaves a confirmation of what was asked
for. The form runs as a fragment: changing a filter redraws the form and the preview only.

Masking is the catalog's: previews, counts and extracts come back with the columns the principal
may not see already masked; this tab only says which they are and offers to ask for them. Counts,
coverage and previews are the catalog's too, computed in SQL where the data lives
(:meth:`catalog.Catalog.extract_preview`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from catalog import (
    Action,
    Catalog,
    Column,
    Coverage,
    DataProduct,
    ExtractPreview,
    ExtractRequest,
    Principal,
    RowFilter,
)
from portal import extract_choices as choices
from portal import state
from portal.components.access_common import MASK_HINT
from portal.components.access_request import pending_request, request_form
from portal.safe_text import code_span, escape_markdown
from portal.services import errors_shown, show_error
from portal.tables import EMPTY_CELL, table_height
from portal.wording import HELP, plural

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 100
"""Rows shown in the preview."""
MAX_FILTERS = 3
"""Row filters the extract form offers at most."""
LINK_TTL_S = 600
"""How long the download links of the extract form work, in seconds."""
PREVIEW_KEY = "data_preview"
"""Key of the preview's container (its CSS class hides the grid's own CSV download)."""
_HIDE_GRID_DOWNLOAD = (
    "<style>.st-key-data_preview [data-testid='stElementToolbarButton']:has("
    "button[aria-label^='Download as CSV']) {display: none;}</style>")
"""The preview's grid would offer a CSV of the 100 rows shown; the form's buttons download the
whole extract, so the grid's own is hidden."""


_BUTTONS: tuple[tuple[str, str, Literal["primary", "secondary"]], ...] = (
    ("csv", "Download CSV", "primary"), ("parquet", "Download Parquet", "secondary"))
"""Format, label and emphasis of each download button."""


@dataclass(frozen=True)
class Downloaded:
    """What a click on a download button asked for: shown as its confirmation."""

    file_name: str
    rows: int
    columns: int
    conditions: tuple[str, ...]
    period: str


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
                                    "Request access to them below the preview."),
                    icon=":material/visibility_off:")
        extract_panel(catalog, principal, product, port, masked)
        if masked:
            with st.expander("Request access to the masked columns", icon=":material/lock_open:"):
                request_form(catalog, principal, product, port, masked)


def _change_filters(key: str, delta: int) -> None:
    st.session_state[key] = max(0, min(MAX_FILTERS, st.session_state.get(key, 0) + delta))


def _value_input(product_id: str, port: str, index: int, column: Column, condition: str,
                 span: Coverage | None) -> object:
    """The value widget(s) a condition needs on ``column``; returns the value (or None)."""
    key = state.product_filter(product_id, port, index, "value")
    kind = choices.kind_of(column)
    if condition in (choices.EMPTY, choices.NOT_EMPTY):
        st.caption("No value needed.")
        return None
    low: dt.date | None = None
    high: dt.date | None = None
    if kind == "time" and span is not None and span.column == column.name:
        low, high = span.first, span.last
    if kind == "time" and condition == choices.BETWEEN:
        first = low or dt.date.today()
        picked = st.date_input("From – to", value=(first, high or first), min_value=low,
                               max_value=high, key=f"{key}_range", format="YYYY-MM-DD",
                               help="Both days are included.")
        return tuple(picked) if isinstance(picked, tuple | list) and len(picked) == 2 else None
    if kind == "time" and condition == choices.IN_MONTH:
        if low is None or high is None:
            text = st.text_input("Month (YYYY-MM)", key=f"{key}_month_text",
                                 placeholder="2013-07")
            try:
                choices.month_bounds(text.strip())
            except ValueError:
                return None
            return text.strip()
        months = choices.months_between(low, high)
        return st.selectbox("Month", months, key=f"{key}_month", format_func=choices.month_words)
    if kind == "time":
        return st.date_input("Day", value=high or dt.date.today(), min_value=low,
                             max_value=high, key=f"{key}_day", format="YYYY-MM-DD")
    if kind == "number" and condition == choices.BETWEEN:
        low_col, high_col = st.columns(2)
        lowest = low_col.number_input("From", value=None, key=f"{key}_low",
                                      placeholder="lowest")
        highest = high_col.number_input("To", value=None, key=f"{key}_high",
                                        placeholder="highest", help="Both ends are included.")
        return (lowest, highest)
    return st.text_input("Value", key=key, help=HELP["filter_value"])


def _filter_rows(product_id: str, port: str, columns: list[Column], count: int,
                 span: Coverage | None) -> tuple[list[choices.Choice], int, list[str]]:
    """Render ``count`` filter rows; return the complete choices, how many lack a value and
    the problems of the others."""
    picked: list[choices.Choice] = []
    incomplete = 0
    problems: list[str] = []
    by_name = {c.name: c for c in columns}
    for index in range(count):
        col, op, val = st.columns([2, 2, 3], vertical_alignment="bottom")
        name = col.selectbox("Column", list(by_name),
                             key=state.product_filter(product_id, port, index, "column"))
        column = by_name[name]
        condition = op.selectbox("Condition", choices.conditions_for(column),
                                 key=state.product_filter(product_id, port, index,
                                                          f"op_{choices.kind_of(column)}"))
        with val:
            value = _value_input(product_id, port, index, column, condition, span)
        choice = choices.Choice(column, condition, value)
        try:
            if choices.row_filters(choice) is None:
                incomplete += 1
                continue
        except ValueError as err:
            problems.append(str(err))
            continue
        picked.append(choice)
    return picked, incomplete, problems


def _span(catalog: Catalog, principal: Principal, product_id: str, port: str
          ) -> Coverage | None:
    """The port's whole time span (for the date inputs), measured once per session and port:
    bounds a day old are good enough to offer dates, and filters do not change it."""
    key = state.product_extract(product_id, port, "span")
    if key not in st.session_state:
        st.session_state[key] = catalog.coverage(principal, product_id, port)
    span: Coverage | None = st.session_state[key]
    return span


def _period(product_id: str, port: str, columns: list[Column], span: Coverage | None
            ) -> choices.Choice | None:
    """The period picker of a port with a time column: all the data, or one month of it
    (newest first); returns the month as a filter, None for all the data or without one."""
    column = next((c for c in columns if span is not None and c.name == span.column), None)
    if column is None or span is None or span.first is None or span.last is None:
        return None
    months = choices.months_between(span.first, span.last)
    whole = f"All the data ({choices.period_words(span.first, span.last)})"
    month = st.selectbox(
        "Period", [None, *months], key=state.product_extract(product_id, port, "period"),
        format_func=lambda m: whole if m is None else choices.month_words(m),
        help=f"Only the rows whose {column.name} falls in this month; more precise periods "
             "with a row filter below.")
    return None if month is None else choices.Choice(column, choices.IN_MONTH, month)


def _remember(key: str, done: Downloaded) -> None:
    """Download button callback: keep what was asked for, shown after the rerun."""
    st.session_state[key] = done


@st.fragment
def extract_panel(catalog: Catalog, principal: Principal, product: DataProduct, port: str,
                  masked: list[str]) -> None:
    """The extract form, its summary and downloads, and the preview of the same rows; a
    change reruns this fragment only."""
    key = state.product_extract
    count_key = key(product.id, port, "filters")
    columns: list[Column] | None = None
    span: Coverage | None = None
    with errors_shown():
        columns = catalog.columns(principal, product.id, port)
        # The whole port's time span: the months of the period picker and the bounds of the
        # date inputs (measured once per session and port).
        span = _span(catalog, principal, product.id, port)
    if columns is None:  # the error is on screen (e.g. the product's server is unreachable)
        return
    names = [c.name for c in columns]
    hidden = set(masked or ())
    st.subheader("Choose the columns and rows", anchor=False)
    with st.container(border=True):
        period = _period(product.id, port, [c for c in columns if c.name not in hidden], span)
        picked = st.multiselect("Columns", names, default=names,
                                key=key(product.id, port, "columns"), help=HELP["extract_columns"])
        count = st.session_state.setdefault(count_key, 0)
        chosen, incomplete, problems = _filter_rows(
            product.id, port, [c for c in columns if c.name not in hidden], count, span)
        if period is not None:
            chosen.insert(0, period)
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
        for problem in problems:
            st.warning(problem, icon=":material/warning:")
    filters: list[RowFilter] = [f for c in chosen for f in choices.row_filters(c) or ()]
    request = ExtractRequest(columns=tuple(picked), filters=tuple(filters))
    preview: ExtractPreview | None = None
    try:
        preview = catalog.extract_preview(principal, product.id, port, request,
                                          limit=PREVIEW_ROWS)
    except Exception as err:  # noqa: BLE001 - shown in place; the form stays usable
        show_error(err)
    if not picked:
        st.warning("Pick at least one column to download.", icon=":material/warning:")
    ready = preview is not None and bool(picked) and not problems
    _summary(preview, picked, chosen)
    done_key = state.product_extract_done(product.id, port)
    download_links(catalog, principal, product, port, request, ready=ready,
                   preview=preview, conditions=tuple(choices.choice_words(c) for c in chosen),
                   done_key=done_key)
    done = st.session_state.get(done_key)
    if isinstance(done, Downloaded):
        _confirmation(done)
    if preview is not None:
        _preview(preview, columns, masked)


def _summary(preview: ExtractPreview | None, picked: list[str],
             chosen: list[choices.Choice]) -> None:
    """How many rows the file will hold, the period they cover and its gaps."""
    if preview is None:
        return
    st.markdown(f"**{preview.rows:,}** of {preview.total:,} rows will be downloaded, with "
                f"{plural(len(picked), 'column')}.")
    if chosen:
        st.caption("Rows where " + escape_markdown(
            "; ".join(choices.choice_words(c) for c in chosen), one_line=True) + ".")
    span = preview.coverage
    if span is None:
        return
    covered = choices.coverage_sentence(span)
    if covered:
        st.caption(f":material/date_range: {escape_markdown(covered, one_line=True)}")
    gaps = choices.gap_sentence(span)
    if gaps:
        st.warning(escape_markdown(gaps, one_line=True) + " Those days are not in the file: "
                   "the data has none for them.", icon=":material/event_busy:")
    if span.rows == 0:
        st.info("No rows match: the file would hold the header only. Widen the filters.",
                icon=":material/filter_alt_off:")


def _confirmation(done: Downloaded) -> None:
    """What the last click on a download button asked for."""
    where = f" where {'; '.join(done.conditions)}" if done.conditions else ""
    st.success(escape_markdown(
        f"Download started: {done.file_name}, {done.rows:,} rows × "
        f"{plural(done.columns, 'column')}{where}. Data period: {done.period}. Check your "
        "browser's downloads.", one_line=True), icon=":material/download_done:")


def _preview(preview: ExtractPreview, columns: list[Column], masked: list[str]) -> None:
    """The first rows of the extract, the grid's own (preview-only) download hidden."""
    shown = len(preview.frame)
    st.caption(f"Preview: the first {shown:,} of the {preview.rows:,} rows that will be "
               "downloaded. The buttons above download all of them.")
    st.html(_HIDE_GRID_DOWNLOAD)
    dates = {c.name: st.column_config.DateColumn(format="YYYY-MM-DD")
             for c in columns if c.type.upper() == "DATE" and c.name not in masked}
    with st.container(key=PREVIEW_KEY):
        st.dataframe(preview.frame, hide_index=True, width="stretch", column_config=dates,
                     placeholder=EMPTY_CELL, height=table_height(shown, max_rows=10))


def download_links(catalog: Catalog, principal: Principal, product: DataProduct, port: str,
                   request: ExtractRequest, *, ready: bool, preview: ExtractPreview | None = None,
                   conditions: tuple[str, ...] = (), done_key: str | None = None) -> None:
    """"Download CSV" and "Download Parquet" buttons: short-lived signed links to the HTTP API's
    data routes, which stream a file the catalog writes (never built in this server's memory).

    The links are made by the catalog (:meth:`~catalog.Catalog.sign_extract_link`) for this
    principal, port, columns and filters; they work for :data:`LINK_TTL_S` seconds and are
    renewed whenever the page updates. The data rights are checked again on download. A click
    keeps a :class:`Downloaded` under ``done_key`` (the confirmation).

    Args:
        catalog: the catalog.
        principal: who downloads.
        product: the product.
        port: the output port.
        request: the columns and filters picked.
        ready: False disables the buttons (no column picked, or a filter the catalog refused).
        preview: the extract's preview (its rows, period and file name), when known.
        conditions: the filters in words, for the confirmation.
        done_key: where a click keeps its confirmation.
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
    columns = len(request.columns)
    with st.container(horizontal=True, vertical_alignment="center"):
        for fmt, label, kind in _BUTTONS:
            done = None
            if preview is not None and done_key is not None:
                span = preview.coverage
                period = (choices.period_words(span.start, span.end)
                          if span is not None and span.first is not None else "not dated")
                done = Downloaded(preview.file_name(fmt), preview.rows, columns, conditions,
                                  period)
            button_key = key(product.id, port, "download" if fmt == "csv"
                             else "download_parquet")
            if done is not None:
                st.link_button(label, links.get(fmt, ""), key=button_key,
                               icon=":material/download:", type=kind,
                               disabled=fmt not in links, on_click=_remember,
                               args=(done_key, done))
            else:
                st.link_button(label, links.get(fmt, ""), key=button_key,
                               icon=":material/download:", type=kind,
                               disabled=fmt not in links)
        if preview is not None:
            st.caption(f"File: {code_span(preview.file_name('csv'))} (or .parquet)")
    st.caption(f"The file is made when you click, from the data as it is then; the links work "
               f"for {LINK_TTL_S // 60} minutes and are renewed whenever this page updates.")
