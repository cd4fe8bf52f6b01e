"""What a principal is to a domain, a product or an output port, read from the mesh.

Team membership comes from the manifests: ``domain.yaml`` ``team.members`` and the ODPS
``team.members`` of a product, each ``{username, name, role}``. A member matches a principal
when the member's ``username`` equals the principal's user id or e-mail address (letter case
ignored). The member's ``role`` is free text in ODPS; a role containing ``owner`` makes an
owner, one containing ``steward`` a data steward; every member (data engineer, analyst, …) is a
team member. Governance admins come from configuration (:mod:`catalog.access.identity`).

An output port is open to every signed-in consumer unless its ODPS ``customProperties`` say
``{property: access, value: restricted}`` (then reading its data needs an approved request).
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.access.actions import Relation
from catalog.mesh import DataProduct, Domain
from catalog.models.odps import Team
from catalog.models.principal import GOVERNANCE_ADMIN, Principal

ACCESS_PROPERTY = "access"
"""ODPS output-port custom property saying who may read the port's data."""
RESTRICTED = "restricted"
"""Value of :data:`ACCESS_PROPERTY` for ports that need an approved access request."""
OPEN = "open"
"""Value of :data:`ACCESS_PROPERTY` (and the default) for ports every consumer may read."""


def _ids(principal: Principal) -> set[str]:
    return {i.strip().lower() for i in (principal.username, principal.email) if i}


def team_roles(principal: Principal, team: Team | None) -> list[str]:
    """The roles (lower case) ``principal`` holds in ``team``; empty when not a member."""
    if team is None:
        return []
    ids = _ids(principal)
    return [(m.role or "member").strip().lower() for m in team.members
            if m.username and m.username.strip().lower() in ids]


def _team_relations(roles: Iterable[str], owner: Relation, steward: Relation,
                    member: Relation) -> set[Relation]:
    out: set[Relation] = set()
    for role in roles:
        out.add(member)
        if "owner" in role:
            out.add(owner)
        if "steward" in role:
            out.add(steward)
    return out


def port_access(product: DataProduct, port: str | None) -> str:
    """``open`` or ``restricted`` for an output port (the first port when ``port`` is None)."""
    ports = product.document.outputPorts if product.document is not None else []
    chosen = next((p for p in ports if port is None or p.name == port), None)
    if chosen is None:
        return OPEN
    for prop in getattr(chosen, "customProperties", None) or []:
        name = prop.get("property") if isinstance(prop, dict) else getattr(prop, "property", None)
        value = prop.get("value") if isinstance(prop, dict) else getattr(prop, "value", None)
        if name == ACCESS_PROPERTY:
            return RESTRICTED if str(value).strip().lower() == RESTRICTED else OPEN
    return OPEN


def relations(principal: Principal, *, domain: Domain | None = None,
              product: DataProduct | None = None, port: str | None = None,
              granted_ports: Iterable[str] = (), submitter: str | None = None
              ) -> frozenset[Relation]:
    """Everything ``principal`` is to the resource.

    Args:
        principal: who asks.
        domain: the domain asked about (for a product: its domain).
        product: the product asked about, if any.
        port: the output port asked about (first port when None).
        granted_ports: output ports of ``product`` the principal holds an active grant on.
        submitter: user id of whoever proposed ``product`` (for the four-eyes rule).

    Returns:
        The relations; empty for a principal who is not signed in.
    """
    if not principal.signed_in:
        return frozenset()
    out: set[Relation] = {Relation.SIGNED_IN}
    if GOVERNANCE_ADMIN in principal.roles:
        out.add(Relation.ADMIN)
    if domain is not None:
        out |= _team_relations(team_roles(principal, domain.team), Relation.DOMAIN_OWNER,
                               Relation.DOMAIN_STEWARD, Relation.DOMAIN_MEMBER)
    if product is not None:
        out |= _team_relations(team_roles(principal, product.team), Relation.PRODUCT_OWNER,
                               Relation.PRODUCT_STEWARD, Relation.PRODUCT_MEMBER)
        first = product.output_ports[0].name if product.output_ports else None
        wanted = port or first
        if wanted is not None and wanted in set(granted_ports):
            out.add(Relation.GRANTEE)
        if port_access(product, wanted) == OPEN:
            out.add(Relation.OPEN_PORT)
        if submitter and submitter.strip().lower() in _ids(principal):
            out.add(Relation.SUBMITTER)
    return frozenset(out)


def describe(found: frozenset[Relation]) -> str:
    """"Your role here" in words: ``product owner, domain team member`` or ``consumer``."""
    shown = [r.value for r in found if r not in {Relation.SIGNED_IN, Relation.OPEN_PORT}]
    return ", ".join(sorted(shown)) if shown else "consumer"
