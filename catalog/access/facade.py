"""The access use cases of the :class:`~catalog.catalog.Catalog` façade.

A mixin, so the façade stays one object for every door (pages, command line, HTTP, MCP) while
this module keeps access requests, grants, sign-in records and the audit log in one place.
Every method takes the requesting principal and asks the guard first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from catalog.access import grants as access_grants
from catalog.access.actions import Action
from catalog.access.grants import AccessRequest, Grant
from catalog.access.guard import Guard
from catalog.access.policy import Decision
from catalog.access.roles import describe, port_access
from catalog.errors import InvalidRequest
from catalog.extracts import FORMULA_PREFIXES

if TYPE_CHECKING:
    from catalog.mesh import DataProduct, Mesh
    from catalog.models.principal import Principal
    from catalog.store import StateStore

EXPIRY_WARNING_DAYS = 14
"""Grants expiring within this many days are flagged on the "My access" page."""


def _cell(value: object) -> object:
    """A CSV cell; text starting like a spreadsheet formula gets a leading ``'`` (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class AccessUseCases:
    """Access requests, grants, roles and the audit log, as façade methods."""

    store: StateStore
    guard: Guard

    def mesh(self) -> Mesh:
        """The current mesh (the façade implements it)."""
        raise NotImplementedError

    def product(self, principal: Principal, product_id: str) -> DataProduct:
        """The product with ``product_id`` (the façade implements it)."""
        raise NotImplementedError

    # -- decisions -------------------------------------------------------------------------
    def decide(self, principal: Principal, action: Action, product_id: str | None = None, *,
               domain: str | None = None, port: str | None = None) -> Decision:
        """Whether ``principal`` may do ``action`` on a product (port) or a domain.

        Pages use it to hide what would be refused; the use cases ask it themselves.

        Raises:
            ProductNotFound: ``product_id`` names no product.
        """
        product = self.product(principal, product_id) if product_id else None
        return self.guard.decide(principal, action, self.mesh(), product=product,
                                 domain=domain, port=port)

    def require(self, principal: Principal, action: Action, product_id: str | None = None, *,
                domain: str | None = None, port: str | None = None) -> Decision:
        """Like :meth:`decide`, for use cases outside this class (registration).

        Raises:
            PermissionDenied: refused; the message says who may.
        """
        product = self.product(principal, product_id) if product_id else None
        return self.guard.require(principal, action, self.mesh(), product=product,
                                  domain=domain, port=port)

    def role_here(self, principal: Principal, product_id: str | None = None, *,
                  domain: str | None = None) -> str:
        """"Your role here" in words, e.g. ``product owner, domain team member``."""
        return describe(self.decide(principal, Action.VIEW, product_id, domain=domain).relations)

    def port_access(self, principal: Principal, product_id: str, port: str | None = None
                    ) -> str:
        """``open`` (every signed-in consumer may read it) or ``restricted`` (on request)."""
        return port_access(self.product(principal, product_id), port)

    def masked_columns(self, principal: Principal, product_id: str, port: str | None = None
                       ) -> list[str]:
        """Sensitive columns of the port whose values ``principal`` sees masked."""
        return self.guard.masked(principal, self.mesh(), self.product(principal, product_id),
                                 port)

    # -- requests and grants ---------------------------------------------------------------
    def request_access(self, principal: Principal, product_id: str, ports: Sequence[str],
                       purpose: str, duration_days: int | None,
                       columns: Sequence[str] = ()) -> AccessRequest:
        """Ask for access to one or several output ports of a product.

        Args:
            principal: the consumer asking.
            product_id: the product.
            ports: output port names.
            purpose: the business justification (at least 10 characters).
            duration_days: how long, in days; ``None`` for permanent.
            columns: sensitive columns asked for (masked otherwise).

        Raises:
            PermissionDenied: not signed in.
            InvalidRequest: unknown port or column, or see :func:`.grants.request_access`.
        """
        product = self.product(principal, product_id)
        self.guard.require(principal, Action.REQUEST_ACCESS, self.mesh(), product=product)
        names = {p.name for p in product.output_ports}
        unknown = [p for p in ports if p not in names]
        if unknown:
            raise InvalidRequest(f"{product_id} has no output port {', '.join(unknown)}; pick "
                                 f"from {', '.join(sorted(names))}.")
        return access_grants.request_access(self.store, principal, product_id, ports, purpose,
                                            duration_days, columns)

    def _require_decider(self, principal: Principal, product_id: str) -> None:
        self.guard.require(principal, Action.DECIDE_ACCESS, self.mesh(),
                           product=self.product(principal, product_id))

    def decide_request(self, principal: Principal, request_id: int, approve: bool,
                       note: str = "") -> AccessRequest:
        """Approve (grants per port) or deny (a note is required) a pending request.

        Raises:
            PermissionDenied: only the product's or its domain's owners and data stewards, or
                a governance admin, decide.
        """
        request = self._request(request_id)
        self._require_decider(principal, request.product_id)
        return access_grants.decide_request(self.store, principal, request_id, approve, note)

    def renew_grant(self, principal: Principal, grant_id: int, days: int | None) -> Grant:
        """Extend a grant by ``days`` from now (``None``: permanent)."""
        grant = self._grant(grant_id)
        self._require_decider(principal, grant.product_id)
        return access_grants.renew(self.store, principal, grant_id, days)

    def revoke_grant(self, principal: Principal, grant_id: int, note: str) -> Grant:
        """End a grant now, with a note."""
        grant = self._grant(grant_id)
        self._require_decider(principal, grant.product_id)
        return access_grants.revoke(self.store, principal, grant_id, note)

    def withdraw_request(self, principal: Principal, request_id: int) -> AccessRequest:
        """Withdraw one's own pending request."""
        return access_grants.withdraw(self.store, principal, request_id)

    def my_requests(self, principal: Principal) -> list[AccessRequest]:
        """The principal's own requests, newest first."""
        return access_grants.requests(self.store, requester=principal)

    def my_grants(self, principal: Principal) -> list[Grant]:
        """The principal's grants (active and past), newest first."""
        return access_grants.grants(self.store, consumer=principal)

    def expiring_grants(self, principal: Principal, days: int = EXPIRY_WARNING_DAYS
                        ) -> list[Grant]:
        """The principal's active grants that expire within ``days``."""
        return access_grants.expiring(self.store, principal, days)

    def decidable_products(self, principal: Principal) -> list[str]:
        """Ids of the products whose access requests ``principal`` may decide."""
        mesh = self.mesh()
        return [pid for pid, product in mesh.products.items()
                if self.guard.decide(principal, Action.DECIDE_ACCESS, mesh,
                                     product=product).allowed]

    def access_queue(self, principal: Principal) -> list[AccessRequest]:
        """Pending requests on products ``principal`` may decide, oldest first."""
        ids = self.decidable_products(principal)
        pending = access_grants.requests(self.store, product_ids=ids, status="pending")
        return sorted(pending, key=lambda r: r.created_at)

    def product_grants(self, principal: Principal, product_id: str) -> list[Grant]:
        """Every grant on a product (for its deciders)."""
        self._require_decider(principal, product_id)
        return access_grants.grants(self.store, product_ids=[product_id])

    def port_history(self, principal: Principal, product_id: str, port: str
                     ) -> list[dict[str, Any]]:
        """The whole access story of one output port (for its deciders)."""
        self._require_decider(principal, product_id)
        return access_grants.port_history(self.store, product_id, port)

    # -- audit -----------------------------------------------------------------------------
    def record_sign_in(self, principal: Principal, mode: str) -> None:
        """Record a sign-in (once per session) in the audit log."""
        if principal.signed_in:
            self.store.record_audit(_now_iso(), principal.username, "user.signed_in",
                                    principal.username, {"mode": mode,
                                                         "name": principal.display_name})

    def audit_log(self, principal: Principal, *, actor: str | None = None,
                  action_prefix: str | None = None, target: str | None = None,
                  since: str | None = None, until: str | None = None,
                  limit: int = 1000) -> list[dict[str, Any]]:
        """Audit events, newest first, filtered (governance admins only).

        Raises:
            PermissionDenied: the principal is not a governance admin.
        """
        self.guard.require(principal, Action.READ_AUDIT, self.mesh())
        return self.store.audit_events(actor=actor, action_prefix=action_prefix, target=target,
                                       since=since, until=until, limit=limit)

    def audit_csv(self, principal: Principal, **filters: Any) -> bytes:
        """The filtered audit events as CSV (UTF-8, header ``seq,at,actor,action,target,
        detail``; ``detail`` as JSON), cells guarded against spreadsheet formulas.

        Args:
            principal: who asks (governance admins only).
            filters: as for :meth:`audit_log`.

        Raises:
            PermissionDenied: the principal is not a governance admin.
        """
        events = self.audit_log(principal, **filters)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["seq", "at", "actor", "action", "target", "detail"])
        for event in events:
            writer.writerow([_cell(event[k]) for k in ("seq", "at", "actor", "action", "target")]
                            + [_cell(json.dumps(event["detail"], ensure_ascii=False,
                                                default=str))])
        return out.getvalue().encode("utf-8")

    # -- helpers ---------------------------------------------------------------------------
    def _request(self, request_id: int) -> AccessRequest:
        return access_grants.request_by_id(self.store, request_id)

    def _grant(self, grant_id: int) -> Grant:
        return access_grants.grant_by_id(self.store, grant_id)
