"""``invalidValues``: present values of a property outside ``arguments.validValues`` or not
matching ``arguments.pattern`` (ODCS v3.1 §data-quality, library metric; v3.0 ``rule:
validValues`` with the list at the top level). Default ``mustBe: 0``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from catalog.quality.kinds.base import Kind, Stated, Target, count_phrase, listing, register
from catalog.quality.measures import (
    AGGREGATE,
    FILTER,
    CompileError,
    Measure,
    counted,
    not_matching,
    outside_list,
)
from catalog.quality.model import Check


@register
class InvalidValues(Kind):
    """Rows whose value is not allowed (a list of valid values, or a pattern)."""

    name = "invalidValues"
    editable = True
    form_rank = 3
    aliases: ClassVar[tuple[str, ...]] = ("validValues",)
    dimension = "conformity"
    default = ("mustBe", 0)
    noun = "invalid"

    def arguments(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments, with a v3.0 top-level ``validValues`` list moved into them."""
        args = dict(entry.get("arguments") or {})
        if "validValues" not in args and entry.get("validValues"):
            args["validValues"] = entry["validValues"]
        return args

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """``NOT IN`` the list (statistics-friendly), else a regular expression in the shared
        pass.

        Raises:
            CompileError: neither a list nor a pattern is given.
        """
        args = check.arguments
        if "validValues" in args:
            return counted(
                check, FILTER, outside_list(check, types, list(args["validValues"] or []))
            )
        if args.get("pattern"):
            return counted(check, AGGREGATE, not_matching(check, types, str(args["pattern"])))
        raise CompileError(
            f"An {check.kind} rule needs arguments.validValues or arguments.pattern."
        )

    def sentence(self, rule: Stated, target: Target) -> str:
        """``No invalid values in status: allowed values are open, closed``."""
        text = f"{count_phrase(rule, 'invalid values')} in {target.phrase()}"
        args = rule.arguments
        if args.get("validValues"):
            return f"{text}: allowed values are {listing(args['validValues'])}"
        if args.get("pattern"):
            return f"{text}: values must match the pattern {args['pattern']}"
        return text
