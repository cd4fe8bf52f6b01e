"""Numbers and ODCS units in words: ``300000`` → "300,000", ``(1, "d")`` → "1 day".

The one place that knows the ODCS unit spellings ("d, day, days for days; y, yr, years for
years", ODCS v3.1 §service-level-agreement); :mod:`catalog.wording` and the rule kinds
(:mod:`catalog.quality.kinds`) both read them from here.
"""

from __future__ import annotations

from typing import Any

_UNITS: dict[str, tuple[str, str]] = {}
for _names, _words in (
    (("ms", "millisecond", "milliseconds"), ("millisecond", "milliseconds")),
    (("s", "sec", "second", "seconds"), ("second", "seconds")),
    (("m", "min", "minute", "minutes"), ("minute", "minutes")),
    (("h", "hr", "hour", "hours"), ("hour", "hours")),
    (("d", "day", "days"), ("day", "days")),
    (("w", "wk", "week", "weeks"), ("week", "weeks")),
    (("mo", "month", "months"), ("month", "months")),
    (("y", "yr", "year", "years"), ("year", "years")),
):
    for _name in _names:
        _UNITS[_name] = _words
PERCENT = frozenset({"percent", "%", "pct"})
"""Spellings of the percent unit."""


def time_unit(unit: str | None) -> str | None:
    """The singular English word of an ODCS time unit (``"d"`` → ``"day"``, ``"yr"`` →
    ``"year"``), or None when ``unit`` is not a time unit."""
    words = _UNITS.get((unit or "").strip().lower())
    return words[0] if words else None


def number(value: Any) -> str:
    """A number as people write it: ``300000`` → ``"300,000"``, ``99.5`` → ``"99.5"``.

    Args:
        value: an int, float or anything else (returned as ``str(value)``).

    Returns:
        The formatted text.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,g}"
    return str(value)


def quantity(value: Any, unit: str | None) -> str:
    """A value with its unit in words: ``(1, "d")`` → ``"1 day"``, ``(99.5, "%")`` → ``"99.5%"``.

    Unit names follow ODCS ("d, day, days for days; y, yr, years for years"); unknown units are
    kept as written.
    """
    text = number(value)
    if not unit:
        return text
    key = unit.strip().lower()
    if key in PERCENT:
        return f"{text}%"
    if key in _UNITS:
        singular, plural = _UNITS[key]
        return f"{text} {singular if text == '1' else plural}"
    return f"{text} {unit}"
