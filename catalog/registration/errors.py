"""Refusals of the registration wizard; each message says what to fix."""

from __future__ import annotations

from catalog.errors import CatalogError


class RegistrationError(CatalogError):
    """A registration step cannot go on; ``str(err)`` tells the person what to change."""


class UploadRejected(RegistrationError):
    """An uploaded file is too large, not what its name claims, or cannot be read."""


class QueryRejected(RegistrationError):
    """A derived product's SQL is not a single read-only query over existing products."""


class PublishConflict(RegistrationError):
    """Another publisher got the product id first, or the product changed meanwhile."""


class PublishFailed(RegistrationError):
    """Publishing stopped part-way; everything it wrote has been removed."""
