"""Who may edit a published product in the portal.

An edit rewrites what a product promises (descriptions, classifications, service levels,
quality rules, team), so it needs more than team membership: an **owner or data steward** of
the product or of its domain (their ``role`` in the ODPS or ``domain.yaml`` team), or a
**governance admin**. The relations come from the one authorization point
(:meth:`catalog.access.guard.Guard.decide`); a data engineer of the team may still publish a
new version with new data through the registration wizard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.access.actions import Action, Relation
from catalog.access.policy import Decision
from catalog.errors import PermissionDenied
from catalog.mesh import DataProduct
from catalog.models.principal import Principal

if TYPE_CHECKING:
    from catalog.catalog import Catalog

EDITORS = frozenset(
    {
        Relation.PRODUCT_OWNER,
        Relation.PRODUCT_STEWARD,
        Relation.DOMAIN_OWNER,
        Relation.DOMAIN_STEWARD,
        Relation.ADMIN,
    }
)
"""Relations that allow editing a product's manifests in the portal."""


def decide_edit(catalog: Catalog, principal: Principal, product: DataProduct) -> Decision:
    """May ``principal`` edit ``product``?

    Returns:
        The decision; when refused, ``reason`` says who may and what to do.
    """
    seen = catalog.guard.decide(principal, Action.VIEW, catalog.mesh(), product=product)
    if not seen.allowed:
        return seen
    if seen.relations & EDITORS:
        return Decision(True, "", seen.relations)
    owners = ", ".join(product.owners) or "the product's owner"
    return Decision(
        False,
        f"Only an owner or data steward of {product.id} or of the "
        f"{product.domain} domain, or a governance admin, may edit it. Ask "
        f"{owners} to make the change, or to give you the owner or data "
        "steward role in the team.",
        seen.relations,
    )


def require_editor(catalog: Catalog, principal: Principal, product: DataProduct) -> None:
    """Refuse principals who may not edit ``product``.

    Raises:
        PermissionDenied: the message says who may edit it.
    """
    decision = decide_edit(catalog, principal, product)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
