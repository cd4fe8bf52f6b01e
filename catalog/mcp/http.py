"""The MCP server over streamable HTTP, as a route for the portal's web server.

:func:`mcp_http` returns the route (mount it among the server's routes) and the lifespan that
runs the SDK's session manager (it must run while the server serves: pass it as the server's
``lifespan``, or enter it from the server's own lifespan). Every request is authenticated by
its ``Authorization: Bearer <token>`` header (see :mod:`catalog.mcp.auth`): 401 without a
valid token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Route

from catalog import Catalog
from catalog.mcp.auth import CatalogTokenVerifier, principal_from_request, unauthorized
from catalog.mcp.tools import build_server

MCP_PATH = "/mcp"
"""Where the portal serves the MCP endpoint."""


@dataclass(frozen=True)
class McpHttp:
    """The MCP endpoint for a web server: its route and the lifespan it needs.

    Attributes:
        route: the endpoint (every HTTP method), authenticated by bearer token.
        session_manager: the SDK's session manager behind it.
    """

    route: Route
    session_manager: StreamableHTTPSessionManager

    @asynccontextmanager
    async def lifespan(self, app: object = None) -> AsyncIterator[None]:
        """Run the session manager while the server runs (a lifespan for ``st.App`` or
        Starlette; ``app`` is unused). It can run only once per :class:`McpHttp`."""
        async with self.session_manager.run():
            yield None


def mcp_http(catalog: Catalog | Callable[[], Catalog], path: str = MCP_PATH) -> McpHttp:
    """The catalog's MCP server as a streamable HTTP endpoint.

    Args:
        catalog: the catalog, or a function returning it (called per request).
        path: the endpoint's URL path.

    Returns:
        The route and its lifespan; see the module docstring.
    """
    get_catalog = catalog if callable(catalog) else (lambda: catalog)
    server = build_server(get_catalog, principal_from_request)
    # Host and Origin checks against DNS rebinding are off: the portal runs under any host
    # name, and a page a browser was tricked into loading has no bearer token to send.
    transport = server.streamable_http_app(
        streamable_http_path=path,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
    endpoint = AuthenticationMiddleware(
        AuthContextMiddleware(RequireAuthMiddleware(transport, required_scopes=[])),
        backend=BearerAuthBackend(CatalogTokenVerifier(get_catalog)),
        on_error=unauthorized)
    return McpHttp(route=Route(path, endpoint=endpoint, name="mcp"),
                   session_manager=server.session_manager)
