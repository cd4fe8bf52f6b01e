"""Derive every check a data contract states (ODCS v3.1 §schema, §data-quality, §sla).

Sources of checks, per schema object:
- property constraints: ``required`` (no nulls), ``unique``, ``primaryKey`` (single or compound,
  ordered by ``primaryKeyPosition``), ``enum`` (v3.2 ``enum: [{value: …}]``) and
  ``logicalTypeOptions`` ``pattern``, ``minLength``/``maxLength``, ``minimum``/``maximum``,
  ``exclusiveMinimum``/``exclusiveMaximum``;
- quality rules on a property or an object: library ``metric`` (``nullValues``,
  ``missingValues``, ``invalidValues``, ``duplicateValues``, ``rowCount``; the deprecated
  ``rule`` key is read too), ``sql`` (with ``{object}``/``{property}`` placeholders), ``custom``
  and ``text`` (never executed here: reported as ``skipped`` with the reason);
- SLA properties ``freshness`` (the newest record is at most ``value`` ``unit`` old) and
  ``retention`` (records are kept ``value`` ``unit``: the oldest record is at most that old, the
  reading datacontract-cli 1.2.8 applies, ``SECONDS_BETWEEN(MIN(element), now)`` below the
  period). An SLA without ``element`` (nor the deprecated ``slaDefaultElement``) names nothing
  to measure: its check is reported as skipped with that reason.

Pure functions over the raw contract dict; nothing here touches data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from catalog.quality.kinds import Rule, Target, kind_of, read_rule, rule_sentence
from catalog.quality.model import Check

SENSITIVE_CLASSIFICATIONS = frozenset({"confidential", "restricted", "secret", "sensitive"})
"""Classifications whose values never appear in failing-row samples."""


PLACEHOLDERS = {"object": ("${object}", "{object}", "${table}", "{table}"),
                "property": ("${property}", "{property}", "${column}", "{column}")}
"""Placeholders an ``sql`` rule may use for its object (table) and property (column)."""


def fill_placeholders(query: str, object_sql: str, column_sql: str) -> str:
    """An ``sql`` rule's query with its placeholders replaced (ODCS v3.1 §data-quality, SQL).

    Args:
        query: the rule's ``query``.
        object_sql: the quoted object (table) name.
        column_sql: the quoted property (column) name.

    Returns:
        The query, stripped of a trailing ``;``.
    """
    for token in PLACEHOLDERS["object"]:
        query = query.replace(token, object_sql)
    for token in PLACEHOLDERS["property"]:
        query = query.replace(token, column_sql)
    return query.strip().rstrip(";")


def column_of(prop: dict[str, Any]) -> str:
    """The column a property is stored in: ``physicalName`` when set, else ``name``."""
    return str(prop.get("physicalName") or prop.get("name") or "")


class _Ids:
    """Stable check ids: the rule's own ``id``, else ``<port>.<object>[.<property>].<kind>``,
    numbered ``#2``, ``#3`` … when one target has several checks of a kind."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def make(self, rule_id: Any, port: str, obj: str, prop: str | None, kind: str) -> str:
        """The id of the next check on this target (unique within the contract)."""
        base = str(rule_id) if rule_id else ".".join(x for x in (port, obj, prop, kind) if x)
        n = self.seen.get(base, 0) + 1
        self.seen[base] = n
        return base if n == 1 else f"{base}#{n}"


def _rule_check(rule: dict[str, Any], *, ids: _Ids, product_id: str, port: str, obj: str,
                prop: str | None, column: str | None, source: str,
                label: str | None = None) -> Check:
    read = read_rule(rule)
    arguments = dict(read.arguments)
    if column and column != prop:
        arguments.setdefault("column", column)
    return Check(
        id=ids.make(rule.get("id"), port, obj, prop, read.kind),
        product_id=product_id, port=port, kind=read.kind, object=obj, property=prop,
        dimension=str(rule.get("dimension") or kind_of(read.kind).dimension),
        severity=str(rule.get("severity") or "error"),
        description=str(rule.get("description") or rule.get("name")
                        or rule_sentence(read, Target(obj, prop, label))),
        operator=read.operator, threshold=read.threshold, unit=read.unit, arguments=arguments,
        query=read.query, engine=read.engine, source=source, label=label,
    )


