"""An SLA freshness promise for source-aligned products.

A source-aligned product (ODPS ``type: sourceAligned``) mirrors an operational system; its
consumers need to know how old the newest record may be. The promise is an ODCS v3.1
``slaProperties`` entry ``freshness`` (``latency`` is its name in ODCS v3.0) on every output
port's contract. Derived products (``aggregate``, ``consumerAligned``) inherit freshness from
their inputs; a domain may require the promise of them too (parameter ``types``).
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
from catalog.governance.walk import contracts
from catalog.mesh import DataProduct, Mesh

FRESHNESS_NAMES = ("freshness", "latency")
"""SLA property names that promise freshness (ODCS v3.1 and v3.0)."""


class FreshnessParams(PolicyParams):
    """Which product types must promise freshness."""

    types: list[str] = Field(
        default_factory=lambda: ["sourceAligned"],
        description="ODPS product types that must promise freshness; a domain may add more.",
        json_schema_extra={"stricter": "more"})


def _norm(value: str | None) -> str:
    return (value or "").replace("-", "").replace("_", "").lower()


def _check(product: DataProduct, mesh: Mesh, context: EvaluationContext,
           params: Any) -> list[Violation]:
    if _norm(product.type) not in {_norm(t) for t in params.types}:
        return []
    out = []
    for port, raw in contracts(product):
        names = {_norm(str(s.get("property"))) for s in raw.get("slaProperties") or []
                 if isinstance(s, dict)}
        if not names & set(FRESHNESS_NAMES):
            out.append(Violation(
                f"{product.type} product: the contract of port '{port}' promises no freshness "
                "(no slaProperties entry 'freshness')",
                Where(("slaProperties",) if raw.get("slaProperties") else (), port)))
    return out


SLA_FRESHNESS = PolicyKind(
    kind="sla-freshness",
    title="Source-aligned products promise freshness",
    message="Every output port of a source-aligned product promises in its SLA how old the "
            "newest record may be (slaProperties: freshness).",
    fix="Add to the contract's slaProperties e.g. '{property: freshness, value: 1, unit: d, "
        "element: <table>.<timestamp column>}'.",
    check=_check,
    params=FreshnessParams,
    rule="ODCS v3.1 §sla (freshness / latency); ODPS v1.1 type sourceAligned.",
)

KINDS = [SLA_FRESHNESS]
GLOBAL = [SLA_FRESHNESS.policy("error")]
