"""The façade's guard: relations of a principal from the mesh and the grants, then a decision.

:class:`Guard` gathers what :func:`catalog.access.roles.relations` needs (the product, its
domain, the principal's active grants on the product, who proposed it) and asks
:func:`catalog.access.policy.decide`. :meth:`Guard.require` turns a refusal into
:class:`~catalog.errors.PermissionDenied`, whose message says who may do it.
"""

from __future__ import annotations

from catalog.access import grants as access_grants
from catalog.access.actions import Action
from catalog.access.masking import sensitive_properties
from catalog.access.policy import Decision, decide
from catalog.access.roles import relations
from catalog.errors import PermissionDenied
from catalog.mesh import DataProduct, Mesh
from catalog.models.principal import Principal
from catalog.store import StateStore

PROPOSED_ACTIONS = ("product.proposed", "product.registered", "product.version_published")
"""Audit actions whose actor submitted the product for approval (four eyes)."""


class Guard:
    """Answers "may this principal do this here?" for the catalog façade.

    Args:
        store: the operational store (grants and the audit log).
    """

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def submitter(self, product_id: str) -> str | None:
        """User id of whoever last proposed, registered or versioned the product, if recorded."""
        for event in self.store.audit(product_id, limit=200):
            if event["action"] in PROPOSED_ACTIONS:
                return str(event["actor"])
        return None

    def decide(self, principal: Principal, action: Action, mesh: Mesh, *,
               product: DataProduct | None = None, domain: str | None = None,
               port: str | None = None) -> Decision:
        """The decision on ``action`` for ``principal`` on a product (and port) or a domain.

        Args:
            principal: who asks.
            action: what is asked.
            mesh: the current mesh (teams come from it).
            product: the product asked about; its domain is used when ``domain`` is None.
            domain: the domain asked about (registration).
            port: the output port asked about (the first when None).

        Returns:
            The decision, with the principal's relations to the resource.
        """
        domain_name = domain or (product.domain if product is not None else None)
        granted: set[str] = set()
        submitter = None
        if product is not None and principal.signed_in:
            if action in (Action.READ_DATA, Action.SEE_SENSITIVE):
                granted = access_grants.granted_ports(self.store, principal, product.id)
            if action is Action.APPROVE:
                submitter = self.submitter(product.id)
        found = relations(principal, domain=mesh.domains.get(domain_name or ""),
                          product=product, port=port, granted_ports=granted,
                          submitter=submitter)
        what = product.id if product is not None else (
            f"the {domain_name} domain" if domain_name else "the mesh")
        return decide(action, found, what=what)

    def require(self, principal: Principal, action: Action, mesh: Mesh, *,
                product: DataProduct | None = None, domain: str | None = None,
                port: str | None = None) -> Decision:
        """Like :meth:`decide`, but refusal raises.

        Raises:
            PermissionDenied: the principal may not; the message says who may.
        """
        decision = self.decide(principal, action, mesh, product=product, domain=domain,
                               port=port)
        if not decision.allowed:
            raise PermissionDenied(decision.reason)
        return decision

    def masked(self, principal: Principal, mesh: Mesh, product: DataProduct,
               port: str | None) -> list[str]:
        """Sensitive columns of the port ``principal`` may not see (empty: sees all).

        Sensitive: classified restricted or confidential, or marked as personal data
        (:func:`catalog.access.masking.sensitive_properties`). The product's and its domain's
        teams and governance admins see them; anyone else only those their active grant on the
        port names.
        """
        view = product.port(port)
        sensitive = sensitive_properties(view) if view.raw_contract else []
        if not sensitive:
            return []
        if self.decide(principal, Action.SEE_SENSITIVE, mesh, product=product,
                       port=view.name).allowed:
            return []
        allowed = access_grants.granted_columns(self.store, principal, product.id, view.name)
        return [c for c in sensitive if c not in allowed]
