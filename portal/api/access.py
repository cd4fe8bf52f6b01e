"""``/api/v1/access-requests`` and ``/api/v1/grants``: ask for, decide and revoke access.

Who may decide or revoke is the catalog's business (the product's or its domain's owners and
data stewards, or a governance admin); these handlers pass the caller along.
"""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response

from catalog import InvalidRequest
from portal.api.operation import API_PREFIX, ApiCall, Body, Operation, Param, Reply, json_model
from portal.api.schemas import (
    AccessRequestIn,
    AccessRequestList,
    AccessRequestOut,
    DecisionIn,
    GrantList,
    GrantOut,
)

Scope = Literal["mine", "to_decide"]
"""Which access requests to list."""
SCOPES: tuple[Scope, ...] = ("mine", "to_decide")
"""The values of the ``scope`` parameter."""
REVOKE_NOTE = "Revoked through the API."
"""The note of a revocation that gives none."""
MAX_NOTE = 2000
"""Longest revocation note read (characters)."""


async def _json_body(call: ApiCall) -> bytes:
    """The request body (an empty body is an empty JSON object, refused by the model)."""
    return await call.request.body() or b"{}"


async def list_requests(call: ApiCall) -> Response:
    """The caller's own requests (``scope=mine``) or the pending ones they decide."""
    principal = await call.principal()
    scope = call.query("scope") or "mine"
    if scope not in SCOPES:
        raise InvalidRequest(f"'scope' must be one of {', '.join(SCOPES)}, not '{scope[:40]}'.")
    method = call.catalog.my_requests if scope == "mine" else call.catalog.access_queue
    requests = await call.run(method, principal)
    return json_model(AccessRequestList(
        requests=[AccessRequestOut.from_request(r) for r in requests]))


async def create_request(call: ApiCall) -> Response:
    """File an access request; 201 with the request."""
    principal = await call.principal()
    body = AccessRequestIn.model_validate_json(await _json_body(call))
    request = await call.run(call.catalog.request_access, principal, body.product_id,
                             body.ports, body.purpose, body.duration_days, body.columns)
    return json_model(AccessRequestOut.from_request(request), status=201)


async def decide(call: ApiCall) -> Response:
    """Approve or deny a pending request."""
    principal = await call.principal()
    request_id = call.path_int("request_id")
    body = DecisionIn.model_validate_json(await _json_body(call))
    request = await call.run(call.catalog.decide_request, principal, request_id, body.approve,
                             body.note)
    return json_model(AccessRequestOut.from_request(request))


async def list_grants(call: ApiCall) -> Response:
    """The caller's grants, or every grant on ``product`` (for its deciders)."""
    principal = await call.principal()
    product_id = call.query("product")
    if product_id is None:
        grants = await call.run(call.catalog.my_grants, principal)
    else:
        grants = await call.run(call.catalog.product_grants, principal, product_id)
    return json_model(GrantList(grants=[GrantOut.from_grant(g) for g in grants]))


async def revoke(call: ApiCall) -> Response:
    """End a grant now."""
    principal = await call.principal()
    grant_id = call.path_int("grant_id")
    note = (call.query("note") or REVOKE_NOTE)[:MAX_NOTE]
    grant = await call.run(call.catalog.revoke_grant, principal, grant_id, note)
    return json_model(GrantOut.from_grant(grant))


_REQUEST_ID = Param("request_id", "path", "The access request's number.",
                    {"type": "integer", "minimum": 1}, required=True)
_GRANT_ID = Param("grant_id", "path", "The grant's number.", {"type": "integer", "minimum": 1},
                  required=True)

OPERATIONS = [
    Operation("GET", f"{API_PREFIX}/access-requests", "listAccessRequests",
              "List access requests", "scope=mine (default): your own requests, newest first. "
              "scope=to_decide: the pending requests on products whose access you decide, "
              "oldest first.", "access", list_requests,
              params=[Param("scope", "query", "mine or to_decide.",
                            {"type": "string", "enum": list(SCOPES), "default": "mine"})],
              replies=[Reply(200, "The requests.", AccessRequestList)]),
    Operation("POST", f"{API_PREFIX}/access-requests", "createAccessRequest",
              "Request access", "Ask for access to output ports of a product (and to sensitive "
              "columns, masked otherwise). The product's owners and data stewards decide.",
              "access", create_request,
              body=Body("application/json", AccessRequestIn, "What you ask for, and why."),
              replies=[Reply(201, "The request was filed.", AccessRequestOut)]),
    Operation("POST", f"{API_PREFIX}/access-requests/{{request_id}}/decision",
              "decideAccessRequest", "Approve or deny an access request",
              "Approving creates one grant per port; denying needs a note. Only the product's "
              "or its domain's owners and data stewards, or a governance admin, decide.",
              "access", decide, params=[_REQUEST_ID],
              body=Body("application/json", DecisionIn, "The decision."),
              replies=[Reply(200, "The decided request.", AccessRequestOut)]),
    Operation("GET", f"{API_PREFIX}/grants", "listGrants", "List access grants",
              "Your grants (active and past), or with product=<id> every grant on that "
              "product (for its deciders).", "access", list_grants,
              params=[Param("product", "query", "A product id: its grants instead of yours.")],
              replies=[Reply(200, "The grants.", GrantList)]),
    Operation("DELETE", f"{API_PREFIX}/grants/{{grant_id}}", "revokeGrant", "Revoke a grant",
              "End a grant now (for the product's deciders); the consumer reads the note.",
              "access", revoke,
              params=[_GRANT_ID, Param("note", "query", "Why; the consumer reads it.",
                                       {"type": "string", "maxLength": MAX_NOTE})],
              replies=[Reply(200, "The revoked grant.", GrantOut)]),
]
"""The access routes."""
