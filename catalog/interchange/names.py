"""Names that become folders and files of the mesh: checked before the file system is touched.

The rules are the mesh's one naming standard (:mod:`catalog.registration.naming`, shared with
the registration wizard): lowercase snake_case, at most 63 characters, no reserved word, never
``.``, ``..``, a slash, a backslash, a space or a control character. A name taken from a
document is never "cleaned" of dangerous characters: such a name is refused outright. The only
leniency is for display names such as ODPS ``name: Simple Data Product`` or a port called
``processed-data``: letters are lower-cased and runs of spaces or hyphens become one underscore
(``simple_data_product``), and the result must then meet the standard.
"""

from __future__ import annotations

import re

from catalog.errors import ManifestError
from catalog.registration.naming import MIN_PRODUCT_NAME, name_problems

_DANGEROUS = re.compile(r"\.|[/\\]|[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[ -]+")


def is_valid_name(value: str, min_length: int = 1) -> bool:
    """True when ``value`` meets the naming standard (at least ``min_length`` characters)."""
    return not name_problems(value, min_length=min_length)


def min_length(what: str) -> int:
    """Fewest characters of a ``what`` name: 3 for a product (the standard), else 1."""
    return MIN_PRODUCT_NAME if what == "product" else 1


def folder_name(value: object, what: str = "port") -> str | None:
    """The mesh name for a name found in a document, or None when there is none.

    Args:
        value: e.g. ``"flights"``, ``"Simple Data Product"``, ``"processed-data"``.
        what: ``product``, ``port`` or ``domain`` (a product name has at least 3 characters).

    Returns:
        ``value`` lower-cased with spaces and hyphens turned into ``_`` when the result meets
        the standard; None for anything else (including any ``.``, ``/``, ``\\`` or control
        character, which are never transformed away).
    """
    if not isinstance(value, str) or _DANGEROUS.search(value):
        return None
    candidate = _SEPARATORS.sub("_", value.strip()).lower()
    return candidate if is_valid_name(candidate, min_length(what)) else None


def checked_name(value: str, *, file: str, line: int | None, field: str, what: str) -> str:
    """``value`` itself when it meets the naming standard.

    Args:
        value: the name as given (a command-line option or a document field).
        file: where it came from, for the error (``--domain`` for an option).
        line: its line, when from a file.
        field: the field, ``""`` for an option.
        what: what it names, e.g. ``"domain"``, ``"product"``.

    Raises:
        ManifestError: the name breaks the standard; the message says what to change.
    """
    problems = name_problems(value, what=f"{what} name", min_length=min_length(what))
    if not problems:
        return value
    raise ManifestError(file, line, field, f"{what} name {value!r} does not follow the naming "
                        f"convention: {' '.join(problems)}")
