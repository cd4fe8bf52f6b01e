"""``/api/v1/audit``: the audit log (governance admins; the catalog refuses everyone else)."""

from __future__ import annotations

from starlette.responses import Response

from portal.api.operation import API_PREFIX, ApiCall, Operation, Param, Reply, json_model
from portal.api.schemas import AuditEvent, AuditPage

MAX_EVENTS = 10_000
"""Most events one call returns."""


async def audit(call: ApiCall) -> Response:
    """Audit events, newest first, filtered."""
    principal = await call.principal()
    limit = call.query_int("limit", 1000, 1, MAX_EVENTS)
    events = await call.run(call.catalog.audit_log, principal, actor=call.query("actor"),
                            action_prefix=call.query("action"), target=call.query("target"),
                            since=call.query("since"), until=call.query("until"), limit=limit)
    return json_model(AuditPage(events=[AuditEvent(seq=e["seq"], at=str(e["at"]), actor=e["actor"],
                                                  action=e["action"], target=e["target"],
                                                  detail=e["detail"]) for e in events]))


OPERATIONS = [
    Operation("GET", f"{API_PREFIX}/audit", "listAuditEvents", "Read the audit log",
              "Sign-ins, extracts, access requests and decisions, approvals, tokens: newest "
              "first. Governance admins only.", "audit", audit,
              params=[Param("actor", "query", "Only this user id's events."),
                      Param("action", "query", "Only actions starting with this, e.g. "
                            "access. or data.extracted."),
                      Param("target", "query", "Only events on this target (a product id …)."),
                      Param("since", "query", "From this date or time (ISO 8601, UTC)."),
                      Param("until", "query", "Up to this date or time (ISO 8601, UTC)."),
                      Param("limit", "query", f"At most this many events (≤ {MAX_EVENTS}).",
                            {"type": "integer", "minimum": 1, "maximum": MAX_EVENTS,
                             "default": 1000})],
              replies=[Reply(200, "The events.", AuditPage)]),
]
"""The audit route."""
