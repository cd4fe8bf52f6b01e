"""Who is calling the HTTP API: the secret of an ``Authorization: Bearer <token>`` header.

The API has one way in, whatever the pages' sign-in mode (``MESH_AUTH``): a personal API token
made on the portal's **My tokens** page. This module only reads the header; the catalog
(:meth:`catalog.Catalog.authenticate`) decides whether the token names anyone.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog import Unauthenticated

NO_TOKEN = ("This API needs a personal API token: send it as 'Authorization: Bearer <token>'. "
            "Create one on the portal's My tokens page.")
"""The refusal of a request without a usable ``Authorization`` header."""
MAX_SECRET = 512
"""Longest token secret read (characters); anything longer is refused unread."""


def bearer_secret(headers: Mapping[str, str]) -> str:
    """The token secret of an ``Authorization: Bearer <secret>`` header.

    Args:
        headers: the request headers (case-insensitive mapping, as Starlette gives them).

    Returns:
        The secret, stripped.

    Raises:
        catalog.Unauthenticated: no header, another scheme, an empty or oversized secret.
    """
    value = headers.get("authorization", "").strip()
    scheme, _, secret = value.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > MAX_SECRET:
        raise Unauthenticated(NO_TOKEN)
    return secret
