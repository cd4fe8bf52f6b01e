"""Promised non-null is checked: every required property is covered by a completeness check.

Decision (README.md, "Policies"): a property *promises* non-null when it is ``required: true``
or part of the ``primaryKey`` (ODCS v3.1 §schema). It is *covered* when the quality engine runs
a zero-tolerance completeness check on it: ``required: true`` itself counts, because
:func:`catalog.quality.derive.derive_checks` turns it into a no-nulls check, and so does a
``nullValues``/``missingValues`` rule with ``mustBe: 0`` (ODCS v3.1 §data-quality). The policy
reads the very checks the quality engine derives, so the two never disagree. It fails when a
primary-key property is neither required nor covered by such a rule, and when a required
property carries a completeness rule that tolerates nulls (the rule contradicts the promise).
"""

from __future__ import annotations

import re
from typing import Any

from catalog.governance.policy import EvaluationContext, PolicyKind, Violation, Where
from catalog.governance.walk import contracts
from catalog.mesh import DataProduct, Mesh
from catalog.quality.derive import derive_checks
from catalog.quality.model import Check

COMPLETENESS_KINDS = ("required", "nullValues", "missingValues")
"""Check kinds that count nulls (or missing values) of one property."""


def zero_tolerance(check: Check) -> bool:
    """True when the check fails on a single null (or missing) value."""
    op, value = check.operator, check.threshold
    if op == "mustBeBetween" and isinstance(value, (list, tuple)) and len(value) == 2:
        return value[1] == 0
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    if op in ("mustBe", "mustBeLessOrEqualTo"):
        return value == 0
    if op == "mustBeLessThan":
        return value <= (1 if check.unit == "rows" else 0)
    return False


def source_path(source: str) -> tuple[str | int, ...]:
    """``schema[0].properties[3].quality[1]`` → ``("schema", 0, "properties", 3, "quality", 1)``."""
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", source))


def _promised(raw: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str, dict[str, Any]]]:
    out: list[tuple[tuple[str | int, ...], str, dict[str, Any]]] = []
    for o_index, obj in enumerate(raw.get("schema") or []):
        for p_index, prop in enumerate(obj.get("properties") or []):
            if prop.get("required") or prop.get("primaryKey"):
                out.append((("schema", o_index, "properties", p_index), str(obj.get("name")),
                            prop))
    return out


def _plainly_covered(raw: dict[str, Any]) -> bool:
    """True when every promised property is required and every completeness rule on one is
    written ``mustBe: 0``: then the derived checks need not be built (a fast path; 10,000
    products are evaluated in a few seconds)."""
    for _, _, prop in _promised(raw):
        if not prop.get("required"):
            return False
        for rule in prop.get("quality") or []:
            metric = rule.get("metric") or rule.get("rule")
            strict = rule.get("mustBe") == 0 and not isinstance(rule.get("mustBe"), bool) and (
                not any(k.startswith("must") and k != "mustBe" for k in rule))
            if metric in (*COMPLETENESS_KINDS, "nullCheck") and not strict:
                return False
    return True


def _check(product: DataProduct, mesh: Mesh, context: EvaluationContext,
           params: Any) -> list[Violation]:
    out = []
    for port, raw in contracts(product):
        if _plainly_covered(raw):
            continue
        checks = [c for c in derive_checks(raw, product.id, port) if c.kind in COMPLETENESS_KINDS]
        covered = {(c.object, c.property) for c in checks if zero_tolerance(c)}
        for path, obj, prop in _promised(raw):
            name = str(prop.get("name"))
            if (obj, name) not in covered:
                out.append(Violation(
                    f"primary-key property '{name}' of {obj} is not required and no "
                    "completeness rule checks it for nulls", Where(path, port)))
            elif prop.get("required"):
                for c in checks:
                    if (c.object, c.property) == (obj, name) and not zero_tolerance(c):
                        out.append(Violation(
                            f"property '{name}' of {obj} is required, but its rule '{c.id}' "
                            f"tolerates nulls ({c.operator} {c.threshold} {c.unit})",
                            Where(source_path(c.source), port)))
    return out


REQUIRED_COMPLETENESS = PolicyKind(
    kind="required-completeness",
    title="Promised non-null values are checked",
    message="Every property promised non-null (required or part of the primary key) is covered "
            "by a zero-tolerance completeness check, and no completeness rule on a required "
            "property tolerates nulls.",
    fix="Mark the property 'required: true' (the quality engine then checks it has no nulls), "
        "or add a rule '{metric: nullValues, mustBe: 0}'; on a required property make a "
        "tolerant nullValues rule 'mustBe: 0', or drop 'required' if nulls are expected.",
    check=_check,
    rule="ODCS v3.1 §schema (required, primaryKey) and §data-quality (nullValues, "
         "missingValues); checks as derived by catalog.quality.derive.",
)

KINDS = [REQUIRED_COMPLETENESS]
GLOBAL = [REQUIRED_COMPLETENESS.policy("error")]
