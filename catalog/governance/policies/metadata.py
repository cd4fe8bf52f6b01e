"""Required metadata: what every product must say about itself.

Global set: owner, domain, purpose, schema, SLA, quality rules, support channel. A domain may
require more (``usage``, ``limitations``, ``tags``, ``title``, ``descriptions`` of every
property) by listing them in its ``policies.yaml``. Fields are ODPS v1.1 (``team``, ``domain``,
``description.purpose``, ``support``, ``tags``) and ODCS v3.1 (``schema``, ``slaProperties``,
``quality``, ``support``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import Field

from catalog.governance.policy import (
    EvaluationContext,
    PolicyKind,
    PolicyParams,
    Violation,
    Where,
)
from catalog.governance.walk import contracts, properties
from catalog.mesh import DataProduct, Mesh

MetadataField = Literal["owner", "domain", "purpose", "schema", "sla", "quality", "support",
                        "usage", "limitations", "tags", "title", "descriptions"]

GLOBAL_FIELDS: list[MetadataField] = ["owner", "domain", "purpose", "schema", "sla", "quality",
                                      "support"]


class MetadataParams(PolicyParams):
    """Which metadata is required."""

    fields: list[MetadataField] = Field(
        default_factory=lambda: list(GLOBAL_FIELDS),
        description="Metadata every product must have; a domain may add to the list.",
        json_schema_extra={"stricter": "more"})


def _has_quality(raw: dict[str, Any]) -> bool:
    for obj in raw.get("schema") or []:
        if obj.get("quality") or any(p.get("quality") for p in obj.get("properties") or []):
            return True
    return bool(raw.get("quality"))


def _owner(product: DataProduct) -> Iterator[Violation]:
    if not product.owners:
        yield Violation("no team member has the role 'owner'", Where(("team",)))


def _domain(product: DataProduct) -> Iterator[Violation]:
    if not product.document.domain:
        yield Violation("the ODPS 'domain' field is empty", Where(("id",)))


def _text(attribute: str, label: str) -> Callable[[DataProduct], Iterator[Violation]]:
    def check(product: DataProduct) -> Iterator[Violation]:
        """A violation when the description field is blank."""
        if not str(getattr(product, attribute) or "").strip():
            yield Violation(f"no {label} (description.{attribute})",
                            Where(("description", attribute)))
    return check


def _schema(product: DataProduct) -> Iterator[Violation]:
    if not product.output_ports:
        yield Violation("no output port, so no schema", Where(("outputPorts",)))
    for index, port in enumerate(product.output_ports):
        if port.source is None:
            yield Violation(f"output port '{port.name}' has no data contract",
                            Where(("outputPorts", index, "contractId")))
        elif not any(obj.get("properties") for obj in port.raw_contract.get("schema") or []):
            yield Violation(f"the contract of port '{port.name}' describes no schema properties",
                            Where(("schema",), port.name))


def _sla(product: DataProduct) -> Iterator[Violation]:
    for port, raw in contracts(product):
        if not raw.get("slaProperties"):
            yield Violation(f"the contract of port '{port}' has no SLA (slaProperties)",
                            Where(("slaProperties",), port))


def _quality(product: DataProduct) -> Iterator[Violation]:
    for port, raw in contracts(product):
        if not _has_quality(raw):
            yield Violation(f"the contract of port '{port}' has no quality rules",
                            Where(("schema",), port))


def _support(product: DataProduct) -> Iterator[Violation]:
    ports = list(contracts(product))
    if not product.support and not (ports and all(raw.get("support") for _, raw in ports)):
        yield Violation("no support channel: consumers cannot ask for help", Where(("support",)))


def _tags(product: DataProduct) -> Iterator[Violation]:
    if not product.tags:
        yield Violation("no tags, so searches by keyword miss the product", Where(("tags",)))


def _title(product: DataProduct) -> Iterator[Violation]:
    if product.document.custom("title") in (None, ""):
        yield Violation("no title (customProperties title)", Where(("customProperties",)))


def _descriptions(product: DataProduct) -> Iterator[Violation]:
    for prop in properties(product):
        if not str(prop.raw.get("description") or "").strip():
            yield Violation(f"property '{prop.name}' of {prop.object_name} has no description",
                            Where(prop.path, prop.port))


CHECKS: dict[str, Callable[[DataProduct], Iterator[Violation]]] = {
    "owner": _owner, "domain": _domain, "purpose": _text("purpose", "purpose"),
    "schema": _schema, "sla": _sla, "quality": _quality, "support": _support,
    "usage": _text("usage", "usage notes"), "limitations": _text("limitations", "limitations"),
    "tags": _tags, "title": _title, "descriptions": _descriptions,
}
"""One check per metadata field."""


def _check(product: DataProduct, mesh: Mesh, context: EvaluationContext,
           params: Any) -> list[Violation]:
    return [v for name in params.fields for v in CHECKS[name](product)]


REQUIRED_METADATA = PolicyKind(
    kind="required-metadata",
    title="Required metadata is filled in",
    message="Every product names an owner, its domain and its purpose, and each output port's "
            "contract has a schema, an SLA and quality rules; consumers have a support channel.",
    fix="Fill in the missing field in product.odps.yaml (team member with role owner, domain, "
        "description.purpose, support) or in the port's .odcs.yaml (schema, slaProperties, "
        "quality).",
    check=_check,
    params=MetadataParams,
    rule="ODPS v1.1 (team, domain, description, support); ODCS v3.1 (schema, slaProperties, "
         "quality).",
)

KINDS = [REQUIRED_METADATA]
GLOBAL = [REQUIRED_METADATA.policy("error")]
