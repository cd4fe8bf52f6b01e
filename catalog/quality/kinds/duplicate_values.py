"""``duplicateValues``: rows beyond the first of each value of a property, or of a combination
of ``arguments.properties`` on the object (ODCS v3.1 §data-quality, library metric; v3.0
``rule: duplicateCount``). Default ``mustBe: 0``. As with SQL ``UNIQUE``, rows whose key has a
null are never duplicates of each other."""

from __future__ import annotations

from typing import ClassVar

from catalog.quality.kinds.base import Kind, Stated, Target, count_phrase, register
from catalog.quality.measures import DISTINCT, CompileError, Measure
from catalog.quality.model import Check
from catalog.sql import quote_identifier


def key_columns(check: Check, types: dict[str, str]) -> tuple[str, ...]:
    """The columns whose values must not repeat: ``arguments.properties``, else the property.

    Raises:
        CompileError: a key column is not in the data.
    """
    names = list(check.arguments.get("properties") or [])
    if not names:
        names = [str(check.arguments.get("column") or check.property or "")]
    missing = [n for n in names if n not in types]
    if missing or not names or not all(names):
        raise CompileError(f"Key column(s) {', '.join(missing) or '(none)'} not in the data.")
    return tuple(names)


@register
class DuplicateValues(Kind):
    """Rows repeating a value (or a combination of values) of an earlier row."""

    name = "duplicateValues"
    editable = True
    form_rank = 4
    aliases: ClassVar[tuple[str, ...]] = ("duplicateCount",)
    dimension = "uniqueness"
    default = ("mustBe", 0)
    noun = "duplicate"

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """A distinct count, alone in its query (a DISTINCT slows a shared pass down).

        Single keys use an exact ``count(DISTINCT col)``; compound keys count distinct
        ``hash(a, b, …)`` (about 1.7× faster than distinct tuples on 6 M rows here) with an
        exact ``GROUP BY`` recount when that reports duplicates.
        """
        key = key_columns(check, types)
        quoted = [quote_identifier(k) for k in key]
        pk = self.nulls_fail
        if len(key) == 1:
            rows = "count(*)" if pk else f"count({quoted[0]})"
            return Measure(
                check, DISTINCT, expression=f"{rows} - count(DISTINCT {quoted[0]})", key=key
            )
        complete = " AND ".join(f"{q} IS NOT NULL" for q in quoted)
        null_rows = f" + count(*) FILTER (WHERE NOT ({complete}))" if pk else ""
        fast = (
            f"count(*) FILTER (WHERE {complete}) - count(DISTINCT hash({', '.join(quoted)})) "
            f"FILTER (WHERE {complete}){null_rows}"
        )
        exact = (
            "SELECT (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {relation} "
            f"WHERE {complete} GROUP BY {', '.join(quoted)} HAVING count(*) > 1))"
            + (f" + (SELECT count(*) FROM {{relation}} WHERE NOT ({complete}))" if pk else "")
        )
        return Measure(check, DISTINCT, expression=fast, key=key, exact=exact)

    def sentence(self, rule: Stated, target: Target) -> str:
        """``No duplicate values in order_id``; ``No duplicate rows for the combination of a,
        b`` for a combination on the object."""
        columns = rule.arguments.get("properties")
        if target.property_name is None and columns:
            return f"{count_phrase(rule, 'duplicate rows')} for the combination of " + ", ".join(
                map(str, columns)
            )
        noun = "duplicate values" if target.property_name else "duplicate rows"
        return f"{count_phrase(rule, noun)} in {target.phrase()}"
