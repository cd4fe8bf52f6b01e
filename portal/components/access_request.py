"""The access-request form of the data tab: ask the owners for an output port (and sensitive
columns), or see that a request is already pending."""

from __future__ import annotations

import streamlit as st

from catalog import (
    MAX_DAYS,
    MAX_PURPOSE,
    MIN_PURPOSE,
    PENDING,
    AccessRequest,
    Catalog,
    DataProduct,
    Principal,
)
from portal import routes, state
from portal.components.access_common import (
    MASK_HINT,
    day,
    duration_text,
    names,
    run_action,
    show_outcome,
)
from portal.safe_text import escape_markdown

DURATIONS = {"days": "For a number of days", "permanent": "Permanent"}
"""Choices of the duration radio."""
DEFAULT_DAYS = 90
"""Days the form proposes."""
SECTION = "request"
"""Where the outcome of a request is shown."""


def pending_request(catalog: Catalog, principal: Principal, product_id: str, port: str
                    ) -> AccessRequest | None:
    """The principal's pending request that covers ``port`` of the product, if any."""
    return next((r for r in catalog.my_requests(principal) if r.product_id == product_id
                 and r.status == PENDING and port in r.ports), None)


def _submit(catalog: Catalog, principal: Principal, product_id: str, port: str) -> None:
    """Form callback: file the request with what the form holds."""

    def file() -> str:
        """The request filed, in words."""
        value = st.session_state.get
        key = state.product_access
        permanent = value(key(product_id, port, "duration")) == "permanent"
        days = value(key(product_id, port, "days"))
        request = catalog.request_access(
            principal, product_id, list(value(key(product_id, port, "ports")) or []),
            str(value(key(product_id, port, "purpose")) or ""),
            None if permanent else int(days or DEFAULT_DAYS),
            list(value(key(product_id, port, "columns")) or []))
        asked = f"; sensitive columns {names(request.columns)}" if request.columns else ""
        return (f"Your request #{request.id} for {names(request.ports)} "
                f"({duration_text(request.duration_days)}{asked}) was sent to the owners of "
                f"{product_id} and is waiting for a decision, which will show on My access.")

    run_action(state.product_access_outcome(product_id), SECTION, file)


def request_form(catalog: Catalog, principal: Principal, product: DataProduct, port: str,
                 columns: list[str]) -> None:
    """The pending request on ``port``, or the form to ask for it.

    Args:
        catalog: the catalog (files the request).
        principal: who asks.
        product: the product.
        port: the output port shown; the form's port choice starts with it.
        columns: sensitive columns the principal sees masked on the port (offered to ask for).
    """
    just_sent = show_outcome(state.product_access_outcome(product.id), SECTION)
    pending = pending_request(catalog, principal, product.id, port)
    if pending is not None and just_sent:
        st.page_link(routes.MY_ACCESS, label="See or withdraw it on My access",
                     icon=":material/key:")
        return
    if pending is not None:
        asked = f"; sensitive columns {names(pending.columns)}" if pending.columns else ""
        st.info(escape_markdown(
            f"Your access request #{pending.id} of {day(pending.created_at)} for "
            f"{names(pending.ports)} ({duration_text(pending.duration_days)}{asked}) is waiting "
            "for a decision by the product's owners or data stewards."),
            icon=":material/hourglass_top:")
        st.page_link(routes.MY_ACCESS, label="See or withdraw it on My access",
                     icon=":material/key:")
        return
    key = state.product_access
    with st.form(key(product.id, port, "form"), border=True):
        st.multiselect("Output ports", [p.name for p in product.output_ports], default=[port],
                       key=key(product.id, port, "ports"),
                       help="Each output port you ask for becomes a grant of its own.")
        st.text_area("Purpose", key=key(product.id, port, "purpose"), max_chars=MAX_PURPOSE,
                     placeholder="What you need the data for, e.g. monthly load factors per "
                                 "route for the network planning board",
                     help=f"At least {MIN_PURPOSE} characters. The owners read it to decide, "
                          "and it stays with the grant.")
        left, right = st.columns(2, vertical_alignment="bottom")
        left.radio("Duration", list(DURATIONS), format_func=DURATIONS.get, horizontal=True,
                   key=key(product.id, port, "duration"))
        right.number_input("Days", min_value=1, max_value=MAX_DAYS, value=DEFAULT_DAYS, step=1,
                           key=key(product.id, port, "days"),
                           help="How long the access lasts, counted from the approval; used "
                                "with 'For a number of days'.")
        if columns:
            st.multiselect("Sensitive columns to include", columns,
                           key=key(product.id, port, "columns"),
                           placeholder="None: they stay masked",
                           help=f"Without them you see {MASK_HINT} in their place. Ask only for "
                                "what your purpose needs.")
        st.form_submit_button("Request access", type="primary", icon=":material/send:",
                              key=key(product.id, port, "submit"), on_click=_submit,
                              args=(catalog, principal, product.id, port))
