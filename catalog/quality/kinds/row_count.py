"""``rowCount``: how many rows the object has (ODCS v3.1 §data-quality, library metric; v3.0
``rule: rowcount``). Default ``mustBeGreaterThan: 0``."""

from __future__ import annotations

from catalog.quality.kinds.base import Kind, Stated, Target, capital, limit, register
from catalog.quality.measures import SCALAR, Measure
from catalog.quality.model import Check


@register
class RowCount(Kind):
    """The object's row count, answered from statistics where the engine keeps them."""

    name = "rowCount"
    editable = True
    form_rank = 5
    aliases = ("rowcount",)
    dimension = "completeness"
    default = ("mustBeGreaterThan", 0)

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """``count(*)``, asked alone."""
        return Measure(check, SCALAR, expression="count(*)")

    def sentence(self, rule: Stated, target: Target) -> str:
        """``More than 300,000 rows``, ``At least 1,000 rows``."""
        found = limit(rule)
        return f"{capital(found[0])} {found[1]} rows" if found else "Row count"

    def counted(self, amount: str, value: float, unit: str) -> str:
        """``336,776 rows``."""
        return f"{amount} rows"

    def value_label(self, check: Check) -> str:
        """``rows``."""
        return "rows"

    def limit_unit(self, check: Check) -> str:
        """``rows``."""
        return "rows"
