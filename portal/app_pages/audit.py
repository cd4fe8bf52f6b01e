"""Audit: who did what and when, for governance admins;
``/audit?audit_actor=…&audit_action=…&audit_product=…&audit_dates=<from>&audit_dates=<to>``.

The catalog decides who may read the log (governance admins) and writes the CSV; this page only
reads the filters, asks, and shows what comes back.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from catalog import PermissionDenied
from portal import state
from portal.components import audit_view
from portal.safe_text import escape_markdown
from portal.services import current_principal, errors_shown, get_catalog
from portal.wording import plural

SHOWN = 1000  # events the table shows at most (the newest)
IN_CSV = 100_000  # events the CSV download holds at most (the newest)

catalog = get_catalog()
principal = current_principal()

st.title("Audit log", anchor=False)
st.caption("Every sign-in, registration, approval, access request and decision, and data "
           "extract, newest first. Filter by person, action, product and days; the filters are "
           "in the address, so a view can be shared with another admin.")

try:
    catalog.audit_log(principal, limit=1)
except PermissionDenied as err:
    st.error(escape_markdown(str(err)), icon=":material/lock:")
    st.caption("The audit log records who did what with whose data; governance admins are "
               "configured by the platform team (MESH_ADMINS, MESH_ADMIN_GROUPS).")
    st.stop()

chosen = audit_view.filters(sorted(p.id for p in catalog.all_products(principal)))
with errors_shown():
    events = catalog.audit_log(principal, limit=SHOWN, **chosen)
    if not events:
        st.info("No audit event matches these filters. Remove some of them to see more.",
                icon=":material/filter_alt_off:")
        st.stop()
    more = " (the newest; narrow the filters to see older ones)" if len(events) == SHOWN else ""
    st.caption(f"{plural(len(events), 'event')} shown{more}.")
    audit_view.event_table(events)
    st.download_button(
        "Download CSV", data=lambda: catalog.audit_csv(principal, limit=IN_CSV, **chosen),
        file_name=f"audit-{dt.date.today():%Y%m%d}.csv", mime="text/csv",
        key=state.AUDIT_DOWNLOAD, icon=":material/download:", on_click="ignore",
        help=f"The filtered events (up to {IN_CSV:,}, newest first) with their full details "
             "as JSON, made when you click.")
