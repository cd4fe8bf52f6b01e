"""``sql``: a rule whose ``query`` returns one number compared with the operator (ODCS v3.1
§data-quality, SQL rules; ``{object}``/``{property}`` placeholders). It runs as written, in the
sandbox, as its own query (see :func:`catalog.quality.runner`)."""

from __future__ import annotations

from catalog.quality.kinds.base import Kind, Stated, Target, limit, register
from catalog.quality.measures import SQL, CompileError, Measure
from catalog.quality.model import Check


@register
class Sql(Kind):
    """The number a rule's own query returns."""

    name = "sql"
    editable = True
    form_rank = 6

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """The rule's own query (filled in and confined by the runner).

        Raises:
            CompileError: the rule has no query.
        """
        if not check.query:
            raise CompileError("An sql rule needs a query.")
        return Measure(check, SQL)

    def sentence(self, rule: Stated, target: Target) -> str:
        """The rule's description, else ``A SQL check on amount must return exactly 0``."""
        found = limit(rule)
        must = f" must return {found[0]} {found[1]}" if found else ""
        return rule.description.strip() or f"A SQL check on {target.phrase()}{must}"
