"""Interchange use cases of the :class:`~catalog.catalog.Catalog` façade: a product's files
in the open standards (ODPS + ODCS, and its Markdown documentation), for the command line,
the HTTP API and the pages. Imports go through the registration use cases (one publish path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.interchange.exporter import ExportFile, export_files
from catalog.models.principal import Principal

if TYPE_CHECKING:
    from catalog.mesh import DataProduct


class InterchangeUseCases:
    """Mixin of :class:`~catalog.catalog.Catalog`: export of products."""

    if TYPE_CHECKING:
        def product(self, principal: Principal, product_id: str) -> DataProduct:
            """One product (the façade implements it)."""

    def export_product(self, principal: Principal, product_id: str, *,
                       markdown: bool = False) -> list[ExportFile]:
        """The files describing the product in the open standards, validated, comments and
        layout as stored (see :func:`catalog.interchange.exporter.export_files`).

        Args:
            principal: who asks (needs to see the product).
            product_id: ``<domain>.<name>``.
            markdown: also the product's documentation, ``<product id>.md``.

        Returns:
            ``product.odps.yaml`` first, then each contract, then the Markdown file.

        Raises:
            ProductNotFound: no such product.
            PermissionDenied: the principal may not see the mesh.
            DocumentRejected: a stored file is invalid (file, line, field).
        """
        return export_files(self.product(principal, product_id), markdown=markdown)
