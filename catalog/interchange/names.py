"""Names that become folders and files of the mesh: checked before the file system is touched.

The rules are the mesh's one naming standard (:mod:`catalog.registration.naming`, shared with
the registration wizard): lowercase snake_case, at most 63 characters, no reserved word, never
``.``, ``..``, a slash, a backslash, a space or a control character.

A name found in a document is often free text (ODCS ``name: Orders quality rules (duckdb)``,
ODPS ``name: Simple Data Product``, a port called ``processed-data``): it becomes a mesh name
through ``python-slugify`` with ``_`` as separator (accents folded, every run of other
characters one underscore: ``orders_quality_rules_duckdb``), and the result must then meet the
standard. The document itself keeps its name as written. A name holding a dot, a slash, a
backslash or a control character is never "cleaned" into a path: it is refused outright, as
such a name is a path or an id rather than a title.
"""

from __future__ import annotations

import re

from slugify import slugify

from catalog.errors import ManifestError
from catalog.registration.naming import MAX_NAME, MIN_PRODUCT_NAME, name_problems

_DANGEROUS = re.compile(r"\.|[/\\]|[\x00-\x1f\x7f]")


def is_valid_name(value: str, min_length: int = 1) -> bool:
    """True when ``value`` meets the naming standard (at least ``min_length`` characters)."""
    return not name_problems(value, min_length=min_length)


def min_length(what: str) -> int:
    """Fewest characters of a ``what`` name: 3 for a product (the standard), else 1."""
    return MIN_PRODUCT_NAME if what == "product" else 1


def slug(text: str) -> str:
    """``text`` as lowercase snake_case (``python-slugify``, separator ``_``), at most
    :data:`~catalog.registration.naming.MAX_NAME` characters, cut at a word boundary.

    Args:
        text: free text, e.g. ``"Orders quality rules (duckdb)"``.

    Returns:
        e.g. ``"orders_quality_rules_duckdb"``; ``""`` when nothing usable is left. Not
        checked against the naming standard (see :func:`folder_name`).
    """
    return str(slugify(text, separator="_", max_length=MAX_NAME, word_boundary=True))


def folder_name(value: object, what: str = "port") -> str | None:
    """The mesh name for a name found in a document, or None when there is none.

    Args:
        value: e.g. ``"flights"``, ``"Simple Data Product"``, ``"processed-data"``,
            ``"Orders quality rules (duckdb)"``.
        what: ``product``, ``port`` or ``domain`` (a product name has at least 3 characters).

    Returns:
        The :func:`slug` of ``value`` when it meets the standard; None for anything else
        (including any ``.``, ``/``, ``\\`` or control character, which are never
        transformed away, a reserved word, or a slug starting with a digit).
    """
    if not isinstance(value, str) or _DANGEROUS.search(value):
        return None
    candidate = slug(value)
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
