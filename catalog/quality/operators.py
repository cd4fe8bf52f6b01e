"""ODCS comparison operators and SLA time units (ODCS v3.1 §data-quality "operators", §sla).

``mustBeBetween``/``mustNotBeBetween`` take ``[low, high]`` with the bounds included in
"between" (SQL ``BETWEEN`` semantics, as datacontract-cli and Soda apply them).
"""

from __future__ import annotations

import math
from typing import Any

from catalog.quality.units import number, quantity, time_unit

SECONDS_PER_UNIT: dict[str, float] = {
    "millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600, "day": 86400,
    "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400,
}
"""Seconds per SLA time unit, keyed by the unit's word from :func:`catalog.quality.units.time_unit`
(which owns the ODCS spellings: "d, day, days for days; y, yr, years for years"); a month is
taken as 30 days and a year as 365 days."""


def is_time_unit(unit: str) -> bool:
    """True when ``unit`` is an SLA time unit (``d``, ``hours``, ``yr`` …)."""
    return time_unit(unit) is not None


_SYMBOLS = {
    "mustBe": "=", "mustNotBe": "≠", "mustBeGreaterThan": ">", "mustBeGreaterOrEqualTo": "≥",
    "mustBeLessThan": "<", "mustBeLessOrEqualTo": "≤", "mustBeBetween": "between",
    "mustNotBeBetween": "not between",
}
_WORDS = {
    "mustBe": "exactly", "mustNotBe": "anything but", "mustBeGreaterThan": "more than",
    "mustBeGreaterOrEqualTo": "at least", "mustBeLessThan": "less than",
    "mustBeLessOrEqualTo": "at most", "mustBeBetween": "between", "mustNotBeBetween":
    "outside",
}


def unit_seconds(unit: str) -> float:
    """Seconds in one ``unit`` (see :data:`SECONDS_PER_UNIT`).

    Raises:
        ValueError: unknown unit, with the accepted ones listed.
    """
    word = time_unit(unit)
    if word is None:
        raise ValueError(f"Unknown time unit '{unit}'; use one of d, h, m, s, w, mo, y.")
    return SECONDS_PER_UNIT[word]


def unit_word(unit: str, amount: float = 2) -> str:
    """``d`` → ``days`` (``day`` when ``amount`` is 1); unknown units are returned as given."""
    word = time_unit(unit)
    if word is None:
        return unit
    return word if amount == 1 else word + "s"


def _pair(threshold: Any) -> tuple[float, float]:
    if not isinstance(threshold, list | tuple) or len(threshold) != 2:
        raise ValueError(f"The operator needs two numbers [low, high], got {threshold!r}.")
    low, high = float(threshold[0]), float(threshold[1])
    return min(low, high), max(low, high)


def meets(operator: str, observed: float, threshold: Any) -> bool:
    """True when ``observed`` satisfies ``operator`` ``threshold``.

    Equality on fractional values (percentages) allows a relative error of 1e-9.

    Raises:
        ValueError: unknown operator or a threshold of the wrong shape.
    """
    if operator in {"mustBeBetween", "mustNotBeBetween"}:
        low, high = _pair(threshold)
        inside = low <= observed <= high
        return inside if operator == "mustBeBetween" else not inside
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"The threshold {threshold!r} is not a number.") from None
    equal = math.isclose(observed, value, rel_tol=1e-9, abs_tol=1e-12)
    result = {
        "mustBe": equal,
        "mustNotBe": not equal,
        "mustBeGreaterThan": observed > value and not equal,
        "mustBeGreaterOrEqualTo": observed >= value or equal,
        "mustBeLessThan": observed < value and not equal,
        "mustBeLessOrEqualTo": observed <= value or equal,
    }.get(operator)
    if result is None:
        raise ValueError(f"Unknown operator '{operator}'; ODCS names mustBe, mustNotBe, "
                         "mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, "
                         "mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween.")
    return result


def symbol(operator: str) -> str:
    """Short mathematical form of an operator (``mustBeLessOrEqualTo`` → ``≤``)."""
    return _SYMBOLS.get(operator, operator)


def words(operator: str) -> str:
    """Plain words for an operator (``mustBeLessOrEqualTo`` → ``at most``)."""
    return _WORDS.get(operator, operator)


def threshold_text(operator: str, threshold: Any, unit: str = "") -> str:
    """``at most 1%``, ``more than 300,000``, ``between 1 and 50``, ``at most 1 day`` …"""
    shown = "" if unit == "rows" else unit
    if operator in {"mustBeBetween", "mustNotBeBetween"} and isinstance(threshold, list | tuple):
        return (f"{words(operator)} {number(threshold[0])} and "
                f"{quantity(threshold[1], shown)}")
    return f"{words(operator)} {quantity(threshold, shown)}"
