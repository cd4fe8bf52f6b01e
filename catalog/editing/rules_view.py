"""Quality rules of a contract in the edit form's terms, and back (ODCS v3.1 §data-quality).

A rule lives in the ``quality`` list of its schema object (table rules) or of one property
(column rules). The form shows each rule that has an ``id`` as a :class:`QualityRule`: its
column, kind (a library ``metric`` or ``sql``), threshold operator and value, severity,
dimension, description and query. Rules without an ``id`` cannot be told apart between two
versions, so they are kept as published and not offered for editing.

Applying the form: a rule whose form values equal its published ones is kept as published
(every key, e.g. ``arguments`` or ``unit``, and its place); a changed rule keeps the keys the
form does not show; a new id becomes a new entry at the end of its column's (or the table's)
list; a published id missing from the form is removed.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from catalog.editing.changes import (
    DIMENSIONS,
    METRICS,
    OPERATORS,
    SEVERITIES,
    SQL_KIND,
    FieldProblem,
    QualityRule,
    scalar,
)
from catalog.quality.kinds import Target, read_rule, rule_sentence

_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_BETWEEN = ("mustBeBetween", "mustNotBeBetween")


def _kind(entry: dict[str, Any]) -> str:
    if str(entry.get("type") or "").lower() == SQL_KIND:
        return SQL_KIND
    return str(entry.get("metric") or entry.get("rule") or entry.get("type") or "")


def _threshold_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_threshold_text(v) for v in value)
    return "" if value is None else str(value)


def rule_view(entry: dict[str, Any], column: str) -> QualityRule:
    """A published quality entry as the form shows it."""
    operator = next((op for op in OPERATORS if op in entry), "")
    return QualityRule(
        id=str(entry.get("id") or ""),
        column=column,
        kind=_kind(entry),
        operator=operator,
        threshold=_threshold_text(entry.get(operator)) if operator else "",
        severity=str(entry.get("severity") or ""),
        dimension=str(entry.get("dimension") or ""),
        description=str(entry.get("description") or ""),
        query=str(entry.get("query") or ""),
    )


def _located(odcs: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(column or "", the owning mapping, entry)`` of every quality entry, in document
    order: each object's own rules, then its properties' rules."""
    out = []
    for obj in odcs.get("schema") or []:
        if not isinstance(obj, dict):
            continue
        out += [("", obj, q) for q in obj.get("quality") or [] if isinstance(q, dict)]
        for prop in obj.get("properties") or []:
            if isinstance(prop, dict):
                out += [
                    (str(prop.get("name")), prop, q)
                    for q in prop.get("quality") or []
                    if isinstance(q, dict)
                ]
    return out


def current_rules(odcs: dict[str, Any]) -> list[QualityRule]:
    """Every published rule that has an id, as the form shows it."""
    return [rule_view(entry, column) for column, _owner, entry in _located(odcs) if entry.get("id")]


def _threshold(rule: QualityRule, where: str, problems: list[FieldProblem]) -> Any:
    parts = [p for p in re.split(r"[,;]|\.\.", rule.threshold) if p.strip()]
    values = [scalar(p) for p in parts]
    if any(isinstance(v, str) for v in values):
        problems.append(FieldProblem(f"{where}.threshold", "write a number, e.g. 0."))
        return None
    if rule.operator in _BETWEEN:
        if len(values) != 2:
            problems.append(
                FieldProblem(
                    f"{where}.threshold",
                    "write the lowest and the highest value separated by a comma, e.g. 0, 100.",
                )
            )
            return None
        return values
    if len(values) != 1:
        problems.append(FieldProblem(f"{where}.threshold", "write one number, e.g. 0."))
        return None
    return values[0]


def _rule_problems(rule: QualityRule, where: str, columns: set[str]) -> list[FieldProblem]:
    out = []
    if not _ID.match(rule.id):
        out.append(FieldProblem(f"{where}.id", "use letters, digits, '-' and '_' only."))
    if rule.column and rule.column not in columns:
        out.append(FieldProblem(f"{where}.column", "the contract has no such column."))
    if rule.kind not in (*METRICS, SQL_KIND):
        out.append(FieldProblem(f"{where}.kind", f"choose one of {', '.join(METRICS)} or sql."))
    if rule.kind == SQL_KIND and not rule.query.strip():
        out.append(
            FieldProblem(
                f"{where}.query", "an sql rule needs a query counting the rows that break it."
            )
        )
    if rule.operator not in OPERATORS:
        out.append(FieldProblem(f"{where}.operator", f"choose one of {', '.join(OPERATORS)}."))
    if rule.severity not in SEVERITIES:
        out.append(FieldProblem(f"{where}.severity", "choose error or warning."))
    if rule.dimension and rule.dimension not in DIMENSIONS:
        out.append(FieldProblem(f"{where}.dimension", f"choose one of {', '.join(DIMENSIONS)}."))
    return out


