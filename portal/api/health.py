"""``GET /healthz``: for load balancers; no sign-in."""

from __future__ import annotations

from starlette.responses import Response

from portal.api.operation import ApiCall, Operation, Reply, json_model
from portal.api.schemas import Health


async def healthz(call: ApiCall) -> Response:
    """200 ``{"status": "ok"}`` once the catalog's mesh loads (an error status otherwise)."""
    await call.run(call.catalog.mesh)
    return json_model(Health(status="ok"))


OPERATIONS = [
    Operation("GET", "/healthz", "healthz", "Health check",
              "200 when the server is up and the catalog's manifests load. No token needed.",
              "health", healthz, auth="none",
              replies=[Reply(200, "The server and the catalog are up.", Health)]),
]
"""The health route."""
