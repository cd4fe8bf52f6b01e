"""From an identity (what the sign-in mode learned) to a :class:`Principal`.

Governance admins come from configuration, not from the mesh:

* ``MESH_ADMINS``: comma-separated user ids or e-mail addresses;
* ``MESH_ADMIN_GROUPS``: comma-separated group names (OIDC ``groups`` claim or the proxy's
  ``X-Forwarded-Groups``).

Everyone signed in is a consumer; rights on domains and products come from their teams
(:mod:`catalog.access.roles`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.models.principal import CONSUMER, GOVERNANCE_ADMIN, Principal


def _split(raw: str | None) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in (raw or "").split(",") if p.strip())


@dataclass(frozen=True)
class AdminConfig:
    """Who is a governance admin.

    Attributes:
        users: user ids or e-mail addresses (lower case).
        groups: group names (lower case).
    """

    users: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls) -> AdminConfig:
        """Read ``MESH_ADMINS`` and ``MESH_ADMIN_GROUPS``."""
        return cls(_split(os.environ.get("MESH_ADMINS")),
                   _split(os.environ.get("MESH_ADMIN_GROUPS")))

    def is_admin(self, user_id: str, email: str, groups: Iterable[str]) -> bool:
        """True when the user id, the e-mail or one of the groups is configured as admin."""
        ids = {i.strip().lower() for i in (user_id, email) if i}
        return bool(ids & self.users) or bool({g.strip().lower() for g in groups} & self.groups)


def principal_for(user_id: str, name: str = "", email: str = "", groups: Iterable[str] = (),
                  admins: AdminConfig | None = None) -> Principal:
    """The principal of a signed-in user.

    Args:
        user_id: stable id (the OIDC ``sub``/``email`` or the proxy's user header).
        name: display name (the id when empty).
        email: e-mail address.
        groups: groups the user belongs to.
        admins: who is a governance admin (default: :meth:`AdminConfig.from_env`).

    Returns:
        A consumer, and a governance admin when configured so.
    """
    config = admins if admins is not None else AdminConfig.from_env()
    group_set = frozenset(g.strip() for g in groups if g and g.strip())
    roles = {CONSUMER}
    if config.is_admin(user_id, email, group_set):
        roles.add(GOVERNANCE_ADMIN)
    return Principal(username=user_id.strip(), display_name=(name or user_id).strip(),
                     roles=frozenset(roles), email=email.strip(), groups=group_set)
