"""``minLength`` / ``maxLength``: bounds on a text property's length (ODCS v3.1
§logical-type-options). Said like the value bounds (:mod:`.bounds`), measured on the length."""

from __future__ import annotations

from catalog.quality.kinds.base import register
from catalog.quality.kinds.bounds import Minimum
from catalog.quality.measures import AGGREGATE, Measure, column, counted
from catalog.quality.model import Check


@register
class MinLength(Minimum):
    """Values shorter than ``arguments.value`` characters."""

    name = "minLength"
    said = "has at least"
    suffix = " characters"

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """``length(CAST(col AS VARCHAR))`` against the bound, in the shared pass."""
        col, _ = column(check, types)
        bound = int(check.arguments["value"])
        return counted(check, AGGREGATE, f"length(CAST({col} AS VARCHAR)) {self.fails} {bound}")


@register
class MaxLength(MinLength):
    """Values longer than ``arguments.value`` characters."""

    name = "maxLength"
    fails = ">"
    said = "has at most"