def _constraint(kind: str, *, ids: _Ids, product_id: str, port: str, obj: str, prop: str,
                column: str, args: dict[str, Any], source: str, label: str | None) -> Check:
    if column != prop:
        args = {**args, "column": column}
    stated = Rule(kind, "mustBe", 0, "rows", args)
    return Check(
        id=ids.make(None, port, obj, prop, kind), product_id=product_id, port=port, kind=kind,
        object=obj, property=prop, dimension=kind_of(kind).dimension, severity="error",
        description=rule_sentence(stated, Target(obj, prop, label)), operator="mustBe",
        threshold=0, unit="rows", arguments=args, source=source, label=label,
    )


_LENGTH_AND_RANGE = ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
                     "exclusiveMaximum")


def _property_constraints(spec: dict[str, Any], **common: Any) -> Iterator[Check]:
    source = common["source"]
    if spec.get("required"):
        yield _constraint("required", args={}, **common)
    if spec.get("unique"):
        yield _constraint("unique", args={}, **common)
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        values = [e.get("value") if isinstance(e, dict) else e for e in enum]
        yield _constraint("enum", args={"validValues": values},
                          **{**common, "source": f"{source}.enum"})
    options = spec.get("logicalTypeOptions") or {}
    if options.get("pattern"):
        yield _constraint("pattern", args={"pattern": str(options["pattern"])},
                          **{**common, "source": f"{source}.logicalTypeOptions.pattern"})
    for key in _LENGTH_AND_RANGE:
        value = options.get(key)
        if value is None or isinstance(value, bool):
            continue
        kind = key
        if key == "minimum" and options.get("exclusiveMinimum") is True:
            kind = "exclusiveMinimum"
        if key == "maximum" and options.get("exclusiveMaximum") is True:
            kind = "exclusiveMaximum"
        yield _constraint(kind, args={"value": value},
                          **{**common, "source": f"{source}.logicalTypeOptions.{key}"})


def _time_unit(unit: str) -> str:
    return re.sub(r"\s+", "", unit.lower())


def _sla_checks(raw: dict[str, Any], ids: _Ids, product_id: str, port: str,
                objects: list[dict[str, Any]]) -> Iterator[Check]:
    default_element = raw.get("slaDefaultElement")
    for i, sla in enumerate(raw.get("slaProperties") or []):
        kind = str(sla.get("property") or "").lower()
        if not kind_of(kind).sla_property or sla.get("value") is None:
            continue
        element = str(sla.get("element") or default_element or "")
        obj_name, prop_name = _resolve_element(element, objects)
        unit = _time_unit(str(sla.get("unit") or "d"))
        args = {"element": element, "column": prop_name}
        stated = Rule(kind, "mustBeLessOrEqualTo", sla["value"], unit, args)
        yield Check(
            id=ids.make(sla.get("id"), port, obj_name, prop_name, kind),
            product_id=product_id, port=port, kind=kind, object=obj_name, property=prop_name,
            dimension="timeliness", severity=str(sla.get("severity") or "error"),
            description=str(sla.get("description")
                            or rule_sentence(stated, Target(obj_name, prop_name))),
            operator="mustBeLessOrEqualTo", threshold=sla["value"], unit=unit,
            arguments=args, source=f"slaProperties[{i}]",
        )


def _resolve_element(element: str, objects: list[dict[str, Any]]) -> tuple[str, str | None]:
    """``table.column`` or ``column`` → (object name, column); the first object otherwise."""
    first = str(objects[0].get("name") or "") if objects else ""
    element = element.split(",")[0].strip()
    if not element:
        return first, None
    if "." in element:
        table, col = element.split(".", 1)
        return table, col
    for obj in objects:
        if any(column_of(p) == element or p.get("name") == element
               for p in obj.get("properties") or []):
            return str(obj.get("name") or ""), element
    return first, element


