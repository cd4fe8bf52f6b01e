"""My access, for owners and data stewards: requests to decide, grants on their products (renew,
revoke) and each output port's access history."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import streamlit as st

from catalog import MAX_DAYS, MAX_PURPOSE, AccessRequest, Catalog, Grant, Principal
from portal import state
from portal.components.access_common import (
    day,
    duration_text,
    grant_state,
    names,
    now_utc,
    product_link,
    run_action,
    show_outcome,
)
from portal.components.audit_view import event_table
from portal.safe_text import escape_markdown
from portal.wording import plural

REQUESTS = "decide"
"""Where the outcome of approving or denying is shown."""
GRANTS = "grants"
"""Where the outcome of renewing or revoking is shown."""
DEFAULT_RENEWAL_DAYS = 90
"""Days the renew form proposes."""
_STATE_COLORS: dict[str, Literal["green", "orange", "red", "gray"]] = {
    "active": "green", "expired": "orange", "revoked": "red", "not started": "gray"}


def _decide(catalog: Catalog, principal: Principal, request_id: int, approve: bool) -> None:
    def act() -> str:
        """Approve or deny; the message says what happened."""
        note = str(st.session_state.get(state.my_access_request(request_id, "note")) or "")
        done = catalog.decide_request(principal, request_id, approve, note)
        if approve:
            return (f"Approved request #{done.id}: {done.requester_name} may now read "
                    f"{names(done.ports)} of {done.product_id} "
                    f"({duration_text(done.duration_days)}).")
        return f"Denied request #{done.id} of {done.requester_name}; they can read your note."

    run_action(state.MY_ACCESS_OUTCOME, REQUESTS, act)


def _request(catalog: Catalog, principal: Principal, request: AccessRequest,
             titles: dict[str, str]) -> None:
    """One pending request: who, what, why and for how long; a note; Approve and Deny."""
    key = state.my_access_request
    with st.container(border=True):
        product_link(request.product_id, titles)
        columns = names(request.columns, "none (they stay masked)")
        st.markdown(escape_markdown(
            f"{request.requester_name} ({request.requester}) asks on {day(request.created_at)} "
            f"for output ports {names(request.ports)}, {duration_text(request.duration_days)}. "
            f"Sensitive columns: {columns}."))
        st.markdown(f"**Purpose:** {escape_markdown(request.purpose)}")
        st.text_area("Note to the requester", key=key(request.id, "note"), height=68,
                     max_chars=MAX_PURPOSE,
                     placeholder="Required to deny: say why, and what would make you approve",
                     help="Optional to approve, required to deny; the requester reads it.")
        with st.container(horizontal=True, gap="small"):
            st.button("Approve", key=key(request.id, "approve"), type="primary",
                      icon=":material/check:", on_click=_decide,
                      args=(catalog, principal, request.id, True),
                      help="One grant per port, for the duration asked, from now.")
            st.button("Deny", key=key(request.id, "deny"), icon=":material/block:",
                      on_click=_decide, args=(catalog, principal, request.id, False))


def requests_to_decide(catalog: Catalog, principal: Principal, titles: dict[str, str]) -> None:
    """Pending requests on the products the principal decides, oldest first."""
    show_outcome(state.MY_ACCESS_OUTCOME, REQUESTS)
    queue = catalog.access_queue(principal)
    if not queue:
        st.caption("No access request is waiting for your decision.")
    for request in queue:
        _request(catalog, principal, request, titles)


def _renew(catalog: Catalog, principal: Principal, grant_id: int) -> None:
    def act() -> str:
        """Renew for the days chosen, or make permanent."""
        key = state.my_access_grant
        permanent = bool(st.session_state.get(key(grant_id, "permanent")))
        days = int(st.session_state.get(key(grant_id, "days")) or DEFAULT_RENEWAL_DAYS)
        grant = catalog.renew_grant(principal, grant_id, None if permanent else days)
        return (f"Renewed grant #{grant.id} of {grant.consumer_name} on {grant.product_id} "
                f"{grant.port}: " + ("permanent." if grant.expires_at is None
                                     else f"until {day(grant.expires_at)}."))

    run_action(state.MY_ACCESS_OUTCOME, GRANTS, act)


def _revoke(catalog: Catalog, principal: Principal, grant_id: int) -> None:
    def act() -> str:
        """Revoke with the note typed."""
        note = str(st.session_state.get(state.my_access_grant(grant_id, "note")) or "")
        grant = catalog.revoke_grant(principal, grant_id, note)
        return (f"Revoked grant #{grant.id}: {grant.consumer_name} can no longer read "
                f"{grant.port} of {grant.product_id}.")

    run_action(state.MY_ACCESS_OUTCOME, GRANTS, act)


def _grant(catalog: Catalog, principal: Principal, grant: Grant, now: dt.datetime) -> None:
    """One grant in words, its state, and (unless revoked) Renew and Revoke."""
    key = state.my_access_grant
    status = grant_state(grant, now)
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        columns = (f"sensitive columns {names(grant.columns)}" if grant.columns
                   else "no sensitive column")
        until = ("permanent" if grant.expires_at is None
                 else f"until {day(grant.expires_at)}")
        st.markdown(escape_markdown(
            f"#{grant.id} {grant.consumer_name} ({grant.consumer}) · port {grant.port} · "
            f"{columns} · from {day(grant.starts_at)}, {until}"), width="stretch")
        st.badge(status, color=_STATE_COLORS.get(status, "gray"))
        if status == "revoked":
            return
        with st.popover("Renew", icon=":material/update:"):
            st.toggle("Permanent", key=key(grant.id, "permanent"))
            st.number_input("Days from today", min_value=1, max_value=MAX_DAYS,
                            value=DEFAULT_RENEWAL_DAYS, step=1, key=key(grant.id, "days"),
                            help="Ignored when permanent.")
            st.button("Renew the grant", key=key(grant.id, "renew"), type="primary",
                      on_click=_renew, args=(catalog, principal, grant.id))
        with st.popover("Revoke", icon=":material/block:"):
            st.text_area("Why", key=key(grant.id, "note"), max_chars=MAX_PURPOSE, height=68,
                         placeholder="Required; the consumer reads it")
            st.button("Revoke the grant", key=key(grant.id, "revoke"), on_click=_revoke,
                      args=(catalog, principal, grant.id))


def grants_on_products(catalog: Catalog, principal: Principal, product_ids: list[str],
                       titles: dict[str, str]) -> None:
    """Per product with an access story: its grants (renew, revoke) and each port's history."""
    show_outcome(state.MY_ACCESS_OUTCOME, GRANTS)
    now = now_utc()
    quiet = 0
    for product_id in product_ids:
        grants = catalog.product_grants(principal, product_id)
        ports = [p.name for p in catalog.product(principal, product_id).output_ports]
        history = {port: catalog.port_history(principal, product_id, port) for port in ports}
        if not grants and not any(history.values()):
            quiet += 1
            continue
        with st.container(border=True):
            product_link(product_id, titles)
            if not grants:
                st.caption("No grant on this product yet.")
            for grant in grants:
                _grant(catalog, principal, grant, now)
            for port, events in history.items():
                with st.expander(f"History of port {escape_markdown(port, one_line=True)} "
                                 f"({plural(len(events), 'event')})", icon=":material/history:"):
                    if events:
                        event_table(events, with_target=False, max_rows=15)
                    else:
                        st.caption("No access request or extract recorded on this port.")
    if quiet:
        st.caption(f"{plural(quiet, 'other product')} you decide on "
                   f"{'has' if quiet == 1 else 'have'} no access request or grant yet.")
