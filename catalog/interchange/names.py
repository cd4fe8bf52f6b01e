"""Names that become folders and files of the mesh: checked before the file system is touched.

The mesh's naming convention is snake_case, as for domains (``DomainDocument.name``): a lower-
case letter, then lower-case letters, digits and underscores, at most 64 characters. A folder
name made from a document is never "cleaned" of dangerous characters: a name holding ``..``, a
slash, a backslash or a control character is refused outright. The only leniency is for
display names such as ODPS ``name: Simple Data Product``: letters are lower-cased and runs of
spaces or hyphens become one underscore (``simple_data_product``).
"""

from __future__ import annotations

import re

from catalog.errors import ManifestError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
"""A domain, product or port name of the mesh (snake_case, ≤ 64 characters)."""

_DANGEROUS = re.compile(r"\.\.|[/\\]|[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[\s-]+")


def is_valid_name(value: str) -> bool:
    """True when ``value`` follows :data:`NAME_PATTERN`."""
    return NAME_PATTERN.fullmatch(value) is not None


def folder_name(value: object) -> str | None:
    """The mesh name for a name found in a document, or None when there is none.

    Args:
        value: e.g. ``"flights"``, ``"Simple Data Product"``, ``"processed-data"``.

    Returns:
        ``value`` lower-cased with spaces and hyphens turned into ``_`` when the result
        follows the convention; None for anything else (including any ``..``, ``/``, ``\\`` or
        control character, which are never transformed away).
    """
    if not isinstance(value, str) or _DANGEROUS.search(value):
        return None
    candidate = _SEPARATORS.sub("_", value.strip()).lower()
    return candidate if is_valid_name(candidate) else None


def checked_name(value: str, *, file: str, line: int | None, field: str, what: str) -> str:
    """``value`` itself when it follows the naming convention.

    Args:
        value: the name as given (a command-line option or a document field).
        file: where it came from, for the error (``--domain`` for an option).
        line: its line, when from a file.
        field: the field or option name.
        what: what it names, e.g. ``"domain"``, ``"product"``.

    Raises:
        ManifestError: the name does not follow :data:`NAME_PATTERN`; the message says how to
            write it.
    """
    if is_valid_name(value):
        return value
    raise ManifestError(file, line, field,
                        f"{what} name {value!r} does not follow the naming convention: "
                        "lower-case letters, digits and underscores, starting with a letter "
                        "(at most 64 characters), e.g. 'flight_delays'")
