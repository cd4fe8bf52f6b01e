"""``missingValues``: values of a property that are null or listed as meaning "missing" in
``arguments.missingValues`` (ODCS v3.1 §data-quality, library metric). Default ``mustBe: 0``;
``unit: percent`` counts the share of rows."""

from __future__ import annotations

from catalog.quality.kinds.base import Kind, Stated, Target, count_phrase, listing, register
from catalog.quality.measures import (
    AGGREGATE,
    FILTER,
    Measure,
    column,
    counted,
    is_numeric,
    value_list,
)
from catalog.quality.model import Check


@register
class MissingValues(Kind):
    """Rows whose property is null or one of the values counted as missing."""

    name = "missingValues"
    editable = True
    form_rank = 2
    dimension = "completeness"
    default = ("mustBe", 0)
    noun = "missing"

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """``IS NULL`` alone (statistics answer it), or null-or-listed in the shared pass."""
        col, typ = column(check, types)
        values = [v for v in check.arguments.get("missingValues") or [] if v is not None]
        if not values:
            return counted(check, FILTER, f"{col} IS NULL")
        listed, _ = value_list(values, is_numeric(typ))
        return counted(check, AGGREGATE, f"({col} IS NULL OR CAST({col} AS VARCHAR) IN ({listed}))")

    def sentence(self, rule: Stated, target: Target) -> str:
        """``No missing values in status, counting n/a, blank text as missing``."""
        text = f"{count_phrase(rule, 'missing values')} in {target.phrase()}"
        extra = [v for v in rule.arguments.get("missingValues") or [] if v is not None]
        return text + (f", counting {listing(extra)} as missing" if extra else "")
