"""A product that consumes a deprecated or retired product is flagged.

Lineage runs input port → product; an input port's producer is the product whose
output port serves its ``contractId`` (:meth:`catalog.mesh.Mesh.producer_of_contract`), so
this works for a product that is not in the mesh yet (registration). ODPS v1.1 lifecycle
statuses: proposed, draft, active, deprecated, retired.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from catalog.governance.policy import (
    EvaluationContext,
    PolicyKind,
    PolicyParams,
    Violation,
    Where,
)
from catalog.mesh import DataProduct, Mesh

Upstream = Literal["deprecated", "retired", "draft", "proposed"]


class InputsParams(PolicyParams):
    """Which upstream statuses are flagged."""

    statuses: list[Upstream] = Field(
        default_factory=lambda: list[Upstream](["deprecated"]),
        description="Upstream lifecycle statuses that are flagged.",
        json_schema_extra={"stricter": "more"})


def _check(product: DataProduct, mesh: Mesh, context: EvaluationContext,
           params: Any) -> list[Violation]:
    out = []
    for index, port in enumerate(product.input_ports):
        upstream = mesh.producer_of_contract(port.contractId or "")
        if upstream is None and port.name in mesh.products:
            upstream = mesh.products[port.name]
        if upstream is not None and upstream.id != product.id and (
                upstream.status in params.statuses):
            out.append(Violation(f"consumes {upstream.id}, which is {upstream.status}",
                                 Where(("inputPorts", index))))
    return out


def _inputs_kind(kind: str, title: str, message: str) -> PolicyKind:
    return PolicyKind(
        kind=kind, title=title, message=message,
        fix="Move the input port to the product that replaces it (see its limitations and "
            "announcements), or agree an end date with its owners.",
        check=_check, params=InputsParams,
        rule="ODPS v1.1 status lifecycle; lineage through input ports.")


DEPRECATED_INPUTS = _inputs_kind(
    "no-deprecated-inputs", "No deprecated inputs",
    "The product consumes no deprecated product: it will stop being maintained.")
RETIRED_INPUTS = _inputs_kind(
    "no-retired-inputs", "No retired inputs",
    "The product consumes no retired product: its data is gone or frozen.")

KINDS = [DEPRECATED_INPUTS, RETIRED_INPUTS]
GLOBAL = [DEPRECATED_INPUTS.policy("warning"),
          RETIRED_INPUTS.policy("error", params=InputsParams(statuses=["retired"]))]
