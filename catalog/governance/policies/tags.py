"""Required tags: a kind of policy for domains (none is in force globally).

A domain lists the tags every one of its products must carry, e.g. a confidentiality or
cost-centre tag its consumers filter on. ODPS v1.1 ``tags``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from catalog.governance.policy import (
    EvaluationContext,
    PolicyKind,
    PolicyParams,
    Violation,
    Where,
)
from catalog.mesh import DataProduct, Mesh


class TagsParams(PolicyParams):
    """The tags required."""

    tags: list[str] = Field(min_length=1, description="Tags every product must carry.",
                            json_schema_extra={"stricter": "more"})


def _check(product: DataProduct, mesh: Mesh, context: EvaluationContext,
           params: Any) -> list[Violation]:
    have = {t.lower() for t in product.tags}
    missing = [t for t in params.tags if t.lower() not in have]
    if not missing:
        return []
    return [Violation(f"missing required tag{'s' if len(missing) > 1 else ''} "
                      f"{', '.join(missing)}", Where(("tags",)))]


REQUIRED_TAGS = PolicyKind(
    kind="required-tags",
    title="Required tags are present",
    message="The product carries every tag its domain requires.",
    fix="Add the missing tags to 'tags' in product.odps.yaml.",
    check=_check,
    params=TagsParams,
    rule="ODPS v1.1 tags; the domain's policies.yaml.",
)

KINDS = [REQUIRED_TAGS]
GLOBAL: list[Any] = []
