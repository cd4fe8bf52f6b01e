"""The store-copy use case of the :class:`~catalog.catalog.Catalog` façade: move the operational
store (quality history, grants, tokens, audit log…) to another database, e.g. from the
embedded SQLite file to the PostgreSQL database several replicas share.

A mixin, like the other use-case modules; the copy itself is :func:`catalog.store.copy.copy_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from catalog.access.actions import Action
from catalog.access.guard import Guard
from catalog.store import StateStore
from catalog.store.copy import copy_rows

if TYPE_CHECKING:
    from catalog.mesh import Mesh
    from catalog.models.principal import Principal


class StoreCopyUseCases:
    """Copying the operational store, as a façade method."""

    store: StateStore
    guard: Guard

    def mesh(self) -> Mesh:
        """The current mesh (the façade implements it)."""
        raise NotImplementedError

    def copy_store(self, principal: Principal, target_url: str,
                   progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Copy every row of this catalog's operational store into the empty store at
        ``target_url`` (governance admins only), then record it in the audit log of both.

        Args:
            principal: who asks.
            target_url: the target database, e.g. ``postgresql://mesh:…@db:5432/mesh`` (an
                empty database; its schema is created) or ``sqlite:////srv/state.sqlite``.
            progress: called with each table's name and its rows once copied.

        Returns:
            Table name → rows copied.

        Raises:
            PermissionDenied: the principal is not a governance admin.
            StoreError: the URL names no supported database, the target is this store or is
                not empty, or a store cannot be opened or written (the target is left empty).
        """
        self.guard.require(principal, Action.COPY_STORE, self.mesh())
        target = StateStore.from_url(target_url)
        try:
            copied = copy_rows(self.store, target, progress=progress)
            now = dt.datetime.now(dt.UTC)
            detail = {"from": self.store.description, "to": target.description,
                      "rows": copied}
            for store in (self.store, target):
                store.record_audit(now, principal.username, "store.copied",
                                   target.description, detail)
        finally:
            target.dispose()
        return copied
