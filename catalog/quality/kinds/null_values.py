"""``nullValues``: how many values of a property are null (ODCS v3.1 §data-quality, library
metric; v3.0 ``rule: nullCheck``). Default threshold ``mustBe: 0``; ``unit: percent`` counts
the share of rows."""

from __future__ import annotations

from typing import ClassVar

from catalog.quality.kinds.base import Kind, Stated, Target, count_phrase, register
from catalog.quality.measures import FILTER, Measure, column, counted
from catalog.quality.model import Check


@register
class NullValues(Kind):
    """Rows whose property is null."""

    name = "nullValues"
    editable = True
    form_rank = 1
    aliases: ClassVar[tuple[str, ...]] = ("nullCheck",)
    dimension = "completeness"
    default = ("mustBe", 0)
    noun = "missing"

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """``count(*) WHERE col IS NULL``: answered from row-group null counts."""
        col, _ = column(check, types)
        return counted(check, FILTER, f"{col} IS NULL")

    def sentence(self, rule: Stated, target: Target) -> str:
        """``No missing values in carrier``, ``At most 1% missing values in dep_time``."""
        return f"{count_phrase(rule, 'missing values')} in {target.phrase()}"
