"""Who is acting on the command line (not a command).

Every command that asks the catalog for something asks it as :func:`acting_principal`:

* when the environment variable ``MESH_API_TOKEN`` is set, the principal its API token belongs
  to (``python -m catalog token create`` makes one); an unknown, expired or revoked token is
  refused, and so is a variable set but empty (nothing falls back to the local user then);
* otherwise the local user, the operator of this computer (:data:`catalog.LOCAL_USER`).

There is deliberately no option naming a user: a token is proof of who is asking, a name is not.
"""

from __future__ import annotations

import os

from catalog import LOCAL_USER, Catalog, Principal, Unauthenticated

TOKEN_VARIABLE = "MESH_API_TOKEN"
"""Environment variable holding the API token the command line acts with."""


def acting_principal(catalog: Catalog) -> Principal:
    """The principal the command acts as: the token's owner, or the local user without a token.

    Args:
        catalog: the façade that checks the token.

    Returns:
        The principal of ``MESH_API_TOKEN`` when it is set, else :data:`catalog.LOCAL_USER`.

    Raises:
        Unauthenticated: ``MESH_API_TOKEN`` is set but empty, or names no valid token (the
            command line exits 2 with the message).
    """
    secret = os.environ.get(TOKEN_VARIABLE)
    if secret is None:
        return LOCAL_USER
    if not secret.strip():
        raise Unauthenticated(f"{TOKEN_VARIABLE} is set but empty. Put an API token in it "
                              "(python -m catalog token create), or unset it to act as the "
                              "local user.")
    try:
        return catalog.authenticate(secret.strip())
    except Unauthenticated as err:
        raise Unauthenticated(f"{TOKEN_VARIABLE}: {err}") from None
