"""Compare what a property promises about its values: type, required, unique, key, bounds,
allowed values (enum), classification and personal data.

One principle (the "validation view" of datacontract-cli's breaking rules,
``datacontract/breaking/rules.py``): a change is **breaking** when data that satisfied the old
contract may not satisfy the new one (the promise got stricter, so existing data, producers and
consumers' tests may fail), and **non-breaking** when every value valid before is still valid
(the promise got looser). Sources of the fields: ODCS v3.1 §schema (``logicalType``,
``physicalType``, ``required``, ``unique``, ``primaryKey``, ``logicalTypeOptions``,
``classification``) and ODCS v3.2 ``enum`` (RFC 0033).

Type widening (decision, documented in README "Contract versions"): ``logicalType`` integer →
number and a physical type widened within its family (``INTEGER`` → ``BIGINT``, ``REAL`` →
``DOUBLE``, ``VARCHAR(32)`` → ``VARCHAR(64)`` or unbounded ``VARCHAR``, ``DECIMAL(10,2)`` →
``DECIMAL(12,2)``) are **non-breaking**: every value of the old type is a value of the new one,
exactly like a larger ``maxLength``. Any other type change is breaking.
"""

from __future__ import annotations

import re
from typing import Any

from catalog.contracts.model import Change, change
from catalog.mesh import CLASSIFICATIONS
from catalog.mesh import _is_pii as is_pii  # the one PII convention (README.md)

_LOGICAL_WIDENINGS = {("integer", "number")}
"""(old, new) logical types where every old value is a new value (ODCS logicalType)."""

_INTEGER_RANK = {"TINYINT": 1, "INT1": 1, "SMALLINT": 2, "INT2": 2, "SHORT": 2, "INTEGER": 3,
                 "INT": 3, "INT4": 3, "BIGINT": 4, "INT8": 4, "LONG": 4, "HUGEINT": 5}
_FLOAT_RANK = {"REAL": 1, "FLOAT4": 1, "FLOAT": 1, "DOUBLE": 2, "FLOAT8": 2,
               "DOUBLE PRECISION": 2}
_UNBOUNDED_TEXT = {"VARCHAR", "TEXT", "STRING", "CHARACTER VARYING"}
_PHYSICAL = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?)\s*(?:\(\s*([\d\s,]*)\))?\s*$")

_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


def _physical(text: str) -> tuple[str, tuple[int, ...]] | None:
    match = _PHYSICAL.match(text)
    if match is None:
        return None
    args = tuple(int(a) for a in (match[2] or "").replace(" ", "").split(",") if a)
    return " ".join(match[1].upper().split()), args


def _physical_widened(old: str, new: str) -> bool:
    """True when every value of physical type ``old`` fits ``new`` (same family, wider)."""
    a, b = _physical(old), _physical(new)
    if a is None or b is None:
        return False
    (old_name, old_args), (new_name, new_args) = a, b
    for ranks in (_INTEGER_RANK, _FLOAT_RANK):
        if old_name in ranks and new_name in ranks:
            return ranks[new_name] >= ranks[old_name]
    if old_name in _UNBOUNDED_TEXT and new_name in _UNBOUNDED_TEXT:
        return not new_args or (bool(old_args) and new_args[0] >= old_args[0])
    decimals = {"DECIMAL", "NUMERIC"}
    if {old_name, new_name} <= decimals and len(old_args) == 2 and len(new_args) == 2:
        return new_args[1] == old_args[1] and new_args[0] >= old_args[0]
    return False


def type_changes(path: str, field: str, old: Any, new: Any) -> list[Change]:
    """Compare ``logicalType`` or ``physicalType`` of one property.

    Args:
        path: the property's path, e.g. ``schema.orders.amount``.
        field: ``logicalType`` or ``physicalType``.
        old: the old type (``None`` when unset).
        new: the new type.

    Returns:
        No change when equal (case and spaces ignored); ``type-widened`` (minor) for a
        widening listed in the module docstring; ``type-added``/``type-removed`` (minor: a type
        newly documented, or no longer promised); else ``type-changed`` (major).
    """
    where = f"{path}.{field}"
    if old == new or (old is not None and new is not None
                      and " ".join(str(old).upper().split()) == " ".join(str(new).upper().split())):
        return []
    if old is None:
        return [change("type-added", where, old, new, "minor", f"{path}: {field} {new} declared")]
    if new is None:
        return [change("type-removed", where, old, new, "minor",
                       f"{path}: {field} {old} is no longer promised")]
    widened = ((str(old).lower(), str(new).lower()) in _LOGICAL_WIDENINGS
               if field == "logicalType" else _physical_widened(str(old), str(new)))
    if widened:
        return [change("type-widened", where, old, new, "minor",
                       f"{path}: {field} widened from {old} to {new}; every old value is still "
                       "valid (consumers that parse the narrower type should check)")]
    return [change("type-changed", where, old, new, "major",
                   f"{path}: {field} changed from {old} to {new}")]


