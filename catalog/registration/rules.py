"""Quality rules suggested from a profile, in plain words, and their ODCS form.

Suggestions (ODCS v3.1 §data-quality; dimensions from the standard's enum):

- **not null** (``metric: nullValues, mustBe: 0``, completeness) for columns the data fills in
  every row, unless the schema step already marks them required (or part of the key);
- **unique** (``metric: duplicateValues, mustBe: 0``, uniqueness) for key-like columns: whole
  numbers or text, no nulls, every value different (counted exactly);
- **accepted values** (``metric: invalidValues`` with ``arguments.validValues``, conformity)
  for text columns with a few distinct values;
- **range** (an ``sql`` rule counting values outside the observed minimum and maximum,
  conformity) for numbers, dates and timestamps;
- **row-count floor** (``metric: rowCount, mustBeGreaterOrEqualTo``, completeness) on the
  table: 90% of today's rows, rounded down to two significant digits.

Accepted values and ranges start as warnings (new data may legitimately widen them); the
others as errors. Every rule keeps a stable id, so history lines up across runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from catalog.quality.kinds import Target, read_rule, rule_sentence
from catalog.registration.forms import PropertyForm, RuleForm, RuleKind
from catalog.registration.profile import Profile, display
from catalog.sql import quote_literal

_DIMENSION = {RuleKind.NOT_NULL: "completeness", RuleKind.UNIQUE: "uniqueness",
              RuleKind.ACCEPTED_VALUES: "conformity", RuleKind.RANGE: "conformity",
              RuleKind.ROW_COUNT: "completeness"}
_SUFFIX = {RuleKind.NOT_NULL: "not-null", RuleKind.UNIQUE: "unique",
           RuleKind.ACCEPTED_VALUES: "accepted-values", RuleKind.RANGE: "range",
           RuleKind.ROW_COUNT: "row-count"}
_RANGE_TYPES = {"integer", "number", "date", "timestamp"}


def rule_id(product_name: str, kind: RuleKind, column: str | None = None) -> str:
    """Stable rule id ``<product>-<column>-<kind>`` in the demo mesh's style (ODCS StableId:
    letters, digits, ``-`` and ``_``)."""
    parts = [product_name, column, _SUFFIX[kind]] if column else [product_name, _SUFFIX[kind]]
    return re.sub(r"[^A-Za-z0-9-]+", "-", "-".join(parts).replace("_", "-")).strip("-")


def row_floor(rows: int) -> int:
    """90% of ``rows``, rounded down to two significant digits (at least 1)."""
    target = int(rows * 0.9)
    if target < 1:
        return 1
    scale = 10 ** max(0, int(math.log10(target)) - 1)
    return max(1, target // scale * scale)


def _maker(product_name: str, column: str):  # type: ignore[no-untyped-def]
    def make(kind: RuleKind, severity: str = "error", **extra: Any) -> RuleForm:
        """A rule of ``kind`` on the column."""
        return RuleForm(id=rule_id(product_name, kind, column), kind=kind, property=column,
                        severity=severity, **extra)
    return make


def suggest(profile: Profile, properties: list[PropertyForm], product_name: str
            ) -> list[RuleForm]:
    """Rules the data supports today, from its profile and the schema step's choices.

    Args:
        profile: the source's profile (columns under their source names).
        properties: the schema step's properties (renames, required/unique flags).
        product_name: used in rule ids.

    Returns:
        Rules in column order, then the row-count floor; all switched on.
    """
    rules: list[RuleForm] = []
    for prop in properties:
        try:
            col = profile.column(prop.source_name)
        except KeyError:
            continue
        make = _maker(product_name, prop.name)
        if profile.rows and col.nulls == 0 and not (prop.required or prop.primary_key):
            rules.append(make(RuleKind.NOT_NULL))
        if col.distinct_exact and col.distinct == profile.rows > 1 and col.nulls == 0 \
                and col.logical_type in {"integer", "string"} and not (prop.unique
                                                                       or prop.primary_key):
            rules.append(make(RuleKind.UNIQUE))
        if col.values and len(col.values) > 1 and profile.rows >= 4 * len(col.values):
            rules.append(make(RuleKind.ACCEPTED_VALUES, "warning", values=list(col.values)))
        if col.logical_type in _RANGE_TYPES and col.minimum is not None \
                and col.maximum is not None and col.minimum != col.maximum:
            rules.append(make(RuleKind.RANGE, "warning", minimum=display(col.minimum),
                              maximum=display(col.maximum)))
    if profile.rows:
        rules.append(RuleForm(id=rule_id(product_name, RuleKind.ROW_COUNT),
                              kind=RuleKind.ROW_COUNT, min_rows=row_floor(profile.rows)))
    return rules


def _listing(values: list[str], limit: int = 6) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def sentence(rule: RuleForm, properties: Iterable[PropertyForm] = ()) -> str:
    """The rule in plain words, exactly as the contract, the Quality tab and the product's
    documentation will say it once published (its rule kind's sentence,
    :mod:`catalog.quality.kinds`), e.g. "No missing values in amount".

    Args:
        rule: the rule.
        properties: the form's properties; a published property's ``businessName`` (carried
            into a new version) names the column as the published contract does.
    """
    entry = dict(rule.raw or {}) if rule.kind == RuleKind.KEPT else _checked(rule)
    business = next((str(p.carried.get("businessName") or "") for p in properties
                     if p.name == rule.property), "")
    return rule_sentence(read_rule(entry), Target("", rule.property, business or None))


def _checked(rule: RuleForm) -> dict[str, Any]:
    """What a new rule checks, as an ODCS quality entry: no id, dimension or severity, and a
    range (an ``sql`` rule) said by its description rather than its query."""
    if rule.kind == RuleKind.NOT_NULL:
        return {"metric": "nullValues", "mustBe": 0}
    if rule.kind == RuleKind.UNIQUE:
        return {"metric": "duplicateValues", "mustBe": 0}
    if rule.kind == RuleKind.ACCEPTED_VALUES:
        return {"metric": "invalidValues",
                "arguments": {"validValues": [v for v in rule.values if v.strip()]}, "mustBe": 0}
    if rule.kind == RuleKind.ROW_COUNT:
        return {"metric": "rowCount", "mustBeGreaterOrEqualTo": int(rule.min_rows)}
    words = f"{rule.property or 'the table'} lies between {rule.minimum} and {rule.maximum}"
    return {"type": "sql", "mustBe": 0, "description": words}


def _range_literal(value: Any, logical: str) -> str:
    """A range bound as a SQL literal of the column's type.

    Raises:
        ValueError: the value is not a number / date / date and time as the type needs.
    """
    text = str(value).strip()
    if logical == "integer":
        return str(int(text))
    if logical == "number":
        parsed = float(text)
        if not math.isfinite(parsed):
            raise ValueError(text)
        return repr(parsed)
    if logical == "date":
        return f"DATE {quote_literal(dt.date.fromisoformat(text).isoformat())}"
    moment = dt.datetime.fromisoformat(text)
    kind = "TIMESTAMPTZ" if moment.tzinfo is not None else "TIMESTAMP"
    return f"{kind} {quote_literal(moment.isoformat(sep=' '))}"


def rule_problems(rule: RuleForm, logical: str | None) -> list[str]:
    """What is wrong with an edited rule (empty when it can be written).

    Args:
        rule: the rule as edited.
        logical: the logical type of its column (None for table rules).
    """
    if not rule.enabled or rule.kind == RuleKind.KEPT:
        return []
    if rule.kind == RuleKind.ACCEPTED_VALUES and not [v for v in rule.values if v.strip()]:
        return [f"{rule.id}: list at least one accepted value, or switch the rule off."]
    if rule.kind == RuleKind.ROW_COUNT and rule.min_rows < 0:
        return [f"{rule.id}: the row count floor cannot be negative."]
    if rule.kind == RuleKind.RANGE:
        try:
            low = _range_literal(rule.minimum, logical or "number")
            high = _range_literal(rule.maximum, logical or "number")
        except (TypeError, ValueError):
            what = {"date": "dates such as 2013-01-31",
                    "timestamp": "dates and times such as 2013-01-31 08:00"}.get(
                        logical or "", "numbers")
            return [f"{rule.id}: the lowest and highest values must be {what}."]
        if logical in {"integer", "number"} and float(low) > float(high):
            return [f"{rule.id}: the lowest value is above the highest."]
    return []


def to_odcs(rule: RuleForm, logical: str | None = None) -> dict[str, Any]:
    """The ODCS v3.1 quality entry of a rule (``rule.raw`` unchanged for carried-over rules).

    Args:
        rule: a rule without :func:`rule_problems`.
        logical: the logical type of its column (ranges need it).
    """
    if rule.kind == RuleKind.KEPT:
        return dict(rule.raw or {})
    entry: dict[str, Any] = {"id": rule.id}
    if rule.kind == RuleKind.RANGE:
        low = _range_literal(rule.minimum, logical or "number")
        high = _range_literal(rule.maximum, logical or "number")
        entry.update(type="sql", query=f"SELECT COUNT(*) FROM {{object}} WHERE {{property}} < "
                                       f"{low} OR {{property}} > {high}", mustBe=0)
    else:
        entry.update(_checked(rule))
    entry.update(dimension=_DIMENSION[rule.kind], severity=rule.severity,
                 description=sentence(rule))
    return entry


def from_odcs(entry: dict[str, Any], prop: str | None) -> RuleForm:
    """A published quality entry as a rule carried over unchanged (for a new version)."""
    digest = hashlib.sha1(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()
    return RuleForm(id=str(entry.get("id") or f"kept-{digest[:10]}"),
                    kind=RuleKind.KEPT, property=prop,
                    severity=str(entry.get("severity") or "error"), raw=dict(entry))
