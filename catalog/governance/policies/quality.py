"""A minimum quality score, from the product's latest stored quality run.

The score is the quality engine's (0..100, weighted mean of dimension pass rates,
:mod:`catalog.quality.scoring`). A product without a stored run, or whose last run scored no
check, is *not yet measured*: status unknown, neither a pass nor a failure.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from catalog.governance.model import NotMeasured
from catalog.governance.policy import (
    EvaluationContext,
    PolicyKind,
    PolicyParams,
    Violation,
)
from catalog.mesh import DataProduct, Mesh


class ScoreParams(PolicyParams):
    """The lowest acceptable score."""

    minimum: float = Field(80.0, ge=0, le=100, description="Lowest acceptable score (0..100).",
                           json_schema_extra={"stricter": "higher"})


def _check(product: DataProduct, mesh: Mesh, context: EvaluationContext,
           params: Any) -> list[Violation] | NotMeasured:
    if context.quality_scores is None:
        return NotMeasured("quality results are not available here")
    if product.id not in context.quality_scores:
        return NotMeasured("not yet measured: no quality run is stored for this product")
    score = context.quality_scores[product.id]
    if score is None:
        return NotMeasured("not yet measured: the last quality run could not score any check")
    if score < params.minimum:
        return [Violation(f"quality score {score:.0f} is below the minimum of "
                          f"{params.minimum:.0f}")]
    return []


MIN_QUALITY_SCORE = PolicyKind(
    kind="min-quality-score",
    title="Quality score meets the minimum",
    message="The product's latest quality score (0-100) is at least the minimum (80 unless "
            "the domain sets a stricter one).",
    fix="Open the product's quality results, fix the data (or the rule, if the rule is wrong) "
        "for each failed check, and run the checks again.",
    check=_check,
    params=ScoreParams,
    rule="Quality score as defined in catalog.quality.scoring.",
)

KINDS = [MIN_QUALITY_SCORE]
GLOBAL = [MIN_QUALITY_SCORE.policy("error")]
