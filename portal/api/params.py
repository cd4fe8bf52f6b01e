"""Parameters shared by several routes of the HTTP API."""

from __future__ import annotations

from portal.api.operation import Param

PRODUCT_ID = Param("product_id", "path", "The data product's id, ``<domain>.<name>``.",
                   required=True)
"""The product of a ``/products/{product_id}/…`` route."""
