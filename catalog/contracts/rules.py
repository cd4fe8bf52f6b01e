"""Compare quality rules (ODCS v3.1 §data-quality) and SLA properties (ODCS v3.1
§service-level-agreement) of two contract versions.

Same principle as :mod:`catalog.contracts.constraints`: stricter is breaking, looser is not.

Quality rules are matched by ``id``, then by what they check (metric or type, query). A
rule's threshold (``mustBe``, ``mustBeLessOrEqualTo``, ``mustBeBetween``…) is read as the set
of measured values it accepts; a smaller set is ``quality-rule-tightened`` (major), a larger one
``quality-rule-loosened`` (minor), sets that do not contain each other (or a changed unit,
metric, query or engine) ``quality-rule-changed`` (major: it cannot be shown looser). A new rule
of severity ``error`` (the default, as the quality runner reads it) is breaking, a new
``warning`` rule is not (it informs, ODCS severity); raising a severity to ``error`` is
breaking. Arguments: fewer ``validValues``, more ``missingValues``, fewer ``properties`` in a
duplicate check are tighter. Removing a rule loosens the contract (minor). datacontract-cli
classifies these the same way (``QualityConstraintRule`` in ``datacontract/breaking/rules.py``).

SLA properties are matched by ``property`` and ``element``. Time-like promises (``freshness``,
``latency``, ``frequency``, ``timeToDetect``/``Notify``/``Repair``) and ``errorRate`` are
maximums: a smaller value is tighter; ``availability``, ``retention`` and ``throughput`` are
minimums: a larger value is tighter; an earlier ``endOfSupport``/``endOfLife`` is breaking.
Units are converted (``1 d`` = ``24 h``). A new ``freshness`` or ``retention`` promise is
breaking (the quality runner checks it on the data); other new promises are minor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from catalog.contracts.model import Change, change
from catalog.quality.kinds import ALIASES, OPERATOR_ALIASES, Target, read_rule, rule_sentence
from catalog.quality.model import OPERATORS

_ERROR_SEVERITIES = {"error", "critical", "blocker", "high"}
_DOC_KEYS = {"description", "dimension", "name", "businessImpact", "tags", "customProperties",
             "authoritativeDefinitions", "scheduler", "schedule", "method", "id"}
_WHAT_KEYS = ("metric", "rule", "type", "query", "engine", "implementation", "unit")


@dataclass(frozen=True)
class _Accepts:
    """The measured values a threshold accepts: an interval, or (``inside=False``) its
    complement."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    inside: bool = True

    def covers(self, other: _Accepts) -> bool:
        """True when every value ``other`` accepts is accepted here."""
        if self.inside != other.inside:
            return False
        outer, inner = (self, other) if self.inside else (other, self)
        lo_ok = outer.lo < inner.lo or (outer.lo == inner.lo and (inner.lo_open or not
                                                                   outer.lo_open))
        hi_ok = outer.hi > inner.hi or (outer.hi == inner.hi and (inner.hi_open or not
                                                                   outer.hi_open))
        return lo_ok and hi_ok


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _accepts(operator: str, value: Any) -> _Accepts | None:
    inf = math.inf
    if operator in ("mustBeBetween", "mustNotBeBetween"):
        pair = [_number(v) for v in value] if isinstance(value, list) and len(value) == 2 else []
        if len(pair) != 2 or None in pair:
            return None
        return _Accepts(pair[0], pair[1], inside=operator == "mustBeBetween")  # type: ignore[arg-type]
    v = _number(value)
    if v is None:
        return None
    return {
        "mustBe": _Accepts(v, v),
        "mustNotBe": _Accepts(v, v, inside=False),
        "mustBeGreaterThan": _Accepts(v, inf, lo_open=True),
        "mustBeGreaterOrEqualTo": _Accepts(v, inf),
        "mustBeLessThan": _Accepts(-inf, v, hi_open=True),
        "mustBeLessOrEqualTo": _Accepts(-inf, v),
    }.get(operator)


