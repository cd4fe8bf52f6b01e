"""The MCP server over stdio, for an assistant that starts it as a local process.

Standard output carries the protocol only: everything else (logs, refusals at start) goes to
standard error.
"""

from __future__ import annotations

from catalog import Catalog, Principal
from catalog.mcp.auth import principal_from_secret
from catalog.mcp.tools import build_server


def serve_stdio(catalog: Catalog, secret: str) -> Principal:
    """Check the token, then serve the catalog's tools over stdin/stdout until the client
    closes them.

    Args:
        catalog: the catalog.
        secret: the API token the tools act with (checked again on every call).

    Returns:
        The token's principal, once the client has gone.

    Raises:
        Unauthenticated: the token is unknown, expired or revoked (nothing is served).
    """
    principal = catalog.authenticate(secret)
    build_server(lambda: catalog, principal_from_secret(lambda: catalog, secret)).run("stdio")
    return principal