def derive_checks(raw_contract: dict[str, Any], product_id: str, port: str) -> list[Check]:
    """Every check the contract states, in document order (schema, then SLA).

    Args:
        raw_contract: the ODCS document as parsed from YAML (schema-valid).
        product_id: id of the product the contract belongs to.
        port: the output port's name.

    Returns:
        Checks with stable ids; ``custom`` and ``text`` rules are included (the runner marks
        them ``skipped``), so a user sees every rule the contract states.
    """
    ids = _Ids()
    checks: list[Check] = []
    objects = [o for o in raw_contract.get("schema") or [] if isinstance(o, dict)]
    for oi, obj in enumerate(objects):
        obj_name = str(obj.get("name") or "")
        keys: list[tuple[int, str]] = []
        for pi, prop in enumerate(obj.get("properties") or []):
            name = str(prop.get("name") or "")
            column = column_of(prop)
            source = f"schema[{oi}].properties[{pi}]"
            label = prop.get("businessName")
            common = dict(ids=ids, product_id=product_id, port=port, obj=obj_name, prop=name,
                          column=column, source=source, label=label)
            checks.extend(_property_constraints(prop, **common))
            if prop.get("primaryKey"):
                keys.append((int(prop.get("primaryKeyPosition") or -1), column))
            for qi, rule in enumerate(prop.get("quality") or []):
                checks.append(_rule_check(rule, ids=ids, product_id=product_id, port=port,
                                          obj=obj_name, prop=name, column=column,
                                          source=f"{source}.quality[{qi}]", label=label))
        if keys:
            ordered = [c for _, c in sorted(keys, key=lambda k: (k[0] < 0, k[0]))]
            checks.append(Check(
                id=ids.make(None, port, obj_name, None, "primaryKey"), product_id=product_id,
                port=port, kind="primaryKey", object=obj_name, property=None,
                dimension="uniqueness", severity="error",
                description=rule_sentence(Rule("primaryKey", "", 0, "", {"properties": ordered}),
                                          Target(obj_name)),
                arguments={"properties": ordered}, source=f"schema[{oi}]",
            ))
        for qi, rule in enumerate(obj.get("quality") or []):
            checks.append(_rule_check(rule, ids=ids, product_id=product_id, port=port,
                                      obj=obj_name, prop=None, column=None,
                                      source=f"schema[{oi}].quality[{qi}]"))
    checks.extend(_sla_checks(raw_contract, ids, product_id, port, objects))
    return checks


def sensitive_columns(raw_contract: dict[str, Any], object_name: str) -> set[str]:
    """Columns of ``object_name`` left out of failing-row samples.

    A property is sensitive when its ``classification`` is confidential/restricted (see
    :data:`SENSITIVE_CLASSIFICATIONS`) or its ``customProperties`` flag ``pii`` as true.
    """
    out: set[str] = set()
    for obj in raw_contract.get("schema") or []:
        if str(obj.get("name") or "") != object_name:
            continue
        for prop in obj.get("properties") or []:
            pii = any(isinstance(c, dict) and c.get("property") == "pii"
                      and str(c.get("value")).strip().lower() == "true"
                      for c in prop.get("customProperties") or [])
            if pii or str(prop.get("classification") or "").lower() in SENSITIVE_CLASSIFICATIONS:
                out.add(column_of(prop))
    return out


def declared_columns(raw_contract: dict[str, Any], object_name: str) -> list[str]:
    """Columns the contract declares for ``object_name``, in document order."""
    for obj in raw_contract.get("schema") or []:
        if str(obj.get("name") or "") == object_name:
            return [column_of(p) for p in obj.get("properties") or []]
    return []


def time_element(raw_contract: dict[str, Any]) -> tuple[str, str] | None:
    """(object, column) of the contract's freshness element, used to cut data off at a date."""
    objects = [o for o in raw_contract.get("schema") or [] if isinstance(o, dict)]
    for sla in raw_contract.get("slaProperties") or []:
        if str(sla.get("property") or "").lower() == "freshness":
            element = str(sla.get("element") or raw_contract.get("slaDefaultElement") or "")
            obj, col = _resolve_element(element, objects)
            if col:
                return obj, col
    return None


SNAPSHOT_PROPERTY = "historicalSnapshot"
"""Contract ``customProperties`` entry saying the data is a frozen historical snapshot that is
not updated any more; its ``value`` is the last day the data covers, e.g. ``2013-12-31``.
ODCS v3.1 has no field for this, so it is a custom property."""


def snapshot_end(raw_contract: dict[str, Any]) -> dt.datetime | None:
    """The last second a frozen historical snapshot covers (naive UTC), None when the contract
    does not declare one (see :data:`SNAPSHOT_PROPERTY`) or its date cannot be read.

    Args:
        raw_contract: the ODCS document as parsed.
    """
    for prop in raw_contract.get("customProperties") or []:
        if isinstance(prop, dict) and str(prop.get("property") or "") == SNAPSHOT_PROPERTY:
            try:
                day = dt.date.fromisoformat(str(prop.get("value") or "")[:10])
            except ValueError:
                return None
            return dt.datetime.combine(day, dt.time(23, 59, 59))
    return None

