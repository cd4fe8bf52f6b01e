"""The HTTP API of the portal, served under ``/api/v1`` by the same server as the pages.

Thin Starlette handlers, one module per resource (products, contracts, quality, lineage,
data, access, audit, registration, health), each listing its :class:`Operation` objects; this
module collects them into routes (:func:`api_routes`) and the OpenAPI document served at
``/api/v1/openapi.json``. Every handler asks the shared :class:`catalog.Catalog` with the
caller's principal; the catalog decides, the handler only translates. Nothing here imports
Streamlit: ``portal/server.py`` mounts these routes in ``st.App``.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route

from catalog import Catalog
from portal.api import (
    access,
    approval,
    audit,
    contracts,
    data,
    edits,
    health,
    lineage,
    products,
    quality,
    registration,
)
from portal.api.errors import json_error
from portal.api.openapi import openapi_document
from portal.api.operation import API_PREFIX, Operation
from portal.shared_catalog import shared_catalog

OPENAPI_PATH = f"{API_PREFIX}/openapi.json"
"""Where the OpenAPI document is served (no token needed)."""

OPERATIONS: list[Operation] = [
    *health.OPERATIONS,
    *products.OPERATIONS,
    *edits.OPERATIONS,
    *contracts.OPERATIONS,
    *quality.OPERATIONS,
    *lineage.OPERATIONS,
    *data.OPERATIONS,
    *access.OPERATIONS,
    *audit.OPERATIONS,
    *registration.OPERATIONS,
    *approval.OPERATIONS,
]
"""Every operation of the API, in the order the documentation lists them."""


async def _openapi(request: Request) -> Response:
    """The OpenAPI document, its server URL the one the client used."""
    return JSONResponse(openapi_document(OPERATIONS, str(request.base_url)))


def _fallback(routes: list[Route]) -> Route:
    """A route answering every other ``/api/v1/…`` request with a JSON 404 (or 405 when the
    path exists with other methods), so such requests never reach the pages."""

    async def not_found(request: Request) -> Response:
        """404 or 405, as JSON."""
        allowed = sorted({m for r in routes if r.matches(request.scope)[0] is Match.PARTIAL
                          for m in (r.methods or ())})
        if allowed:
            return json_error(405, "method_not_allowed",
                              f"{request.method} is not allowed here; use {', '.join(allowed)}.",
                              headers={"Allow": ", ".join(allowed)})
        return json_error(404, "not_found", f"There is no API route {request.url.path[:200]}; "
                          f"the routes are listed in {OPENAPI_PATH}.")

    return Route(f"{API_PREFIX}/{{rest:path}}", not_found,
                 methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                 name="api_not_found")


def api_routes(catalog: Callable[[], Catalog] = shared_catalog) -> list[BaseRoute]:
    """The API's routes: every operation, the OpenAPI document and the JSON 404 fallback.

    Args:
        catalog: gives the catalog to call; by default the process-wide one the pages use.

    Returns:
        Starlette routes for ``st.App(routes=...)`` (or a plain Starlette app in tests).
    """
    routes = [op.route(catalog) for op in OPERATIONS]
    openapi = Route(OPENAPI_PATH, _openapi, methods=["GET"], name="openapi")
    return [*routes, openapi, _fallback([*routes, openapi])]


__all__ = ["OPENAPI_PATH", "OPERATIONS", "api_routes"]
