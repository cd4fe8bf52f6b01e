"""The naming standard for product names, domain names and property names.

A product's id is ``<domain>.<name>`` and both parts become folder
and file names (``domains/<domain>/<name>/``, ``<data dir>/products/<domain>/<name>/``), so a
name is checked here, as plain text, before anything touches the file system:

- lowercase ``snake_case``: a letter first, then letters, digits and single underscores, no
  underscore at the end; 3 to 63 characters for a product (a property may be 1 to 63);
- never ``.``/``..``, a slash or backslash, a control character or a space;
- never a reserved name: file-system device names (``con``, ``nul``, ``com1``…), words the
  portal uses in its own paths (``products``, ``staging``…) and SQL keywords that would need
  quoting everywhere (``select``, ``table``…).

Uniqueness is checked against the loaded mesh *and* the folders on disk (a folder whose
manifest failed to load still owns its name).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from catalog.mesh import Mesh

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
"""Lowercase snake_case: ``daily_sales``, ``flights2013``."""

MIN_PRODUCT_NAME = 3
MAX_NAME = 63
"""Longest name accepted (a common identifier limit, e.g. PostgreSQL's 63 bytes)."""

RESERVED_NAMES = frozenset({
    # device names Windows refuses as file names
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
    # words the portal and the data folder use for themselves
    "products", "product", "staging", "versions", "domain", "domains", "data", "mesh",
    "register", "registration", "new", "admin", "api", "static", "health", "state",
    # SQL keywords that would need quoting in every query
    "select", "from", "where", "table", "order", "group", "by", "join", "union", "limit",
    "null", "true", "false", "default", "user", "all", "and", "or", "not",
})
"""Names refused even though they match :data:`NAME_PATTERN`."""


def suggest_name(text: str) -> str:
    """A name that meets the standard, derived from free text (a title or a CSV header).

    Accents are folded (``Départ`` → ``depart``), anything else becomes ``_``, a leading digit
    gets a ``c_`` prefix and reserved names a ``_value`` suffix.

    Args:
        text: any text.

    Returns:
        A valid name (``column`` when nothing usable is left), at most :data:`MAX_NAME` long.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", folded)  # camelCase → camel_case
    name = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    if not name:
        return "column"
    if not name[0].isalpha():
        name = f"c_{name}"
    name = name[:MAX_NAME].rstrip("_")
    return f"{name}_value"[:MAX_NAME] if name in RESERVED_NAMES else name


def name_problems(name: str, *, what: str = "product name", min_length: int = MIN_PRODUCT_NAME
                  ) -> list[str]:
    """Everything wrong with ``name`` under the naming standard, each with how to fix it.

    Pure text checks: nothing is looked up on disk, so a hostile value (``../etc``, ``a/b``,
    ``con``, a control character) is refused before any path is built from it.

    Args:
        name: the name as typed.
        what: how messages call it ("product name", "column name").
        min_length: fewest characters accepted.

    Returns:
        Plain-language problems; empty when the name is valid.
    """
    if not name:
        return [f"Give a {what}, e.g. daily_sales."]
    problems: list[str] = []
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name):
        problems.append(f"The {what} contains invisible control characters; retype it.")
    if "/" in name or "\\" in name:
        problems.append(f"The {what} must not contain slashes: it becomes a folder name.")
    if "." in name:  # also "." and ".." themselves
        problems.append(f"The {what} must not contain dots; use underscores instead.")
    if name != name.strip() or " " in name:
        problems.append(f"The {what} must not contain spaces; use underscores instead.")
    if len(name) > MAX_NAME:
        problems.append(f"The {what} is {len(name)} characters long; keep it to {MAX_NAME}.")
    if len(name) < min_length:
        problems.append(f"The {what} needs at least {min_length} characters.")
    if not problems and not NAME_PATTERN.match(name):
        problems.append(
            f"Write the {what} in lowercase snake_case: a letter first, then lowercase letters, "
            f"digits and single underscores (e.g. {suggest_name(name)})."
        )
    if name.lower() in RESERVED_NAMES:
        problems.append(f"'{name}' is a reserved word; choose a more specific {what}.")
    return problems


def product_id(domain: str, name: str) -> str:
    """The product id ``<domain>.<name>``."""
    return f"{domain}.{name}"


def taken_problems(mesh: Mesh, domain: str, name: str) -> list[str]:
    """Problems if the id ``<domain>.<name>`` is already used, in the mesh or on disk.

    Call only with names that passed :func:`name_problems` (the folder path is built from
    them).

    Args:
        mesh: the loaded mesh.
        domain: an existing domain name.
        name: a valid product name.

    Returns:
        One problem when the id is taken, else empty.
    """
    pid = product_id(domain, name)
    if pid in mesh.products:
        return [f"A product with id {pid} already exists; choose another name, or publish a new "
                "version of it instead."]
    folder: Path = mesh.root / domain / name
    if folder.exists():
        return [f"{domain}.{name} is taken: its folder {domain}/{name} already exists in the "
                "mesh (perhaps a product whose manifest does not load, or one another replica "
                "has just published; see the mesh-health page); choose another name."]
    return []


def check_new_product(mesh: Mesh, domain: str, name: str) -> list[str]:
    """All problems with registering a new product ``<domain>.<name>``.

    Args:
        mesh: the loaded mesh (its domains and products).
        domain: the chosen domain; must be one of the mesh's domains.
        name: the product name as typed.

    Returns:
        Plain-language problems (naming standard first, then existence); empty when free.
    """
    if domain not in mesh.domains:
        return [f"Choose one of the existing domains ({', '.join(sorted(mesh.domains))})."]
    problems = name_problems(name)
    return problems or taken_problems(mesh, domain, name)
