"""``minimum`` / ``maximum`` / ``exclusiveMinimum`` / ``exclusiveMaximum``: bounds on a
property's values (ODCS v3.1 §logical-type-options; ``exclusiveMinimum: true`` beside a
``minimum`` makes it exclusive). The four differ only in the comparison and the words."""

from __future__ import annotations

from typing import ClassVar

from catalog.quality.kinds.base import Kind, Stated, Target, capital, register
from catalog.quality.measures import FILTER, Measure, column, counted, is_numeric, literal
from catalog.quality.model import Check


@register
class Minimum(Kind):
    """Values below ``arguments.value``."""

    name = "minimum"
    dimension = "conformity"
    noun = "invalid"
    fails: ClassVar[str] = "<"
    """The comparison of a failing value with the bound."""
    said: ClassVar[str] = "is at least"
    suffix: ClassVar[str] = ""
    """What the bound counts, after it (`` characters`` for lengths)."""

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """A comparison with the bound (statistics-friendly)."""
        col, typ = column(check, types)
        bound = literal(check.arguments["value"], is_numeric(typ))
        return counted(check, FILTER, f"{col} {self.fails} {bound}")

    def sentence(self, rule: Stated, target: Target) -> str:
        """``Distance is at least 0``, ``Carrier has at least 2 characters``."""
        value = rule.arguments.get("value")
        return f"{capital(target.phrase())} {self.said} {value}{self.suffix}"


@register
class Maximum(Minimum):
    """Values above ``arguments.value``."""

    name = "maximum"
    fails = ">"
    said = "is at most"


@register
class ExclusiveMinimum(Minimum):
    """Values at or below ``arguments.value``."""

    name = "exclusiveMinimum"
    fails = "<="
    said = "is above"


@register
class ExclusiveMaximum(Minimum):
    """Values at or above ``arguments.value``."""

    name = "exclusiveMaximum"
    fails = ">="
    said = "is below"
