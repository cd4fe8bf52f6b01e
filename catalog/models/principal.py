"""The requesting principal: who asks the catalog for data.

Every catalog call takes a :class:`Principal`; the catalog's authorization point
(:mod:`catalog.access`) decides what it may do. The sign-in mode makes it: in local mode it is
:data:`LOCAL_USER`, otherwise :func:`catalog.access.identity.principal_for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONSUMER = "consumer"
"""Role: finds and reads data products."""
GOVERNANCE_ADMIN = "governance admin"
"""Role: runs federated governance (approves any proposed product)."""


@dataclass(frozen=True)
class Principal:
    """A signed-in user.

    Attributes:
        username: stable user id (an e-mail address in the demo).
        display_name: name shown in the UI.
        roles: global role names: ``consumer`` for everyone signed in, ``governance admin`` from
            configuration. Rights on a domain or product come from its team in the manifests
            (:mod:`catalog.access.roles`), not from here.
        email: e-mail address, ``""`` when unknown.
        groups: groups from the identity provider or the proxy.
        signed_in: ``False`` for the anonymous visitor, who may do nothing.
    """

    username: str
    display_name: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"consumer"}))
    email: str = ""
    groups: frozenset[str] = field(default_factory=frozenset)
    signed_in: bool = True


LOCAL_USER = Principal(username="local", display_name="Local user",
                       roles=frozenset({CONSUMER, GOVERNANCE_ADMIN}))
"""The principal of local mode (a single-user deployment bound to this computer): the one user
is its administrator."""
ANONYMOUS = Principal(username="anonymous", display_name="Not signed in", roles=frozenset(),
                      signed_in=False)
"""Whoever the sign-in mode could not identify: refused everything."""
