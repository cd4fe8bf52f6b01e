"""Plain-language wording of data contracts for people who never read YAML.

Turns ODCS v3 SLA properties ("ODCS v3.1 §service-level-agreement") and data-quality rules
("ODCS v3.1 §data-quality": library metrics, SQL, text and custom rules) into short sentences,
e.g. ``{property: retention, value: 5, unit: y}`` → "Kept for 5 years" and ``{metric:
nullValues, mustBe: 0}`` on ``carrier`` → "No missing values in Airline code (carrier)".

Shared by the portal (``portal.wording``, ``portal.tables`` re-export these names) and by the
Markdown documentation of a product (:mod:`catalog.interchange.markdown`), so the page and the
document say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from open_data_contract_standard.model import (
    DataQuality,
    OpenDataContractStandard,
    SchemaProperty,
    ServiceLevelAgreementProperty,
)

from catalog.quality.kinds import Rule, kind_of, read_rule, rule_sentence
from catalog.quality.kinds import Target as Target  # re-exported: what a rule checks
from catalog.quality.kinds.base import humanize as humanize  # re-exported
from catalog.quality.units import number as number  # re-exported: the wording of numbers
from catalog.quality.units import quantity
from catalog.quality.units import time_unit as time_unit  # re-exported

# -- SLA -----------------------------------------------------------------------------------

_SLA_TEMPLATES: dict[str, str] = {
    "latency": "Available at most {q} after it happens",
    "availability": "Availability {q}",
    "frequency": "Rebuilt every {q}",
    "timetodetect": "Problems detected within {q}",
    "timetonotify": "Consumers told about problems within {q}",
    "timetorepair": "Problems fixed within {q}",
    "errorrate": "Error rate at most {q}",
    "throughput": "Throughput of {q}",
    "generalavailability": "Generally available since {q}",
    "endofsupport": "Supported until {q}",
    "endoflife": "Retired after {q}",
}


def sla_sentence(prop: ServiceLevelAgreementProperty) -> str:
    """One SLA property as a sentence, e.g. "Availability 99.5%" or "Records are kept for 5
    years" (``freshness`` and ``retention`` in their rule kind's words).

    Args:
        prop: an ODCS ``slaProperties`` entry (property, value, unit, element, valueExt).

    Returns:
        The sentence; the measured element, when given, is appended in parentheses.
    """
    name = (prop.property or "").strip()
    measured = kind_of(name.lower()).sla_property and prop.value is not None
    if measured and prop.valueExt in (None, ""):
        # freshness, retention: rule kinds too, checked on the Quality tab in these words
        element = {"element": prop.element} if prop.element else {}
        stated = Rule(name.lower(), "mustBeLessOrEqualTo", prop.value, prop.unit or "d", element)
        return rule_sentence(stated, Target(""))
    q = quantity(prop.value, prop.unit)
    if prop.valueExt not in (None, ""):
        q = f"{q} to {quantity(prop.valueExt, prop.unit)}"
    template = _SLA_TEMPLATES.get(name.lower())
    text = template.format(q=q) if template else f"{humanize(name) or 'Promise'}: {q}"
    if prop.element:
        text += f" (measured on {prop.element})"
    return text


# -- quality rules -------------------------------------------------------------------------

def quality_sentence(rule: DataQuality, target: Target) -> str:
    """A quality rule as a sentence a non-technical reader understands.

    The rule's kind says it (:mod:`catalog.quality.kinds`), exactly as the Quality tab, the
    registration wizard and the product's documentation do: library metrics get a sentence
    from what they check (their description is shown beside it); SQL, text and custom rules
    use their description, or a generic sentence when they have none.

    Args:
        rule: an ODCS ``quality`` entry of a schema object or property.
        target: the object or property it is attached to.

    Returns:
        E.g. "No missing values in Airline code (carrier)", "More than 300,000 rows".
    """
    return rule_sentence(read_rule(rule.model_dump(by_alias=True, exclude_none=True)), target)


def rule_detail(rule: DataQuality) -> str:
    """The rule's own description when the sentence was generated from its metric, else ``""``."""
    if (rule.metric or rule.rule) and rule.description:
        return rule.description.strip()
    return ""


# -- a contract's rules and promises -------------------------------------------------------

@dataclass(frozen=True)
class QualityLine:
    """A quality rule in plain language, with where it applies and how much it matters."""

    rule_id: str
    sentence: str
    detail: str
    applies_to: str
    dimension: str
    severity: str


def _properties(props: list[SchemaProperty] | None, prefix: str = ""
                ) -> Iterator[tuple[str, SchemaProperty]]:
    for prop in props or []:
        path = f"{prefix}{prop.name or ''}"
        yield path, prop
        yield from _properties(prop.properties, path + ".")


def _rules(contract: OpenDataContractStandard) -> Iterator[tuple[Target, DataQuality]]:
    for obj in contract.schema_ or []:
        for path, prop in _properties(obj.properties):
            for rule in prop.quality or []:
                yield Target(obj.name or "", path, prop.businessName), rule
        for rule in obj.quality or []:
            yield Target(obj.name or ""), rule


def quality_lines(contract: OpenDataContractStandard | None) -> list[QualityLine]:
    """Every quality rule of the contract (property rules first, in document order, per object).

    Args:
        contract: the ODCS contract of a port, or None.

    Returns:
        One :class:`QualityLine` per rule; empty without a contract.
    """
    if contract is None:
        return []
    lines = []
    for target, rule in _rules(contract):
        where = target.phrase()
        sentence = quality_sentence(rule, target)
        lines.append(QualityLine(
            rule_id=rule.id or "",
            sentence=sentence,
            detail="" if rule_detail(rule) == sentence else rule_detail(rule),
            applies_to=where[:1].upper() + where[1:],
            dimension=humanize(rule.dimension or "") or "Unspecified",
            severity=humanize(rule.severity or "") or "Unspecified",
        ))
    return lines


def sla_lines(contract: OpenDataContractStandard | None) -> list[tuple[str, str]]:
    """``(sentence, description)`` per SLA property of the contract, in document order."""
    if contract is None:
        return []
    return [(sla_sentence(p), (p.description or "").strip()) for p in contract.slaProperties or []]
