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

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from open_data_contract_standard.model import (
    DataQuality,
    OpenDataContractStandard,
    SchemaProperty,
    ServiceLevelAgreementProperty,
)

from catalog.quality.kinds import KINDS, kind_name, read_rule, rule_sentence
from catalog.quality.kinds import Target as Target  # re-exported: what a rule checks
from catalog.quality.units import PERCENT as _PERCENT
from catalog.quality.units import number as number  # re-exported: the wording of numbers
from catalog.quality.units import quantity
from catalog.quality.units import time_unit as time_unit  # re-exported

# -- SLA -----------------------------------------------------------------------------------

_SLA_TEMPLATES: dict[str, str] = {
    "freshness": "Fresh: newest record at most {q} old",
    "latency": "Available at most {q} after it happens",
    "availability": "Availability {q}",
    "frequency": "Rebuilt every {q}",
    "retention": "Kept for {q}",
    "timetodetect": "Problems detected within {q}",
    "timetonotify": "Consumers told about problems within {q}",
    "timetorepair": "Problems fixed within {q}",
    "errorrate": "Error rate at most {q}",
    "throughput": "Throughput of {q}",
    "generalavailability": "Generally available since {q}",
    "endofsupport": "Supported until {q}",
    "endoflife": "Retired after {q}",
}


def humanize(name: str) -> str:
    """``timeToRepair`` or ``time_to_repair`` → ``"Time to repair"``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


def sla_sentence(prop: ServiceLevelAgreementProperty) -> str:
    """One SLA property as a sentence, e.g. "Availability 99.5%" or "Kept for 5 years".

    Args:
        prop: an ODCS ``slaProperties`` entry (property, value, unit, element, valueExt).

    Returns:
        The sentence; the measured element, when given, is appended in parentheses.
    """
    name = (prop.property or "").strip()
    q = quantity(prop.value, prop.unit)
    if prop.valueExt not in (None, ""):
        q = f"{q} to {quantity(prop.valueExt, prop.unit)}"
    template = _SLA_TEMPLATES.get(name.lower())
    text = template.format(q=q) if template else f"{humanize(name) or 'Promise'}: {q}"
    if prop.element:
        text += f" (measured on {prop.element})"
    return text


# -- quality rules -------------------------------------------------------------------------

_COMPARISONS = (
    ("mustBe", "exactly"),
    ("mustNotBe", "anything but"),
    ("mustBeGreaterThan", "more than"),
    ("mustBeGreaterOrEqualTo", "at least"),
    ("mustBeLessThan", "fewer than"),
    ("mustBeLessOrEqualTo", "at most"),
)


def threshold(rule: DataQuality) -> tuple[str, str] | None:
    """The rule's comparison as ``(words, amount)``, e.g. ``("at most", "1%")``; None if unset.

    ``mustBeBetween: [a, b]`` gives ``("between", "a and b")``; the unit ``percent`` adds "%".
    """
    unit = rule.unit if (rule.unit or "").lower() in _PERCENT else None
    for field_name, words in _COMPARISONS:
        value = getattr(rule, field_name)
        if value is not None:
            return words, quantity(value, unit)
    for field_name, words in (("mustBeBetween", "between"), ("mustNotBeBetween", "outside")):
        pair = getattr(rule, field_name)
        if pair:
            return words, f"{quantity(pair[0], unit)} and {quantity(pair[1], unit)}"
    return None


def _count_phrase(rule: DataQuality, noun: str) -> str:
    """``"No missing values"``, ``"At most 1% missing values"``, ``"Exactly 3 missing values"``."""
    limit = threshold(rule)
    if limit is None:
        return f"{noun[:1].upper()}{noun[1:]} are measured"
    words, amount = limit
    if amount in ("0", "0%") and words in ("exactly", "at most"):
        return f"No {noun}"
    return f"{words[:1].upper()}{words[1:]} {amount} {noun}"


def _listing(values: Iterable[Any], limit: int = 8) -> str:
    shown = ["empty" if v is None else ("blank text" if v == "" else str(v)) for v in values]
    more = len(shown) - limit
    return ", ".join(shown[:limit]) + (f" and {more} more" if more > 0 else "")


def _library_sentence(rule: DataQuality, metric: str, target: Target) -> str:
    args = rule.arguments or {}
    where = target.phrase()
    if metric == "rowCount":
        limit = threshold(rule)
        return f"{limit[0][:1].upper()}{limit[0][1:]} {limit[1]} rows" if limit else "Row count"
    if metric in ("nullValues", "missingValues"):
        text = f"{_count_phrase(rule, 'missing values')} in {where}"
        extra = [v for v in args.get("missingValues", []) if v is not None]
        return text + (f", counting {_listing(extra)} as missing" if extra else "")
    if metric == "invalidValues":
        text = f"{_count_phrase(rule, 'invalid values')} in {where}"
        if args.get("validValues"):
            return f"{text}: allowed values are {_listing(args['validValues'])}"
        if args.get("pattern"):
            return f"{text}: values must match the pattern {args['pattern']}"
        return text
    if metric == "duplicateValues":
        columns = args.get("properties")
        if target.property_name is None and columns:
            return f"{_count_phrase(rule, 'duplicate rows')} for the combination of " + ", ".join(
                map(str, columns))
        noun = "duplicate values" if target.property_name else "duplicate rows"
        return f"{_count_phrase(rule, noun)} in {where}"
    return f"{humanize(metric)} in {where}"


def quality_sentence(rule: DataQuality, target: Target) -> str:
    """A quality rule as a sentence a non-technical reader understands.

    Library metrics get a generated sentence (their description is shown beside it); SQL,
    text and custom rules use their description, or a generic sentence when they have none.

    Args:
        rule: an ODCS ``quality`` entry of a schema object or property.
        target: the object or property it is attached to.

    Returns:
        E.g. "No missing values in Airline code (carrier)", "More than 300,000 rows".
    """
    entry = rule.model_dump(by_alias=True, exclude_none=True)
    if kind_name(entry) in KINDS:
        return rule_sentence(read_rule(entry), target)
    metric = rule.metric or rule.rule
    if metric:
        return _library_sentence(rule, metric, target)
    if rule.description:
        return rule.description.strip()
    kind = (rule.type or "custom").lower()
    if kind == "sql":
        limit = threshold(rule)
        must = f" must return {limit[0]} {limit[1]}" if limit else ""
        return f"A SQL check on {target.phrase()}{must}"
    return f"A {kind} check on {target.phrase()}" + (f" ({rule.engine})" if rule.engine else "")


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
        lines.append(QualityLine(
            rule_id=rule.id or "",
            sentence=quality_sentence(rule, target),
            detail=rule_detail(rule),
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
