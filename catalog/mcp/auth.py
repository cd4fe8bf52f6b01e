"""Who calls the MCP server: API tokens, checked by the catalog on every request.

Over HTTP each request carries ``Authorization: Bearer <token>``; the SDK's bearer middleware
asks :class:`CatalogTokenVerifier`, which asks :meth:`Catalog.authenticate
<catalog.Catalog.authenticate>`. A missing token gets 401 from the SDK; an unknown, expired or
revoked one gets 401 with the catalog's message (which says what to do). The principal found
rides on the request (:class:`CatalogAccessToken`) to the tools, which read it back with
:func:`principal_from_request`. Over stdio the process's token is checked on every tool call
(:func:`principal_from_secret`), so revoking it takes effect at once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import anyio.to_thread
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver import Context
from pydantic import ConfigDict, InstanceOf
from starlette.authentication import AuthenticationError
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from catalog import Catalog, Principal, Unauthenticated

logger = logging.getLogger(__name__)

NO_TOKEN = ("This MCP server needs an API token: send 'Authorization: Bearer <token>'. "
            "Create a token on the portal's My tokens page or with `python -m catalog token "
            "create`.")
"""Why a tool call without a principal is refused (the bearer middleware normally stops it)."""


class CatalogAccessToken(AccessToken):
    """A verified API token, carrying the catalog principal it stands for.

    ``token`` holds a digest of the secret, never the secret itself; ``client_id`` names the
    token (a session is bound to the token that opened it) and ``subject`` the user.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    principal: InstanceOf[Principal]


def token_digest(secret: str) -> str:
    """A short, non-reversible name of a token secret (for logs and session binding)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


class CatalogTokenVerifier:
    """The SDK's token verifier, backed by the catalog's API tokens.

    Args:
        catalog: returns the catalog that checks tokens.
    """

    def __init__(self, catalog: Callable[[], Catalog]) -> None:
        self._catalog = catalog

    async def verify_token(self, token: str) -> AccessToken | None:
        """Check a bearer token with the catalog.

        Returns:
            The verified token with its principal.

        Raises:
            AuthenticationError: the catalog refused the token; the message is the catalog's
                (unknown, expired or revoked, and what to do), sent with the 401.
        """
        try:
            principal = await anyio.to_thread.run_sync(self._catalog().authenticate, token)
        except Unauthenticated as err:
            logger.info("MCP request with a refused token %s: %s", token_digest(token), err)
            raise AuthenticationError(str(err)) from None
        digest = token_digest(token)
        return CatalogAccessToken(token=f"sha256:{digest}", client_id=f"token-{digest}",
                                  scopes=[], subject=principal.username, principal=principal)


def unauthorized(conn: HTTPConnection, exc: Exception) -> Response:
    """The 401 answer to a refused token (``on_error`` of Starlette's authentication
    middleware): the catalog's reason, in the OAuth bearer error format."""
    # A header is ASCII (RFC 6750 limits error_description further): the body has it all.
    reason = "".join(c if " " <= c <= "~" and c != "\\" else " "
                     for c in str(exc).replace('"', "'"))
    return JSONResponse({"error": "invalid_token", "error_description": str(exc)},
                        status_code=401,
                        headers={"WWW-Authenticate":
                                 f'Bearer error="invalid_token", error_description="{reason}"'})


def principal_from_request(ctx: Context) -> Principal:
    """The principal of an HTTP tool call: the one its bearer token was verified for.

    Raises:
        Unauthenticated: the call carries no verified token.
    """
    try:
        request = ctx.request_context.request
    except ValueError:  # not inside a request
        request = None
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, dict) else None
    token = user.access_token if isinstance(user, AuthenticatedUser) else get_access_token()
    if not isinstance(token, CatalogAccessToken):
        raise Unauthenticated(NO_TOKEN)
    return token.principal


def principal_from_secret(catalog: Callable[[], Catalog], secret: str
                          ) -> Callable[[Context], Principal]:
    """The principal of a stdio tool call: the process's token, checked again on every call.

    Args:
        catalog: returns the catalog that checks tokens.
        secret: the token (from ``MESH_API_TOKEN``).

    Returns:
        A :data:`catalog.mcp.tools.PrincipalOf` that raises
        :class:`~catalog.Unauthenticated` once the token is expired or revoked.
    """

    def principal_of(ctx: Context) -> Principal:
        """The token's principal (``ctx`` unused: one process, one token)."""
        return catalog().authenticate(secret)

    return principal_of
