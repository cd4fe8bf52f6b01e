"""The requesting principal: who asks the catalog for data.

Every catalog call that returns data takes a :class:`Principal`, so that access control can be
added without changing signatures. There is no sign-in yet: the portal uses :data:`LOCAL_USER`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONSUMER = "consumer"
"""Role: finds and reads data products."""
DOMAIN_OWNER = "domain owner"
"""Role: owns a domain's products (approves its proposed products when named as an owner)."""
GOVERNANCE_ADMIN = "governance admin"
"""Role: runs federated governance (approves any proposed product)."""


@dataclass(frozen=True)
class Principal:
    """A signed-in user.

    Attributes:
        username: stable user id (an e-mail address in the demo).
        display_name: name shown in the UI.
        roles: role names, e.g. ``{"consumer"}``, ``{"domain owner"}``, ``{"governance admin"}``.
    """

    username: str
    display_name: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"consumer"}))


LOCAL_USER = Principal(username="local", display_name="Local user",
                       roles=frozenset({CONSUMER, GOVERNANCE_ADMIN}))
"""The default principal of a local, single-user deployment: the one user is also its
governance admin (so the approval queue of the Governance page can be used locally)."""
