"""Compare the SLA properties of two contract versions (ODCS v3.1 §service-level-agreement).

Entries are matched by ``property`` (case-insensitive) and ``element`` (or the contract's
``slaDefaultElement``). Directions, "stricter is breaking" as for quality rules:

- maximums (a smaller value promises more): ``freshness``, ``latency``, ``frequency``,
  ``timeToDetect``, ``timeToNotify``, ``timeToRepair``, ``errorRate``;
- minimums (a larger value promises more): ``availability``, ``retention``, ``throughput``;
- dates: an earlier ``endOfSupport`` or ``endOfLife`` is breaking, a later one minor;
  ``generalAvailability`` is documentation;
- any other property whose value changes: ``sla-changed`` (major, it cannot be ordered).

Time units are converted to seconds before comparing (ODCS units: ``d``/``day``/``days``,
``y``/``yr``/``years``…; ``1 d`` equals ``24 h``). A new ``freshness`` or ``retention`` promise
is breaking because the quality runner checks it on the data (severity ``error`` by default);
other new promises are minor. A removed promise is minor (looser).
"""

from __future__ import annotations

from typing import Any

from catalog.contracts.model import Change, change
from catalog.wording import time_unit

_SECONDS = {"millisecond": 0.001, "second": 1.0, "minute": 60.0, "hour": 3600.0,
            "day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0, "year": 365 * 86400.0}
"""Seconds per time unit (a month counted as 30 days, a year as 365) for comparisons only."""

_MAXIMUMS = {"freshness", "latency", "frequency", "timetodetect", "timetonotify",
             "timetorepair", "errorrate"}
_MINIMUMS = {"availability", "retention", "throughput"}
_DEADLINES = {"endofsupport", "endoflife"}
_CHECKED = {"freshness", "retention"}
_DOC_KEYS = {"description", "id", "scheduler", "schedule", "driver"}


def _key(entry: dict[str, Any], default_element: Any) -> tuple[str, str]:
    return (str(entry.get("property") or "").lower(),
            str(entry.get("element") or default_element or ""))


def _label(entry: dict[str, Any], default_element: Any) -> str:
    name, element = str(entry.get("property") or "?"), entry.get("element") or default_element
    return f"{name} ({element})" if element else name


def _amount(entry: dict[str, Any], field: str = "value") -> tuple[float, str] | None:
    """(comparable number, unit family) of an SLA value, or None when not a number."""
    value = entry.get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    unit = str(entry.get("unit") or "").strip().lower()
    word = time_unit(unit)
    if word is not None:
        return float(value) * _SECONDS[word], "time"
    return float(value), unit


def _text(entry: dict[str, Any]) -> str:
    unit = f" {entry['unit']}" if entry.get("unit") else ""
    ext = f" to {entry['valueExt']}" if entry.get("valueExt") not in (None, "") else ""
    return f"{entry.get('value')}{ext}{unit}"


def _value_change(where: str, label: str, old: dict[str, Any], new: dict[str, Any]
                  ) -> list[Change]:
    fields = ("value", "valueExt", "unit")
    if all(old.get(f) == new.get(f) for f in fields):
        return []
    name = str(new.get("property") or "").lower()
    a, b = _text(old), _text(new)
    if name == "generalavailability":
        return [change("documentation-changed", where, a, b, "patch",
                       f"SLA {label} changed from {a} to {b}")]
    if name in _DEADLINES and old.get("unit") == new.get("unit"):
        earlier = str(new.get("value")) < str(old.get("value"))
        return [change("sla-tightened" if earlier else "sla-loosened", where, a, b,
                       "major" if earlier else "minor",
                       f"SLA {label} moved from {a} to {b}")]
    x, y = _amount(old), _amount(new)
    same_ext = old.get("valueExt") == new.get("valueExt")
    if x and y and x[1] == y[1] and same_ext and name in _MAXIMUMS | _MINIMUMS:
        tighter = y[0] < x[0] if name in _MAXIMUMS else y[0] > x[0]
        if x[0] == y[0]:
            return [change("documentation-changed", where, a, b, "patch",
                           f"SLA {label} rewritten from {a} to {b} (same promise)")]
        return [change("sla-tightened" if tighter else "sla-loosened", where, a, b,
                       "major" if tighter else "minor",
                       f"SLA {label} {'tightened' if tighter else 'loosened'} from {a} to {b}")]
    return [change("sla-changed", where, a, b, "major",
                   f"SLA {label} changed from {a} to {b}; it cannot be shown looser")]


def _entry_changes(where: str, label: str, old: dict[str, Any], new: dict[str, Any]
                   ) -> list[Change]:
    out = _value_change(where, label, old, new)
    for key in [*old, *(k for k in new if k not in old)]:
        if key in ("value", "valueExt", "unit", "property", "element"):
            continue
        if old.get(key) != new.get(key):
            strict = key == "severity"
            out.append(change("sla-changed" if strict else "documentation-changed",
                              f"{where}.{key}", old.get(key), new.get(key),
                              "major" if strict else "patch", f"SLA {label}: {key} changed"))
    return out


def sla_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Compare the ``slaProperties`` of two contract documents.

    Args:
        old: the old contract document (raw dict).
        new: the new contract document.

    Returns:
        Changes with paths ``slaProperties[<property> (<element>)]``.
    """
    olds = [e for e in old.get("slaProperties") or [] if isinstance(e, dict)]
    news = [e for e in new.get("slaProperties") or [] if isinstance(e, dict)]
    old_default, new_default = old.get("slaDefaultElement"), new.get("slaDefaultElement")
    remaining: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in olds:
        remaining.setdefault(_key(entry, old_default), []).append(entry)
    out: list[Change] = []
    for entry in news:
        label = _label(entry, new_default)
        where = f"slaProperties[{label}]"
        matches = remaining.get(_key(entry, new_default))
        if matches:
            out += _entry_changes(where, label, matches.pop(0), entry)
            continue
        checked = str(entry.get("property") or "").lower() in _CHECKED
        out.append(change("sla-added", where, None, entry, "major" if checked else "minor",
                          f"New SLA promise {label}: {_text(entry)}"
                          + ("; existing data may not meet it" if checked else "")))
    for entries in remaining.values():
        for entry in entries:
            label = _label(entry, old_default)
            out.append(change("sla-removed", f"slaProperties[{label}]", entry, None, "minor",
                              f"SLA promise {label} removed"))
    return out
