"""Edit use cases of the :class:`~catalog.catalog.Catalog` façade (see :mod:`catalog.editing`).

Every door (the product page, the HTTP API, tests) calls these with the requesting principal;
rights are decided here, never by a door.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.editing import draft as drafting
from catalog.editing.changes import ProductChanges
from catalog.editing.rights import decide_edit, require_editor
from catalog.models.principal import Principal

if TYPE_CHECKING:
    from catalog.access.guard import Guard
    from catalog.mesh import DataProduct, Mesh
    from catalog.registration.publish import PublishResult


class EditUseCases:
    """Mixin of :class:`~catalog.catalog.Catalog`: owners edit a product's manifests."""

    guard: Guard

    if TYPE_CHECKING:

        def mesh(self) -> Mesh:
            """The current mesh (the façade implements it)."""

        def product(self, principal: Principal, product_id: str) -> DataProduct:
            """One product (the façade implements it)."""

    def may_edit(self, principal: Principal, product_id: str) -> bool:
        """True when ``principal`` may edit the product: an owner or data steward of it or of
        its domain, or a governance admin.

        Raises:
            ProductNotFound: no such product.
        """
        product = self.product(principal, product_id)
        return decide_edit(self, principal, product).allowed  # type: ignore[arg-type]

    def edit_values(
        self, principal: Principal, product_id: str, port: str | None = None
    ) -> ProductChanges:
        """Every editable field of the product as published (the edit form's start).

        Args:
            principal: who edits.
            product_id: the product.
            port: the output port whose contract is edited (the first when None).

        Raises:
            ProductNotFound: no such product.
            PermissionDenied: the principal may not edit it.
            InvalidRequest: no such port, or its manifests cannot be read.
        """
        product = self.product(principal, product_id)
        require_editor(self, principal, product)  # type: ignore[arg-type]
        return drafting.editable_values(product, port)

    def draft_edit(
        self, principal: Principal, product_id: str, changes: ProductChanges
    ) -> drafting.EditDraft:
        """Preview an edit: the changes in words, the new version, and what stops it; nothing
        is written. See :func:`catalog.editing.draft.draft_edit` (errors included)."""
        return drafting.draft_edit(self, principal, product_id, changes)  # type: ignore[arg-type]

    def publish_edit(self, principal: Principal, draft: drafting.EditDraft) -> PublishResult:
        """Publish a previewed edit as a new version (no new data). See
        :func:`catalog.editing.draft.publish_edit` (errors included: a stale draft raises
        ``PublishConflict``)."""
        return drafting.publish_edit(self, principal, draft)  # type: ignore[arg-type]
