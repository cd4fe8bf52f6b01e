"""``/api/v1/products/{id}/approval``: approve a proposed product or send it back.

Who may decide is the catalog's business (the domain's owners and data stewards, or a
governance admin, and never the person who submitted it); this handler passes the caller along.
"""

from __future__ import annotations

from starlette.responses import Response

from portal.api.operation import API_PREFIX, ApiCall, Body, Operation, Reply, json_model
from portal.api.params import PRODUCT_ID
from portal.api.schemas import ApprovalIn, ApprovalOut


async def decide(call: ApiCall) -> Response:
    """Approve (status ``active``) or send back (status ``draft``) a proposed product."""
    principal = await call.principal()
    product_id = call.path("product_id")
    body = ApprovalIn.model_validate_json(await call.request.body() or b"{}")
    if body.approve:
        decision = await call.run(call.catalog.approve, principal, product_id)
    else:
        decision = await call.run(call.catalog.send_back, principal, product_id, body.reason)
    return json_model(ApprovalOut(product_id=decision.product_id, action=decision.action,
                                  actor=decision.actor, at=str(decision.at),
                                  old_status=decision.old_status,
                                  new_status=decision.new_status))


OPERATIONS = [
    Operation("POST", f"{API_PREFIX}/products/{{product_id}}/approval", "decideApproval",
              "Approve or send back a product", "Approve a proposed product (it becomes "
              "active) or send it back to its team with a reason (it becomes a draft). Only "
              "the domain's owners and data stewards, or a governance admin, decide; never the "
              "person who submitted it. A product with policy errors cannot be approved.",
              "governance", decide, params=[PRODUCT_ID],
              body=Body("application/json", ApprovalIn, "The decision."),
              replies=[Reply(200, "The recorded decision.", ApprovalOut)]),
]
"""The approval route."""