def _threshold(rule: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in rule.items():
        name = OPERATOR_ALIASES.get(key, key)
        if name in OPERATORS:
            out[name] = value
    return out


def _severity(rule: dict[str, Any]) -> str:
    return str(rule.get("severity") or "error").lower()


def _what(rule: dict[str, Any]) -> tuple[Any, ...]:
    metric = rule.get("metric") or rule.get("rule")
    metric = ALIASES.get(str(metric), metric) if metric else None
    return (metric, (rule.get("type") or "library").lower(), rule.get("query"),
            rule.get("engine"), rule.get("implementation"), rule.get("unit"))


def _label(rule: dict[str, Any], index: int) -> str:
    if rule.get("id"):
        return str(rule["id"])
    metric = rule.get("metric") or rule.get("rule") or rule.get("type") or "rule"
    return f"{metric}#{index + 1}"


def _target(path: str) -> Target:
    """What a ``quality`` list at ``path`` (``schema.<object>[.<property>]``) checks."""
    parts = path.split(".", 2)
    obj = parts[1] if len(parts) > 1 else ""
    return Target(obj, parts[2] if len(parts) > 2 else None)


def _named(rule: dict[str, Any], index: int, path: str) -> str:
    """``amount-nulls ("No missing values in amount")``: the rule's label and its kind's
    sentence (:mod:`catalog.quality.kinds`), as the contract tab says it."""
    return f'{_label(rule, index)} ("{rule_sentence(read_rule(rule), _target(path))}")'


def match_rules(old: list[Any], new: list[Any]
                ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair the rules of two versions: by ``id``, then by what they check, in order.

    Returns:
        ``(pairs of (old index, new index), unmatched old indexes, unmatched new indexes)``.
    """
    olds = [r if isinstance(r, dict) else {} for r in old]
    news = [r if isinstance(r, dict) else {} for r in new]
    pairs: list[tuple[int, int]] = []
    free_new = list(range(len(news)))
    free_old = []
    by_id = {str(r["id"]): j for j, r in enumerate(news) if r.get("id")}
    for i, rule in enumerate(olds):
        j = by_id.get(str(rule.get("id"))) if rule.get("id") else None
        if j is not None and j in free_new:
            pairs.append((i, j))
            free_new.remove(j)
        else:
            free_old.append(i)
    for i in list(free_old):
        if olds[i].get("id"):
            continue
        j = next((j for j in free_new if not news[j].get("id")
                  and _what(news[j]) == _what(olds[i])), None)
        if j is not None:
            pairs.append((i, j))
            free_new.remove(j)
            free_old.remove(i)
    return sorted(pairs), free_old, free_new


def _threshold_change(where: str, label: str, old: dict[str, Any], new: dict[str, Any]
                      ) -> list[Change]:
    a, b = _threshold(old), _threshold(new)
    if a == b:
        return []
    sets_a = [_accepts(k, v) for k, v in a.items()]
    sets_b = [_accepts(k, v) for k, v in b.items()]
    if len(sets_a) == 1 and len(sets_b) == 1 and sets_a[0] and sets_b[0]:
        if sets_a[0].covers(sets_b[0]):
            return [change("quality-rule-tightened", where, a, b, "major",
                           f"Quality rule {label} tightened from {a} to {b}")]
        if sets_b[0].covers(sets_a[0]):
            return [change("quality-rule-loosened", where, a, b, "minor",
                           f"Quality rule {label} loosened from {a} to {b}")]
    return [change("quality-rule-changed", where, a, b, "major",
                   f"Quality rule {label}: threshold changed from {a} to {b}")]


def _list_argument(where: str, label: str, key: str, a: Any, b: Any) -> Change:
    """One changed rule argument. Lists whose direction is known: fewer ``validValues`` (or a
    list where there was none) and fewer ``properties`` in a uniqueness combination are
    stricter, more ``missingValues`` (values counted as missing) are stricter."""
    path = f"{where}.arguments.{key}"
    changed = change("quality-rule-changed", path, a, b, "major",
                     f"Quality rule {label}: {key} changed from {a} to {b}")
    if key not in ("validValues", "missingValues", "properties"):
        return changed
    if not all(isinstance(v, list) or v is None for v in (a, b)):
        return changed
    before, after = list(a or []), list(b or [])
    if key != "missingValues" and not (before and after):
        if key == "properties":
            return changed
        tighter, looser = bool(after), bool(before)
    else:
        dropped = any(v not in after for v in before)
        gained = any(v not in before for v in after)
        tighter, looser = (gained, dropped) if key == "missingValues" else (dropped, gained)
    if tighter and looser:
        return changed
    if tighter:
        return change("quality-rule-tightened", path, a, b, "major",
                      f"Quality rule {label}: {key} changed from {a} to {b} (stricter)")
    return change("quality-rule-loosened", path, a, b, "minor",
                  f"Quality rule {label}: {key} changed from {a} to {b} (looser)")


def _argument_changes(where: str, label: str, old: dict[str, Any], new: dict[str, Any]
                      ) -> list[Change]:
    a, b = old.get("arguments") or {}, new.get("arguments") or {}
    out = []
    for key in [*a, *(k for k in b if k not in a)]:
        if a.get(key) != b.get(key):
            out.append(_list_argument(where, label, key, a.get(key), b.get(key)))
    return out


def _matched_rule_changes(where: str, label: str, old: dict[str, Any], new: dict[str, Any]
                          ) -> list[Change]:
    if _what(old) != _what(new):
        return [change("quality-rule-changed", where, old, new, "major",
                       f"Quality rule {label} now checks something else "
                       "(metric, type, query, engine or unit changed)")]
    out = _threshold_change(where, label, old, new) + _argument_changes(where, label, old, new)
    a, b = _severity(old), _severity(new)
    if (a in _ERROR_SEVERITIES) != (b in _ERROR_SEVERITIES):
        raised = b in _ERROR_SEVERITIES
        out.append(change("quality-rule-tightened" if raised else "quality-rule-loosened",
                          f"{where}.severity", old.get("severity"), new.get("severity"),
                          "major" if raised else "minor",
                          f"Quality rule {label}: severity changed from {a} to {b}"))
    handled = {*_WHAT_KEYS, *OPERATORS, *OPERATOR_ALIASES, "arguments", "severity"}
    for key in [*old, *(k for k in new if k not in old)]:
        if key in handled or old.get(key) == new.get(key):
            continue
        doc = key in _DOC_KEYS
        out.append(change("documentation-changed" if doc else "quality-rule-changed",
                          f"{where}.{key}", old.get(key), new.get(key),
                          "patch" if doc else "major", f"Quality rule {label}: {key} changed"))
    return out


def rule_changes(path: str, old: Any, new: Any) -> list[Change]:
    """Compare two ``quality`` lists (of a property or a schema object).

    Args:
        path: the owner's path, e.g. ``schema.orders.status`` or ``schema.orders``.
        old: the old ``quality`` list (or None).
        new: the new one.

    Returns:
        The changes, in the order of the new list's rules then removed ones.
    """
    olds, news = list(old or []), list(new or [])
    pairs, removed, added = match_rules(olds, news)
    out: list[Change] = []
    for i, j in pairs:
        label = _label(news[j], j)
        out += _matched_rule_changes(f"{path}.quality[{label}]", _named(news[j], j, path),
                                     olds[i], news[j])
    for j in added:
        rule, label = news[j], _label(news[j], j)
        strict = _severity(rule) in _ERROR_SEVERITIES
        out.append(change("quality-rule-added", f"{path}.quality[{label}]", None, rule,
                          "major" if strict else "minor",
                          f"New quality rule {_named(rule, j, path)} on {path} "
                          f"(severity {_severity(rule)})"
                          + ("; existing data may fail it" if strict else "")))
    for i in removed:
        label = _label(olds[i], i)
        out.append(change("quality-rule-removed", f"{path}.quality[{label}]", olds[i], None,
                          "minor", f"Quality rule {_named(olds[i], i, path)} on {path} removed"))
    return out
