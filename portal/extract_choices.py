"""The extract form's choices as row filters, and what an extract holds in words; no Streamlit.

A person picks a column, a condition that suits the column's type and a value: two dates or a
month for a date column, two numbers for a number column, a text otherwise. Each choice becomes
the catalog's own row filters (:class:`catalog.RowFilter`), so signed links, the HTTP API and
the audit log know nothing new: "between 1 and 31 July 2013" on a timestamp column is
``is at least 2013-07-01`` and ``is less than 2013-08-01`` (every hour of the 31st included).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from catalog import Column, Coverage, FilterOp, RowFilter

BETWEEN = "is between"
IN_MONTH = "is in the month"
ON_DAY = "is on"
BEFORE = "is before"
AFTER = "is after"
EMPTY = str(FilterOp.IS_EMPTY)
NOT_EMPTY = str(FilterOp.NOT_EMPTY)

TIME_CONDITIONS = (BETWEEN, IN_MONTH, ON_DAY, BEFORE, AFTER, EMPTY, NOT_EMPTY)
"""Conditions offered on a date or date-and-time column."""
NUMBER_CONDITIONS = (BETWEEN, str(FilterOp.EQUALS), str(FilterOp.NOT_EQUALS),
                     str(FilterOp.LESS), str(FilterOp.LESS_OR_EQUAL), str(FilterOp.GREATER),
                     str(FilterOp.GREATER_OR_EQUAL), EMPTY, NOT_EMPTY)
"""Conditions offered on a number column."""
TEXT_CONDITIONS = (str(FilterOp.EQUALS), str(FilterOp.NOT_EQUALS), str(FilterOp.CONTAINS),
                   EMPTY, NOT_EMPTY)
"""Conditions offered on any other column."""

_NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL", "INT")


def kind_of(column: Column) -> str:
    """``time``, ``number`` or ``text``: which conditions and value inputs suit the column."""
    upper = column.type.strip().upper()
    if upper == "DATE" or upper.startswith(("TIMESTAMP", "DATETIME")):
        return "time"
    if upper.startswith(_NUMBER_TYPES):
        return "number"
    return "text"


def conditions_for(column: Column) -> tuple[str, ...]:
    """The conditions offered on ``column``, the most useful first."""
    return {"time": TIME_CONDITIONS, "number": NUMBER_CONDITIONS}.get(kind_of(column),
                                                                       TEXT_CONDITIONS)


def is_date_only(column: Column) -> bool:
    """True for a DATE column (no time of day)."""
    return column.type.strip().upper() == "DATE"


@dataclass(frozen=True)
class Choice:
    """One row of the extract form: a column, a condition and its value.

    ``value`` is a pair of dates (``is between`` on a date column), a pair of numbers (``is
    between`` on a number column; either may be None), a month ``"2013-07"``, a date, or a
    text; None when the condition needs none.
    """

    column: Column
    condition: str
    value: Any = None


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``"2013-07"`` → (1 July 2013, 31 July 2013)."""
    year, number = (int(part) for part in month.split("-", 1))
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def _day_range(column: Column, start: dt.date, end: dt.date) -> list[RowFilter]:
    """Rows from the start of ``start`` to the end of ``end``, whatever the column's type."""
    if is_date_only(column):
        return [RowFilter(column.name, FilterOp.GREATER_OR_EQUAL, start.isoformat()),
                RowFilter(column.name, FilterOp.LESS_OR_EQUAL, end.isoformat())]
    return [RowFilter(column.name, FilterOp.GREATER_OR_EQUAL, start.isoformat()),
            RowFilter(column.name, FilterOp.LESS, (end + dt.timedelta(days=1)).isoformat())]


def row_filters(choice: Choice) -> list[RowFilter] | None:
    """The catalog's row filters for one choice; None while it lacks a value.

    Raises:
        ValueError: the value does not suit the condition (e.g. an end before the start).
    """
    column, condition, value = choice.column, choice.condition, choice.value
    if condition in (EMPTY, NOT_EMPTY):
        return [RowFilter(column.name, FilterOp(condition))]
    if kind_of(column) == "time":
        if condition == BETWEEN:
            if not isinstance(value, Sequence) or len(value) != 2 or None in value:
                return None
            start, end = value
            if end < start:
                raise ValueError("The end date is before the start date.")
            return _day_range(column, start, end)
        if condition == IN_MONTH:
            return _day_range(column, *month_bounds(value)) if value else None
        if not isinstance(value, dt.date):
            return None
        if condition == ON_DAY:
            return _day_range(column, value, value)
        if condition == BEFORE:
            return [RowFilter(column.name, FilterOp.LESS, value.isoformat())]
        if condition == AFTER:
            return [RowFilter(column.name, FilterOp.GREATER_OR_EQUAL,
                              (value + dt.timedelta(days=1)).isoformat())]
        return None
    if condition == BETWEEN:
        low, high = value if isinstance(value, Sequence) and len(value) == 2 else (None, None)
        if low is not None and high is not None and high < low:
            raise ValueError("The upper number is below the lower one.")
        found = ([RowFilter(column.name, FilterOp.GREATER_OR_EQUAL, _number(low))]
                 if low is not None else []) + (
            [RowFilter(column.name, FilterOp.LESS_OR_EQUAL, _number(high))]
            if high is not None else [])
        return found or None
    text = "" if value is None else str(value).strip()
    return [RowFilter(column.name, FilterOp(condition), text)] if text else None


