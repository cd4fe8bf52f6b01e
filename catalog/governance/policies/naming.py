"""Naming convention for product, port, table and column names.

Rule (our convention, stated in README.md): a name is ``snake_case`` — lowercase ASCII letters,
digits and single underscores, starting with a letter, not ending with an underscore — and at
most 63 characters. 63 is PostgreSQL's identifier limit (NAMEDATALEN − 1), the shortest among
the engines a product may move to, so every name works unquoted as
a SQL identifier everywhere; snake_case is what DuckDB, PostgreSQL and dbt fold to.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from catalog.governance.policy import (
    EvaluationContext,
    PolicyKind,
    PolicyParams,
    Violation,
    Where,
)
from catalog.governance.walk import objects, properties
from catalog.mesh import DataProduct, Mesh

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
"""Lowercase letters and digits in words joined by single underscores, starting with a letter."""


class NamingParams(PolicyParams):
    """Parameters of the naming convention."""

    max_length: int = Field(63, ge=1, le=63, description="Longest name allowed (characters).",
                            json_schema_extra={"stricter": "lower"})


def name_problem(name: str, max_length: int = 63) -> str | None:
    """Why ``name`` breaks the convention, or ``None`` when it follows it."""
    if not SNAKE_CASE.match(name):
        suggestion = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
        hint = f" (e.g. '{suggestion}')" if suggestion and SNAKE_CASE.match(suggestion) else ""
        return f"is not snake_case{hint}"
    if len(name) > max_length:
        return f"is {len(name)} characters long; at most {max_length} are allowed"
    return None


def _check(product: DataProduct, mesh: Mesh, context: EvaluationContext,
           params: Any) -> list[Violation]:
    out: list[Violation] = []

    def check(what: str, name: str, where: Where) -> None:
        """Record a violation when ``name`` breaks the convention."""
        problem = name_problem(name, params.max_length)
        if problem:
            out.append(Violation(f"{what} '{name}' {problem}", where))

    check("product name", product.name, Where(("name",)))
    for index, output in enumerate(product.output_ports):
        check("output port name", output.name, Where(("outputPorts", index, "name")))
    for port, index, obj in objects(product):
        check("schema object name", str(obj.get("name") or ""),
              Where(("schema", index, "name"), port))
    for prop in properties(product):
        check(f"property name in {prop.object_name}", prop.name,
              Where((*prop.path, "name"), prop.port))
    return out


NAMING = PolicyKind(
    kind="naming-convention",
    title="Names follow the naming convention",
    message="Product, output port, schema object and property names are snake_case (lowercase "
            "letters, digits and single underscores, starting with a letter) and at most 63 "
            "characters long.",
    fix="Rename to snake_case, e.g. 'DepartureDelay' → 'departure_delay'; renaming a published "
        "property is a breaking change, so release it as a new major version.",
    check=_check,
    params=NamingParams,
    rule="Our convention; 63 = PostgreSQL identifier limit (NAMEDATALEN − 1).",
)

KINDS = [NAMING]
GLOBAL = [NAMING.policy("error")]
