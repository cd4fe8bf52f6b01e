"""Compare two versions of an ODCS v3 data contract: every change, breaking or not, and the
semantic-version bump they need. Pure functions over the raw documents (dicts as parsed from
YAML); nothing is read or written.

Public API (stable; the registration wizard's "new version" step and ``python -m catalog
diff`` use it)::

    result = diff_contracts(old_doc, new_doc)
    result.changes    # tuple[Change, ...], breaking first
    result.breaking   # bool
    result.bump       # "major" | "minor" | "patch" | "none"
    next_version("1.4.2", result.bump)

Classification. One principle, the "validation view" of datacontract-cli's breaking-change
rules (``datacontract/breaking/rules.py``; the ``breaking``/``changelog`` commands in its
CHANGELOG): a change is **breaking** when something a consumer reads disappears or moves, or
when data that satisfied the old contract may not satisfy the new one; it is **non-breaking**
when every value valid before is still valid. ODCS's ``version`` is the contract's own version
("Current version of the data contract", ODCS v3 §fundamentals) and prescribes no scheme; the
mesh applies Semantic Versioning 2.0.0 (https://semver.org/ §6-§8) to it:

=========  ========================================================================
bump       changes
=========  ========================================================================
major      object or property removed; ``id`` changed; ``physicalName`` changed;
           ``logicalType``/``physicalType`` changed (not a widening); a property newly
           ``required``, ``unique`` or part of the ``primaryKey``; a new required
           property; a tighter bound (``minLength`` up, ``maxLength`` down, ``minimum``
           up, ``maximum`` down), a new or changed ``pattern``/``format``; fewer
           ``enum`` values or a new ``enum``; a more sensitive ``classification`` or a
           new PII flag; a new quality rule of severity ``error``; a stricter threshold,
           fewer ``validValues``, a severity raised to ``error``; a rule that now checks
           something else; a shorter freshness/latency, higher availability, longer
           retention; a new freshness or retention promise; a server or role removed or
           a server moved (type, host, database, schema, path…)
minor      object or optional property added; a type widened (integer → number,
           ``INTEGER`` → ``BIGINT``, ``VARCHAR(32)`` → ``VARCHAR(64)``, see
           :mod:`catalog.contracts.constraints`); a constraint, enum, threshold or SLA
           loosened or removed; a quality rule of severity ``warning`` added; a server,
           role or other SLA promise added
patch      documentation only: descriptions, business names, tags, examples, links
           (``authoritativeDefinitions``), custom properties, team, support, status
none       identical apart from ``version`` and ``contractCreatedTs``
=========  ========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalog.contracts.constraints import (
    enum_changes,
    flag_changes,
    option_changes,
    sensitivity_changes,
    type_changes,
)
from catalog.contracts.model import Change, ContractDiff, change
from catalog.contracts.rules import rule_changes
from catalog.contracts.semver import BUMPS, Bump, next_version
from catalog.contracts.sla import sla_changes

__all__ = ["BUMPS", "Bump", "Change", "ContractDiff", "diff_contracts", "next_version"]

_IGNORED = {"version", "contractCreatedTs"}
_SERVER_LOCATION = {"type", "host", "port", "database", "schema", "catalog", "dataset",
                    "project", "account", "location", "path", "format", "delimiter", "topic",
                    "endpointUrl", "warehouse", "serviceName", "driver", "stagingDir"}
_PROPERTY_HANDLED = {"name", "logicalType", "physicalType", "required", "unique", "primaryKey",
                     "logicalTypeOptions", "enum", "classification", "quality", "properties",
                     "items", "physicalName"}
_OBJECT_HANDLED = {"name", "properties", "quality", "physicalName"}


def _named(items: Any, key: str = "name") -> dict[str, dict[str, Any]]:
    """List entries by name (an unnamed entry by its position, ``#1``)."""
    out: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(items or []):
        if isinstance(item, dict):
            out[str(item.get(key) or f"#{index + 1}")] = item
    return out


def _fields(path: str, old: dict[str, Any], new: dict[str, Any], skip: set[str]
            ) -> list[Change]:
    """Documentation-level differences of the keys not in ``skip`` (patch), nested mappings
    compared key by key."""
    out: list[Change] = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in skip or old.get(key) == new.get(key):
            continue
        a, b = old.get(key), new.get(key)
        where = f"{path}.{key}" if path else key
        if isinstance(a, dict) and isinstance(b, dict):
            out += _fields(where, a, b, set())
            continue
        verb = "added" if a is None else "removed" if b is None else "changed"
        out.append(change("documentation-changed", where, a, b, "patch", f"{where} {verb}"))
    return out


def _renamed(path: str, old: dict[str, Any], new: dict[str, Any], what: str) -> list[Change]:
    """A changed ``physicalName``: the stored table or column has another name (major)."""
    a, b = old.get("physicalName"), new.get("physicalName")
    if a == b:
        return []
    return [change("physical-name-changed", f"{path}.physicalName", a, b, "major",
                   f"{path}: stored {what} renamed from {a} to {b}")]


def _property_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = _renamed(path, old, new, "column")
    for field in ("logicalType", "physicalType"):
        out += type_changes(path, field, old.get(field), new.get(field))
    out += flag_changes(path, old, new)
    out += option_changes(path, old.get("logicalTypeOptions"), new.get("logicalTypeOptions"))
    out += enum_changes(path, old.get("enum"), new.get("enum"))
    out += sensitivity_changes(path, old, new)
    out += rule_changes(path, old.get("quality"), new.get("quality"))
    out += _properties(path, old.get("properties"), new.get("properties"))
    old_items, new_items = old.get("items"), new.get("items")
    if isinstance(old_items, dict) and isinstance(new_items, dict):
        out += _property_changes(f"{path}.items", old_items, new_items)
    elif old_items != new_items:
        out.append(change("type-changed", f"{path}.items", old_items, new_items, "major",
                          f"{path}: the type of the array's items changed"))
    skip = _PROPERTY_HANDLED | {"customProperties"} if _only_pii_differs(old, new) \
        else _PROPERTY_HANDLED
    return out + _fields(path, old, new, skip)


def _custom_without_pii(doc: dict[str, Any]) -> list[Any]:
    return [p for p in doc.get("customProperties") or []
            if not (isinstance(p, dict) and p.get("property") == "pii")]


def _only_pii_differs(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when the custom properties differ only in the ``pii`` entry (reported already)."""
    return _custom_without_pii(old) == _custom_without_pii(new)


def _properties(path: str, old: Any, new: Any) -> list[Change]:
    before, after = _named(old), _named(new)
    out: list[Change] = []
    for name, prop in after.items():
        where = f"{path}.{name}"
        if name in before:
            out += _property_changes(where, before[name], prop)
        elif prop.get("required") or prop.get("primaryKey"):
            out.append(change("property-added", where, None, prop, "major",
                              f"New required property {where}; existing data does not have it"))
        else:
            out.append(change("property-added", where, None, prop, "minor",
                              f"New optional property {where}"))
    for name, prop in before.items():
        if name not in after:
            where = f"{path}.{name}"
            out.append(change("property-removed", where, prop, None, "major",
                              f"Property {where} was removed; consumers reading it break"))
    return out


def _object_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = _renamed(path, old, new, "table")
    out += _properties(path, old.get("properties"), new.get("properties"))
    out += rule_changes(path, old.get("quality"), new.get("quality"))
    return out + _fields(path, old, new, _OBJECT_HANDLED)


def _server_changes(where: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    moved = sorted(k for k in _SERVER_LOCATION if old.get(k) != new.get(k))
    if moved:
        out.append(change("server-moved", where, old, new, "major",
                          f"{where} moved ({', '.join(moved)} changed); consumers' "
                          "connections break"))
    return out + _fields(where, old, new, _SERVER_LOCATION | {"server"})


@dataclass(frozen=True)
class _Section:
    """A list of named entries of the contract compared entry by entry."""

    key: str
    name_key: str
    kind: str
    noun: str
    why_removed: str
    compare: Callable[[str, dict[str, Any], dict[str, Any]], list[Change]]


_SECTIONS = (
    _Section("schema", "name", "object", "schema object", "consumers reading it break",
             _object_changes),
    _Section("servers", "server", "server", "server", "consumers reading there break",
             _server_changes),
    _Section("roles", "role", "role", "role", "consumers granted access through it lose it",
             lambda where, a, b: _fields(where, a, b, {"role"})),
)


def _section(spec: _Section, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = _named(old.get(spec.key), spec.name_key)
    after = _named(new.get(spec.key), spec.name_key)
    out: list[Change] = []
    for name, item in after.items():
        where = f"{spec.key}.{name}"
        if name in before:
            out += spec.compare(where, before[name], item)
        else:
            out.append(change(f"{spec.kind}-added", where, None, item, "minor",
                              f"New {spec.noun} {name}"))
    for name, item in before.items():
        if name not in after:
            out.append(change(f"{spec.kind}-removed", f"{spec.key}.{name}", item, None, "major",
                              f"{spec.noun.capitalize()} {name} was removed; {spec.why_removed}"))
    return out


def diff_contracts(old: dict[str, Any], new: dict[str, Any]) -> ContractDiff:
    """Every change from ``old`` to ``new`` and the version bump it needs.

    Args:
        old: the current contract document (ODCS v3.0-v3.2, a dict as parsed from YAML; it
            should have passed validation, but any mapping is accepted).
        new: the proposed next version of the same contract.

    Returns:
        A :class:`ContractDiff`: ``changes`` ordered breaking first, then minor, then patch
        (document order inside each group); ``breaking``; ``bump``; the two ``version``
        fields. Rules and their sources: the module docstring.
    """
    changes: list[Change] = []
    if old.get("id") != new.get("id"):
        changes.append(change("id-changed", "id", old.get("id"), new.get("id"), "major",
                              "The contract id changed; consumers' input ports name the old id"))
    changes += _section(_SECTIONS[0], old, new)
    changes += sla_changes(old, new)
    for spec in _SECTIONS[1:]:
        changes += _section(spec, old, new)
    skip = _IGNORED | {"id", "schema", "slaProperties", "servers", "roles"}
    changes += _fields("", old, new, skip)
    order = {"major": 0, "minor": 1, "patch": 2, "none": 3}
    changes.sort(key=lambda c: order[c.bump])
    return ContractDiff(tuple(changes), _version(old), _version(new))


def _version(doc: dict[str, Any]) -> str | None:
    value = doc.get("version")
    return None if value is None else str(value)

