"""The quality score of a product: dimension pass rates combined by stated weights.

Each ODCS dimension is mapped to one of five scoring dimensions (:data:`SCORING_DIMENSION`);
a dimension's pass rate is ``passed / scored`` where *scored* checks are those that ran
(``passed``, ``warning``, ``failed``; ``error`` and ``skipped`` tell nothing about the data and
are left out). The score is the weighted mean of the rates of the dimensions that have scored
checks, with the weights renormalised over those dimensions, times 100.

Weights (issue "Quality engine", point 3): completeness 0.25, conformity/validity 0.25,
consistency 0.20, timeliness 0.15, uniqueness 0.15. Grades: A ≥ 95, B ≥ 85, C ≥ 70, D ≥ 50,
else E.
"""

from __future__ import annotations

from catalog.quality.model import CheckResult, DimensionScore, QualityScore, Status

WEIGHTS: dict[str, float] = {
    "completeness": 0.25,
    "conformity": 0.25,
    "consistency": 0.20,
    "timeliness": 0.15,
    "uniqueness": 0.15,
}
"""Weight of each scoring dimension (sums to 1)."""

SCORING_DIMENSION: dict[str, str] = {
    "completeness": "completeness", "coverage": "completeness",
    "conformity": "conformity", "accuracy": "conformity", "validity": "conformity",
    "consistency": "consistency", "timeliness": "timeliness", "uniqueness": "uniqueness",
}
"""ODCS dimension → scoring dimension (accuracy counts as conformity/validity, coverage as
completeness)."""

GRADES: tuple[tuple[float, str], ...] = ((95, "A"), (85, "B"), (70, "C"), (50, "D"), (0, "E"))
"""Lowest score of each grade."""

_SCORED = {Status.PASSED, Status.WARNING, Status.FAILED}


def grade(value: float | None) -> str:
    """``A``–``E`` for a 0..100 score, ``"–"`` when there is none."""
    if value is None:
        return "–"
    return next(letter for floor, letter in GRADES if value >= floor)


def score(results: list[CheckResult]) -> QualityScore:
    """Score one run's results.

    Returns:
        The score (``value`` None when no check ran), its grade, the dimensions used and the
        arithmetic written out, e.g. ``(0.25×100.0% + 0.15×50.0%) ÷ 0.40 = 81.3``.
    """
    passed: dict[str, int] = {}
    scored: dict[str, int] = {}
    for result in results:
        if result.status not in _SCORED:
            continue
        dim = SCORING_DIMENSION.get(result.check.dimension.lower(), "conformity")
        scored[dim] = scored.get(dim, 0) + 1
        passed[dim] = passed.get(dim, 0) + (result.status == Status.PASSED)
    dims = tuple(DimensionScore(d, passed.get(d, 0), scored[d], WEIGHTS[d])
                 for d in WEIGHTS if scored.get(d))
    if not dims:
        return QualityScore(None, grade(None), (), "No check ran, so there is no score.")
    weight = sum(d.weight for d in dims)
    value = 100.0 * sum(d.weight * d.rate for d in dims) / weight
    terms = " + ".join(f"{d.weight:.2f}×{100 * d.rate:.1f}%" for d in dims)
    arithmetic = f"({terms}) ÷ {weight:.2f} = {value:.1f}"
    return QualityScore(round(value, 1), grade(value), dims, arithmetic)
