"""The personal-API-token use cases of the :class:`~catalog.catalog.Catalog` façade.

A mixin, like :class:`catalog.access.facade.AccessUseCases`: every door (pages, command line,
HTTP API, MCP) creates, lists, revokes and checks tokens through the same methods, which ask the
guard first. Storage, hashing and expiry live in :mod:`catalog.access.tokens`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.access import tokens as api_tokens
from catalog.access.actions import Action
from catalog.access.guard import Guard
from catalog.access.tokens import DEFAULT_DAYS, NewToken, TokenInfo

if TYPE_CHECKING:
    from catalog.mesh import Mesh
    from catalog.models.principal import Principal
    from catalog.store import StateStore


class TokenUseCases:
    """Personal API tokens, as façade methods."""

    store: StateStore
    guard: Guard

    def mesh(self) -> Mesh:
        """The current mesh (the façade implements it)."""
        raise NotImplementedError

    def _require_signed_in(self, principal: Principal) -> None:
        """Refuse the anonymous visitor (the message says to sign in)."""
        self.guard.require(principal, Action.VIEW, self.mesh())

    def create_token(self, principal: Principal, name: str, days: int = DEFAULT_DAYS
                     ) -> NewToken:
        """Create a personal API token that stands for ``principal``.

        Args:
            principal: the signed-in person; the token carries a snapshot of them (user id,
                display name, e-mail, groups).
            name: what the token is for, 1 to 80 characters.
            days: how long it works, 1 to 365 days (90 by default).

        Returns:
            The token with its secret, which is shown once and never stored.

        Raises:
            PermissionDenied: not signed in.
            InvalidRequest: no name, a name too long, or ``days`` out of range.
            catalog.store.StoreError: the store cannot be written.
        """
        self._require_signed_in(principal)
        return api_tokens.create(self.store, principal, name, days)

    def tokens(self, principal: Principal) -> list[TokenInfo]:
        """The principal's own tokens (active, expired and revoked), newest first.

        Args:
            principal: the signed-in person.

        Returns:
            Their tokens, without secrets.

        Raises:
            PermissionDenied: not signed in.
        """
        self._require_signed_in(principal)
        return api_tokens.tokens_of(self.store, principal)

    def revoke_token(self, principal: Principal, token_id: str) -> TokenInfo:
        """Revoke a token now: it stops working at once.

        Args:
            principal: the token's owner, or a governance admin (who may revoke any token).
            token_id: the token's id.

        Returns:
            The revoked token.

        Raises:
            PermissionDenied: not signed in, or the token is someone else's and the principal
                is not a governance admin.
            InvalidRequest: no such token (:class:`catalog.access.tokens.TokenNotFound`), or it
                was already revoked.
            catalog.store.StoreError: the store cannot be written.
        """
        self._require_signed_in(principal)
        admin = self.guard.decide(principal, Action.READ_AUDIT, self.mesh()).allowed
        return api_tokens.revoke(self.store, principal, token_id, may_revoke_any=admin)

    def authenticate(self, secret: str) -> Principal:
        """The principal an API token's secret stands for (the HTTP API's and MCP's sign-in).

        Args:
            secret: the secret as presented (e.g. after ``Authorization: Bearer``).

        Returns:
            The owner, as sign-in would make them now: governance-admin status comes from the
            current ``MESH_ADMINS`` and ``MESH_ADMIN_GROUPS``.

        Raises:
            Unauthenticated: unknown, expired or revoked token; the message says which and how
                to get a new one.
        """
        return api_tokens.authenticate(self.store, secret)
