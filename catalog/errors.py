"""The catalog's one error hierarchy.

Expected outcomes (a manifest problem while loading the whole mesh, a failed check) are results;
these exceptions are refusals and bugs. Every message says what to do next.
"""

from __future__ import annotations


class CatalogError(Exception):
    """Base of every error the catalog raises on purpose; ``str(err)`` is safe to show a user."""


class ManifestError(CatalogError):
    """A manifest file could not be parsed or validated.

    Args:
        file: path of the manifest, relative to the mesh root where possible.
        line: 1-based line of the offending node, or ``None`` when unknown.
        field: dotted JSON path of the field (``schema[0].properties[2].logicalType``), ``""``
            for the whole document.
        message: what is wrong, in words a domain team can act on.
    """

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class ProductNotFound(CatalogError):
    """No data product with the requested id is in the mesh."""

    def __init__(self, product_id: str) -> None:
        self.product_id = product_id
        super().__init__(
            f"There is no data product with id '{product_id}'. Search the catalog for it, "
            "or check the mesh-health page in case its manifest failed to load."
        )


class DomainNotFound(CatalogError):
    """No domain with the requested name is in the mesh."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"There is no domain named '{name}'. The domains page lists them all.")


class PermissionDenied(CatalogError):
    """The requesting principal may not perform this action."""


class Unauthenticated(CatalogError):
    """An API token or a signed link does not identify anyone: unknown, expired, revoked, or
    tampered with. The message says which, and how to get a new one."""


class DataUnavailable(CatalogError):
    """A product's data cannot be read (not built yet, file missing, server unsupported)."""


class InvalidRequest(CatalogError):
    """A request names an unknown column, operator or value of the wrong type."""


class BuildError(CatalogError):
    """Building a data product's data failed; the previous mesh database is left intact."""