def flag_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Compare ``required``, ``unique`` and ``primaryKey``: newly true is breaking (existing data
    may hold nulls or duplicates), no longer true is a loosened promise (minor)."""
    out = []
    for field, kind, words in (("required", "required", "required"),
                               ("unique", "unique", "unique"),
                               ("primaryKey", "primary-key", "part of the primary key")):
        was, now = bool(old.get(field)), bool(new.get(field))
        if was == now:
            continue
        where = f"{path}.{field}"
        if now:
            out.append(change(f"{kind}-added", where, old.get(field), new.get(field), "major",
                              f"{path} is now {words}; existing data may not satisfy it"))
        else:
            out.append(change(f"{kind}-removed", where, old.get(field), new.get(field), "minor",
                              f"{path} is no longer {words}"))
    return out


def _comparable(value: Any) -> float | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    return text if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None


def _bound_change(path: str, key: str, old: Any, new: Any) -> Change:
    where = f"{path}.logicalTypeOptions.{key}"
    if old is None:
        return change("constraint-tightened", where, old, new, "major",
                      f"{path}: new constraint {key} = {new}")
    if new is None:
        return change("constraint-loosened", where, old, new, "minor",
                      f"{path}: constraint {key} removed")
    if isinstance(old, bool) or isinstance(new, bool):  # exclusiveMinimum: true (flag form)
        tighter = bool(new) and not bool(old)
    else:
        a, b = _comparable(old), _comparable(new)
        if a is None or b is None or type(a) is not type(b):
            return change("constraint-changed", where, old, new, "major",
                          f"{path}: {key} changed from {old} to {new}")
        tighter = b > a if key in _LOWER_BOUNDS else b < a  # type: ignore[operator]
    if tighter:
        return change("constraint-tightened", where, old, new, "major",
                      f"{path}: {key} tightened from {old} to {new}")
    return change("constraint-loosened", where, old, new, "minor",
                  f"{path}: {key} loosened from {old} to {new}")


def option_changes(path: str, old: dict[str, Any] | None, new: dict[str, Any] | None
                   ) -> list[Change]:
    """Compare ``logicalTypeOptions`` (ODCS v3.1 §logical-type-options).

    Bounds: a larger minimum/minLength/minItems or a smaller maximum/maxLength/maxItems is
    tightened (major), the reverse loosened (minor); a new bound is tightened, a removed one
    loosened. Other options (``pattern``, ``format``, ``timezone``…) constrain or reinterpret
    values in ways that cannot be ordered: added or changed is ``constraint-changed`` (major),
    removed is loosened (minor).
    """
    old, new = old or {}, new or {}
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key in _LOWER_BOUNDS or key in _UPPER_BOUNDS:
            out.append(_bound_change(path, key, a, b))
        elif b is None:
            out.append(change("constraint-loosened", f"{path}.logicalTypeOptions.{key}", a, b,
                              "minor", f"{path}: constraint {key} removed"))
        else:
            out.append(change("constraint-changed", f"{path}.logicalTypeOptions.{key}", a, b,
                              "major", f"{path}: {key} changed from {a} to {b}"))
    return out


def _enum_values(enum: Any) -> list[Any]:
    return [e.get("value") if isinstance(e, dict) else e for e in enum or []]


def enum_changes(path: str, old: Any, new: Any) -> list[Change]:
    """Compare the allowed values (ODCS v3.2 ``enum: [{value, label, …}]``).

    A value removed, or an enum newly introduced, is ``enum-narrowed`` (major); values only
    added, or the enum dropped, is ``enum-widened`` (minor); labels and descriptions only are
    ``documentation-changed`` (patch).
    """
    if old == new:
        return []
    where = f"{path}.enum"
    before, after = _enum_values(old), _enum_values(new)
    if not before and after:
        return [change("enum-narrowed", where, before, after, "major",
                       f"{path}: values now restricted to {after}")]
    if before and not after:
        return [change("enum-widened", where, before, after, "minor",
                       f"{path}: values are no longer restricted")]
    removed = [v for v in before if v not in after]
    added = [v for v in after if v not in before]
    if removed:
        return [change("enum-narrowed", where, before, after, "major",
                       f"{path}: allowed values {removed} removed")]
    if added:
        return [change("enum-widened", where, before, after, "minor",
                       f"{path}: allowed values {added} added")]
    return [change("documentation-changed", where, old, new, "patch",
                   f"{path}: labels or descriptions of allowed values changed")]


def _rank(classification: Any) -> int:
    text = str(classification or "").lower()
    return CLASSIFICATIONS.index(text) if text in CLASSIFICATIONS else -1


def sensitivity_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Compare ``classification`` (public < internal < confidential < restricted) and the PII
    flag (``customProperties: [{property: pii, value: true}]``).

    A more sensitive classification, or a property newly flagged as personal data, is breaking:
    consumers may lose access or need approval. Less sensitive is a minor change; a first
    classification of public or internal is documentation (patch).
    """
    out = []
    a, b = old.get("classification"), new.get("classification")
    if a != b:
        where = f"{path}.classification"
        ra, rb = _rank(a), _rank(b)
        if rb > ra and (a is not None or rb >= CLASSIFICATIONS.index("confidential")):
            out.append(change("classification-raised", where, a, b, "major",
                              f"{path}: classification raised from {a or 'unclassified'} to {b}; "
                              "consumers may lose access"))
        elif rb < ra and b is not None:
            out.append(change("classification-lowered", where, a, b, "minor",
                              f"{path}: classification lowered from {a} to {b}"))
        else:
            out.append(change("documentation-changed", where, a, b, "patch",
                              f"{path}: classification set from {a or 'unclassified'} to "
                              f"{b or 'unclassified'}"))
    was, now = is_pii(old.get("customProperties")), is_pii(new.get("customProperties"))
    if now and not was:
        out.append(change("pii-added", f"{path}.pii", was, now, "major",
                          f"{path} is now flagged as personal data; access may need approval"))
    elif was and not now:
        out.append(change("pii-removed", f"{path}.pii", was, now, "minor",
                          f"{path} is no longer flagged as personal data"))
    return out