def _number(value: float | int) -> str:
    """``30.0`` → ``30``; ``2.5`` → ``2.5`` (the catalog casts the text to the column's type)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def day_words(day: dt.date) -> str:
    """``31 December 2013``."""
    return f"{day.day} {day:%B %Y}"


def month_words(month: str) -> str:
    """``"2013-07"`` → ``July 2013``."""
    start, _ = month_bounds(month)
    return f"{start:%B %Y}"


def period_words(start: dt.date, end: dt.date) -> str:
    """``1 to 31 July 2013``, ``1 January to 30 June 2013``, ``30 December 2013 to 2 January
    2014``, ``4 July 2013``."""
    if start == end:
        return day_words(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} to {day_words(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%B} to {day_words(end)}"
    return f"{day_words(start)} to {day_words(end)}"


def months_between(first: dt.date, last: dt.date, limit: int = 600) -> list[str]:
    """Every month from ``first``'s to ``last``'s, newest first, as ``"2013-07"`` (at most
    ``limit``)."""
    months: list[str] = []
    year, month = last.year, last.month
    while (year, month) >= (first.year, first.month) and len(months) < limit:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def choice_words(choice: Choice) -> str:
    """One choice in words: ``time_hour from 1 to 31 July 2013``, ``dep_delay between 10
    and 30``, ``carrier equals UA``."""
    name, condition, value = choice.column.name, choice.condition, choice.value
    if condition in (EMPTY, NOT_EMPTY):
        return f"{name} {condition}"
    if kind_of(choice.column) == "time":
        if condition == BETWEEN:
            return f"{name} from {period_words(*value)}"
        if condition == IN_MONTH:
            return f"{name} in {month_words(value)}"
        return f"{name} {condition} {day_words(value)}"
    if condition == BETWEEN:
        low, high = value
        if low is None:
            return f"{name} at most {_number(high)}"
        if high is None:
            return f"{name} at least {_number(low)}"
        return f"{name} between {_number(low)} and {_number(high)}"
    return f"{name} {condition} {value}"


def gap_sentence(coverage: Coverage, limit: int = 3) -> str:
    """The gaps of a slice in words: ``No rows for 31 December 2013.``, ``No rows for 19 to 21
    July 2013, 4 August 2013 and 41 other days (61 days in all).``; ``""`` without gaps."""
    if not coverage.missing or not coverage.gaps:
        return ""
    unit = coverage.unit or "day"

    def one(start: dt.date, end: dt.date) -> str:
        """A gap in words, by the unit of the series."""
        if unit == "month":
            first = f"{start:%B %Y}"
            return first if start == end else f"{first} to {end:%B %Y}"
        return period_words(start, end)

    shown = [one(g.start, g.end) for g in coverage.gaps[:limit]]
    rest = coverage.gap_count - len(shown)
    if rest > 0:
        shown.append(f"{rest} other gap{'s' if rest != 1 else ''}")
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    total = (f" ({coverage.missing} {unit}{'s' if coverage.missing != 1 else ''} in all)"
             if coverage.gap_count > 1 else "")
    return f"No rows for {listed}{total}."


def coverage_sentence(coverage: Coverage) -> str:
    """The time a slice covers: ``time_hour: 1 January to 30 December 2013 (checked against
    1 January to 31 December 2013).``; ``""`` when the slice has no rows."""
    if coverage.first is None or coverage.last is None:
        return ""
    text = f"{coverage.column}: {period_words(coverage.first, coverage.last)}"
    if coverage.unit and (coverage.start, coverage.end) != (coverage.first, coverage.last):
        text += f" (checked for gaps over {period_words(coverage.start, coverage.end)})"
    return text + "."
