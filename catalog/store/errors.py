"""The store's one error type, raised by every adapter."""

from __future__ import annotations

from catalog.errors import CatalogError


class StoreError(CatalogError):
    """The operational store cannot be opened, reached or written (disk full, wrong file,
    database server down, wrong password, …); the message says what to check and never shows a
    password."""
