"""``freshness``: age of the newest record of the SLA's ``element`` (ODCS v3.1
§service-level-agreement, ``property: freshness``): at most ``value`` ``unit`` old."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from catalog.quality.kinds.base import Kind, Observation, Stated, Target, amount_text, register
from catalog.quality.measures import NOT_RUN, SCALAR, Measure, column
from catalog.quality.model import Check, CheckResult, Status
from catalog.quality.operators import unit_seconds, unit_word
from catalog.quality.units import quantity


def naive_utc(value: Any) -> dt.datetime | None:
    """A date or time as naive UTC (a date counts as its last moment); None stays None.

    Raises:
        ValueError: the value is not a date or a time.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.max)
    raise ValueError(f"The element holds {type(value).__name__} values, not dates or times.")


def age_text(value: float, unit: str) -> str:
    """``4707.53, "d"`` → ``4,707.5 days``; ``1, "d"`` → ``1 day`` (two decimals below 10)."""
    amount = amount_text(value, 2 if abs(value) < 10 else 1)
    return f"{amount} {unit_word(unit, 1 if amount == '1' else 2)}"


@register
class Freshness(Kind):
    """How old the newest record is, in the SLA's time unit, at the run's moment."""

    name = "freshness"
    dimension = "timeliness"
    sla_property = True
    which: ClassVar[str] = "newest"
    """Which record's age is measured."""
    aggregate: ClassVar[str] = "max"
    """The SQL aggregate that finds it."""

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """``max(element)`` asked alone (statistics answer it), in naive UTC; not run when the
        SLA names no element."""
        if not (check.arguments.get("column") or check.property):
            return Measure(
                check,
                NOT_RUN,
                reason="The SLA names no element (a date or time "
                "column) to measure; add `element: <table>.<column>`.",
            )
        col, typ = column(check, types)
        agg = f"{self.aggregate}({col})"
        if typ.upper().startswith("TIMESTAMP WITH TIME ZONE"):
            agg = f"timezone('UTC', {agg})"  # naive UTC, whatever the session's time zone
        return Measure(check, SCALAR, expression=agg)

    def observe(self, measure: Measure, value: Any, *, now: Any, total: int | None) -> Observation:
        """The record's age at ``now`` (naive UTC) in the check's unit; none without records.

        Raises:
            ValueError: the element holds no dates, or the unit is not a time unit.
        """
        moment = naive_utc(value)
        if moment is None:
            return Observation(None, message="There are no records to date.")
        age_s = max(0.0, (now - moment).total_seconds())
        later = (" (later than the moment its age is measured at, so it counts as 0 old)"
                 if moment > now else "")
        return Observation(
            age_s / unit_seconds(measure.check.unit),
            message=f"The {self.which} record is from {moment:%Y-%m-%d %H:%M} UTC{later}",
        )

    def sentence(self, rule: Stated, target: Target) -> str:
        """``The newest record is at most 1 day old (measured on flights.time_hour)``."""
        return self.promise(quantity(rule.threshold, rule.unit)) + self.measured_on(rule)

    def promise(self, amount: str) -> str:
        """The promise with its amount in words."""
        return f"The newest record is at most {amount} old"

    @staticmethod
    def measured_on(rule: Stated) -> str:
        """`` (measured on <element>)`` when the SLA names one."""
        element = rule.arguments.get("element")
        return f" (measured on {element})" if element else ""

    def outcome(self, result: CheckResult) -> str:
        """``newest record 4,707.5 days old``, ``no records to date``, or why not measured."""
        if result.status in (Status.ERROR, Status.SKIPPED):
            return result.message or "not measured"
        if result.observed is None:
            return "no records to date"
        return f"{self.which} record {age_text(result.observed, result.check.unit)} old"

    def value_label(self, check: Check) -> str:
        """``age of the newest record (days)``."""
        return f"age of the {self.which} record ({unit_word(check.unit)})"
