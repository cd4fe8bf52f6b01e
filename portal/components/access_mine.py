"""My access, for the signed-in person: grants about to expire, own requests, own grants."""

from __future__ import annotations

import streamlit as st

from catalog import EXPIRY_WARNING_DAYS, PENDING, AccessRequest, Catalog, Grant, Principal
from portal import routes, state
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
from portal.components.product_table import PRODUCT_COLUMN, product_table
from portal.safe_text import escape_markdown
from portal.wording import plural

SECTION = "mine"
"""Where the outcome of withdrawing a request is shown."""


def expiring(catalog: Catalog, principal: Principal, titles: dict[str, str]) -> None:
    """The warning about grants that expire soon, each with its product, port and date."""
    soon = catalog.expiring_grants(principal, EXPIRY_WARNING_DAYS)
    if not soon:
        return
    with st.container(border=True):
        st.warning(f"Expiring within {EXPIRY_WARNING_DAYS} days: "
                   f"{plural(len(soon), 'grant')} of yours.", icon=":material/timer:")
        for grant in soon:
            with st.container(horizontal=True, vertical_alignment="center", gap="small"):
                product_link(grant.product_id, titles)
                st.markdown(escape_markdown(f"port {grant.port} · expires on "
                                            f"{day(grant.expires_at)}"), width="content")
        st.caption("To keep access, ask the product's owners or data stewards to renew the "
                   "grant (they can on their My access page), or file a new request on the "
                   "product's Data tab.")


def _withdraw(catalog: Catalog, principal: Principal, request_id: int) -> None:
    def act() -> str:
        """Withdraw the request; the message says so."""
        request = catalog.withdraw_request(principal, request_id)
        return f"Request #{request.id} on {request.product_id} was withdrawn."

    run_action(state.MY_ACCESS_OUTCOME, SECTION, act)


def _pending(catalog: Catalog, principal: Principal, request: AccessRequest,
             titles: dict[str, str]) -> None:
    """One pending request with its Withdraw button."""
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            product_link(request.product_id, titles)
            st.badge("pending", color="blue", icon=":material/hourglass_top:")
        columns = f" · sensitive columns {names(request.columns)}" if request.columns else ""
        st.markdown(escape_markdown(
            f"Request #{request.id} of {day(request.created_at)} · ports {names(request.ports)} "
            f"· {duration_text(request.duration_days)}{columns}"))
        st.caption(f"Purpose: {escape_markdown(request.purpose)}")
        st.button("Withdraw", key=state.my_access_withdraw(request.id), icon=":material/undo:",
                  on_click=_withdraw, args=(catalog, principal, request.id),
                  help="Take the request back; the owners no longer see it.")


def my_requests(catalog: Catalog, principal: Principal, titles: dict[str, str]) -> None:
    """Pending requests (with Withdraw), then the decided ones in a table."""
    show_outcome(state.MY_ACCESS_OUTCOME, SECTION)
    requests = catalog.my_requests(principal)
    if not requests:
        st.caption("You have not asked for access to any data product yet. A restricted output "
                   "port shows a request form on its product's Data tab.")
        return
    for request in (r for r in requests if r.status == PENDING):
        _pending(catalog, principal, request, titles)
    decided = [r for r in requests if r.status != PENDING]
    if decided:
        rows = [{PRODUCT_COLUMN: titles.get(r.product_id, r.product_id), "Id": r.product_id,
                 "Ports": names(r.ports), "Purpose": r.purpose,
                 "Duration": duration_text(r.duration_days), "Status": r.status,
                 "Decided": day(r.decided_at, "–"), "By": r.decided_by or "", "Note": r.note}
                for r in decided]
        product_table(rows, [r.product_id for r in decided], key=state.MY_ACCESS_REQUESTS,
                      tab=routes.DATA, max_rows=15)


def grant_rows(grants: list[Grant], titles: dict[str, str] | None = None
               ) -> list[dict[str, str]]:
    """Grants as table rows: Product (its title), Id, Port, Columns, From, Until, Status,
    Note."""
    now = now_utc()
    return [{PRODUCT_COLUMN: (titles or {}).get(g.product_id, g.product_id), "Id": g.product_id,
             "Port": g.port,
             "Columns": names(g.columns, "no sensitive column"), "From": day(g.starts_at),
             "Until": day(g.expires_at), "Status": grant_state(g, now), "Note": g.note}
            for g in grants]


def my_grants(catalog: Catalog, principal: Principal,
              titles: dict[str, str] | None = None) -> None:
    """The principal's grants, active and past; a product's name opens its Data tab."""
    grants = catalog.my_grants(principal)
    if not grants:
        st.caption("You hold no access grant. Open output ports need none; restricted ones "
                   "need an approved request.")
        return
    rows = grant_rows(grants, titles)
    product_table(rows, [g.product_id for g in grants], key=state.MY_ACCESS_GRANTS,
                  tab=routes.DATA, max_rows=15, column_config={
                      "Columns": st.column_config.TextColumn(
                          help="Sensitive columns the grant opens; the others stay masked.")})
