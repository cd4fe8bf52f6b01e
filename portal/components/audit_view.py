"""The audit page's filters and table, and audit events as rows (also for a port's history)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import streamlit as st

from portal import state
from portal.tables import table_height

FAMILIES = ("product.", "access.", "data.", "user.")
"""Action prefixes of every kind of event: products, access, data extracts, sign-ins."""
ACTIONS = (*FAMILIES, "product.registered", "product.proposed", "product.version_published",
           "product.approved", "product.sent_back", "access.requested", "access.granted",
           "access.denied", "access.renewed", "access.revoked", "access.withdrawn",
           "data.extracted", "user.signed_in")
"""The action prefixes the audit page offers: each family, then each action the portal and
the catalog record."""
_FAMILY_LABELS = {"product.": "every product event", "access.": "every access event",
                  "data.": "every data event", "user.": "every sign-in event"}


def _action_label(prefix: str) -> str:
    """``access.`` → ``access. (every access event)``; an action as it is."""
    label = _FAMILY_LABELS.get(prefix)
    return f"{prefix} ({label})" if label else prefix


def filters(product_ids: list[str]) -> dict[str, Any]:
    """The filter widgets (bound to the URL); returns the arguments of ``catalog.audit_log``.

    Args:
        product_ids: the mesh's product ids, offered as targets.

    Returns:
        ``actor``, ``action_prefix``, ``target``, ``since`` and ``until`` (ISO 8601 UTC; the
        end day is included), each None when not filtered.
    """
    who, action, product, dates = st.columns([2, 2, 2, 2])
    actor = who.text_input("Who", key=state.AUDIT_ACTOR, bind="query-params",
                           placeholder="User id or e-mail address",
                           help="Only events by this person (letter case ignored).")
    prefix = action.selectbox("Action", ACTIONS, index=None, key=state.AUDIT_ACTION,
                              bind="query-params", format_func=_action_label,
                              placeholder="Any action",
                              help="A family of events (product., access., data., user.) or "
                                   "one action.")
    target = product.selectbox("Product", product_ids, index=None, key=state.AUDIT_PRODUCT,
                               bind="query-params", placeholder="Any product",
                               help="Only events about this data product.")
    chosen = dates.date_input("Between", value=[], key=state.AUDIT_DATES,
                              bind="query-params", format="YYYY-MM-DD",
                              help="Both days included (UTC).")
    days = [d for d in chosen if d]
    since = until = None
    if days:
        since = dt.datetime.combine(days[0], dt.time()).isoformat()
        until = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time()).isoformat()
    return {"actor": actor.strip() or None, "action_prefix": prefix, "target": target,
            "since": since, "until": until}


def when(at: str) -> str:
    """A stored event time as ``2026-03-01 14:05:09`` (UTC); the text itself if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return str(at)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _value_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def detail_text(detail: Any) -> str:
    """An event's detail as compact text: ``port: bookings; note: ok; rows: 12`` (empty
    texts left out)."""
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_value_text(v)}" for k, v in detail.items() if v != "")
    return _value_text(detail)


def event_rows(events: list[dict[str, Any]], with_target: bool = True) -> list[dict[str, str]]:
    """Audit events as table rows: When (UTC), Who, Action, Target, Details."""
    rows = []
    for event in events:
        row = {"When (UTC)": when(event.get("at", "")), "Who": str(event.get("actor", "")),
               "Action": str(event.get("action", ""))}
        if with_target:
            row["Target"] = str(event.get("target", ""))
        row["Details"] = detail_text(event.get("detail"))
        rows.append(row)
    return rows


def event_table(events: list[dict[str, Any]], with_target: bool = True,
                max_rows: int = 40) -> None:
    """The events in a table (dataframe cells are plain text: nothing is rendered)."""
    rows = event_rows(events, with_target)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 height=table_height(len(rows), max_rows=max_rows),
                 column_config={"Details": st.column_config.TextColumn(width="large")})