def edit_rule_sentence(rule: QualityRule) -> str:
    """The rule as the form holds it, in the words of every other screen (the rule-kind
    registry's sentence, e.g. "No missing values in dest_name"); its id while the form's
    threshold cannot be read yet.

    Args:
        rule: a quality rule of the edit form.

    Returns:
        One sentence, without a final full stop.
    """
    problems: list[FieldProblem] = []
    threshold = _threshold(rule, "rule", problems) if rule.operator in OPERATORS else None
    if problems or rule.kind not in (*METRICS, SQL_KIND):
        return rule.id
    entry = _changed_entry(None, rule, threshold)
    return rule_sentence(read_rule(entry), Target("", rule.column or None))


def _changed_entry(old: dict[str, Any] | None, rule: QualityRule, threshold: Any) -> dict[str, Any]:
    """``old`` (or a new entry) changed to what the form says, other keys kept."""
    entry = copy.deepcopy(old) if old is not None else {"id": rule.id}
    before = rule_view(old, rule.column) if old is not None else None
    if before is None or before.kind != rule.kind or before.query != rule.query:
        for key in ("metric", "rule", "type", "query"):
            entry.pop(key, None)
        if rule.kind == SQL_KIND:
            entry.update(type=SQL_KIND, query=rule.query.strip())
        else:
            entry["metric"] = rule.kind
    if before is None or before.operator != rule.operator or before.threshold != rule.threshold:
        for op in OPERATORS:
            entry.pop(op, None)
        entry[rule.operator] = threshold
    for key in ("severity", "dimension", "description"):
        value = getattr(rule, key).strip()
        if before is not None and getattr(before, key) == getattr(rule, key):
            continue
        if value:
            entry[key] = value
        else:
            entry.pop(key, None)
    return entry


def apply_rules(
    odcs: dict[str, Any], rules: list[QualityRule], problems: list[FieldProblem]
) -> None:
    """Make the contract's rules (those with an id) what ``rules`` says, in place.

    Args:
        odcs: the contract (changed in place).
        rules: every rule with an id, as the form has them.
        problems: receives what is wrong, naming ``quality.<id>.<field>``.
    """
    located = _located(odcs)
    published = {str(e["id"]): (col, e) for col, _owner, e in located if e.get("id")}
    owners: dict[str, dict[str, Any]] = {}
    for obj in odcs.get("schema") or []:
        if isinstance(obj, dict):
            owners.setdefault("", obj)
            for prop in obj.get("properties") or []:
                if isinstance(prop, dict) and prop.get("name"):
                    owners.setdefault(str(prop["name"]), prop)
    columns = {c for c in owners if c}
    wanted: dict[str, tuple[str, dict[str, Any]]] = {}
    for index, rule in enumerate(rules):
        where = f"quality.{rule.id.strip() or f'#{index + 1}'}"
        rule = rule.model_copy(update={"id": rule.id.strip(), "column": rule.column.strip()})
        found = _rule_problems(rule, where, columns)
        if rule.id in wanted:
            found.append(FieldProblem(f"{where}.id", "two rules have this id."))
        threshold = _threshold(rule, where, found) if not found else None
        problems += found
        if found:
            continue
        old = published.get(rule.id)
        if old is not None and old[0] == rule.column and rule_view(old[1], old[0]) == rule:
            wanted[rule.id] = (rule.column, old[1])
        else:
            wanted[rule.id] = (
                rule.column,
                _changed_entry(old[1] if old else None, rule, threshold),
            )
    _place(located, owners, wanted)


def _place(
    located: list[tuple[str, dict[str, Any], dict[str, Any]]],
    owners: dict[str, dict[str, Any]],
    wanted: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """Rewrite each owner's ``quality`` list: kept rules in place, new ones appended."""
    lists: dict[int, list[dict[str, Any]]] = {}
    holder: dict[int, dict[str, Any]] = {}
    for column, owner, entry in located:
        key = id(owner)
        holder[key] = owner
        bucket = lists.setdefault(key, [])
        rule_id = str(entry.get("id") or "")
        if not rule_id:
            bucket.append(entry)
        elif rule_id in wanted and wanted[rule_id][0] == column:
            bucket.append(wanted.pop(rule_id)[1])
    for column, entry in wanted.values():
        target = owners.get(column)
        if target is None:
            continue
        holder[id(target)] = target
        lists.setdefault(id(target), []).append(entry)
    for key, owner in holder.items():
        if lists.get(key):
            owner["quality"] = lists[key]
        else:
            owner.pop("quality", None)
