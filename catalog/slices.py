"""A slice of an output port's data — the rows an extract request keeps — seen before download.

What a person needs to get an extract right, computed by DuckDB in the engine's sandbox (the
data is never pulled into Python to work it out):

- the first rows of the slice (:func:`preview`), so the preview follows the filters;
- how the slice covers time (:func:`coverage`): its first and last day, the period checked, and
  the days (or months) of that period without a single row, e.g. "no rows for 31 December
  2013" in weather data that stops on the 30th;
- the period an extract file is named after (:func:`period_label`, :func:`file_period`), e.g.
  ``2013-07`` for July 2013, instead of the day it was downloaded.

The **time column** of a port is its contract's freshness element when it has one
(``slaProperties: [{property: freshness, element: flights.time_hour}]``), else its first DATE or
TIMESTAMP column; a column the reader sees masked is never used (its values would show).

The **period checked** runs from the filter's lower bound on the time column, else the first
day with a row, to the filter's upper bound, else the last day with a row. A series that starts
or stops within :data:`EDGE_DAYS` days of a month's boundary is read as covering that whole
month (data is delivered by the month): weather readings that stop on 30 December are missing
the 31st, while flights that run into the first hours of 1 January 2014 (UTC) are not read as
missing the rest of January.

Gaps are named only for a **time series**: a port whose time column is its freshness element
or part of its primary key (one row per airport per hour, per date and airline…); a date that
merely describes a row (an aircraft's first flight) leaves no gap when a day has none. The
**unit** of the gaps follows the series: days when at least half the days between its first
and last row have a row, months when at least half the months do, and none otherwise (a sparse
series, e.g. one row a quarter, has no gaps worth naming).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from catalog.access.masking import masked_select, refuse_masked_filters
from catalog.errors import CatalogError
from catalog.extracts import ExtractRequest, FilterOp, extract_filename, where_clause
from catalog.quality.derive import time_element
from catalog.sql import quote_identifier

if TYPE_CHECKING:
    import pandas as pd

    from catalog.engine import Column, Engine
    from catalog.engines.base import Located
    from catalog.mesh import DataProduct, OutputPortView
    from catalog.models.principal import Principal

logger = logging.getLogger(__name__)

EDGE_DAYS = 3
"""A series starting or stopping this close to a month's boundary is read as covering the
whole month (see the module docstring)."""
MAX_GAPS = 20
"""Gaps listed at most (all of them are counted)."""
MAX_PERIOD_DAYS = 366 * 100
"""A longer period is not checked for gaps (a filter such as "after 1900-01-01")."""
DENSE = 0.5
"""Share of days (or months) with rows from which a series counts as daily (monthly)."""

Unit = Literal["day", "month"]
_TIME_TYPE = re.compile(r"DATE|TIMESTAMP.*|DATETIME", re.IGNORECASE)


@dataclass(frozen=True)
class Gap:
    """Consecutive days (or months, then ``start`` and ``end`` are their first days) without
    any row, ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date
    count: int


@dataclass(frozen=True)
class Coverage:
    """How a slice of a port's data covers time.

    Attributes:
        column: the time column.
        rows: rows in the slice.
        first: the first day with a row (None when the slice is empty).
        last: the last day with a row.
        start: first day of the period checked.
        end: last day of the period checked.
        unit: ``day`` or ``month`` (what a gap counts), None when gaps are not named (no time
            series, or too sparse a one).
        gaps: the first :data:`MAX_GAPS` gaps of the period, oldest first.
        gap_count: how many gaps there are in all.
        missing: days (or months) of the period without any row, over all gaps.
        period: what an extract of the slice is named after (:func:`file_period`).
    """

    column: str
    rows: int
    first: dt.date | None
    last: dt.date | None
    start: dt.date
    end: dt.date
    unit: Unit | None
    gaps: tuple[Gap, ...] = ()
    gap_count: int = 0
    missing: int = 0
    period: str = ""

    @property
    def complete(self) -> bool:
        """True when every day (or month) of the period has a row (or gaps were not checked)."""
        return not self.missing


def is_time_type(duckdb_type: str) -> bool:
    """Whether a column of this DuckDB type holds dates or moments (DATE, TIMESTAMP…)."""
    return bool(_TIME_TYPE.fullmatch(duckdb_type.strip()))


def time_column(port: OutputPortView, columns: list[Column],
                masked: Collection[str] = ()) -> tuple[Column, bool] | None:
    """The port's time column (see the module docstring) and whether the port is a time series
    on it; None when it has no time column to show.

    Args:
        port: the output port.
        columns: its table's columns as the engine reports them.
        masked: columns the reader sees masked (never chosen).
    """
    usable = {c.name: c for c in columns if is_time_type(c.type) and c.name not in masked}
    element = time_element(port.raw_contract)
    if element is not None and element[1] in usable:
        return usable[element[1]], True
    keys = {p.name for p in port.properties() if p.primary_key}
    keyed = next((c for c in usable.values() if c.name in keys), None)
    if keyed is not None:
        return keyed, True
    first = next(iter(usable.values()), None)
    return (first, False) if first is not None else None


def _day(value: Any) -> tuple[dt.date, bool] | None:
    """A filter value as (day, at midnight?), None when it is no date or moment."""
    if isinstance(value, dt.datetime):
        return value.date(), value.time() == dt.time(0)
    if isinstance(value, dt.date):
        return value, True
    text = str(value or "").strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.date(), moment.time() == dt.time(0)


def requested_period(request: ExtractRequest | None, column: str
                     ) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day the request's filters allow on ``column`` (None: unbounded).

    ``is at least 2013-07-01`` and ``is less than 2013-08-01`` give 1 to 31 July; ``equals``
    gives that day; several bounds narrow each other.
    """
    low: dt.date | None = None
    high: dt.date | None = None
    for flt in request.filters if request else ():
        if flt.column != column:
            continue
        parsed = _day(flt.value)
        if parsed is None:
            continue
        day, midnight = parsed
        op = FilterOp(flt.op)
        lows = highs = None
        if op in (FilterOp.GREATER_OR_EQUAL, FilterOp.EQUALS):
            lows = day
        elif op is FilterOp.GREATER:
            lows = day + dt.timedelta(days=1) if midnight and _is_date_text(flt.value) else day
        if op in (FilterOp.LESS_OR_EQUAL, FilterOp.EQUALS):
            highs = day
        elif op is FilterOp.LESS:
            highs = day - dt.timedelta(days=1) if midnight else day
        if lows is not None:
            low = lows if low is None else max(low, lows)
        if highs is not None:
            high = highs if high is None else min(high, highs)
    return low, high


def _is_date_text(value: Any) -> bool:
    """True for a bare date (``2013-07-01``), not a moment (``2013-07-01 00:00``)."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime) or bool(
        re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", str(value)))


def _as_date(value: Any) -> dt.date | None:
    """A day from an engine (a date, a moment, or ISO text), None for NULL."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months(start: dt.date, end: dt.date) -> int:
    """Calendar months from ``start``'s month to ``end``'s month, inclusive."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def checked_period(first: dt.date, last: dt.date, low: dt.date | None, high: dt.date | None
                   ) -> tuple[dt.date, dt.date]:
    """The period whose gaps are named: the filter's bounds, else the data's first and last
    day, each taken to its month's boundary when within :data:`EDGE_DAYS` days of it."""
    start = low if low is not None else (
        _month_start(first) if first.day <= EDGE_DAYS else first)
    end = high if high is not None else (
        _month_end(last) if _month_end(last).day - last.day < EDGE_DAYS else last)
    return start, end


def _filtered(located: Located, request: ExtractRequest | None, columns: list[Column],
              masked: Collection[str]) -> tuple[str, list[Any]]:
    """``FROM <relation> WHERE …`` of the slice (DuckDB's dialect) and its parameters."""
    refuse_masked_filters(request.filters if request else (), masked)
    where, params = where_clause(request or ExtractRequest(), columns)
    return f" FROM {located.relation}{where}", params


def preview(engine: Engine, port: OutputPortView, request: ExtractRequest | None,
            limit: int = 100, masked: Collection[str] = ()) -> pd.DataFrame:
    """The first ``limit`` rows (1 to 1,000) of the slice, in the table's order, with the
    request's columns (all when it names none), read by the port's own engine; masked columns
    are never read and show as the mask.

    Raises:
        InvalidRequest: unknown column, a filter on a masked column.
    """
    located = engine.locate(port)
    columns = located.adapter.describe(located.relation)
    known = {c.name: c for c in columns}
    picked = [known[n] for n in (request.columns if request else ()) if n in known] or columns
    source, params = _filtered(located, request, columns, masked)
    limit = max(1, min(int(limit), 1000))
    return located.adapter.frame(
        f"SELECT {', '.join(masked_select(picked, masked))}{source} LIMIT {limit}", params)


def _and(source: str, condition: str) -> str:
    return source + (" AND " if " WHERE " in source else " WHERE ") + condition


def coverage(engine: Engine, port: OutputPortView, request: ExtractRequest | None = None,
             masked: Collection[str] = ()) -> Coverage | None:
    """How the slice covers time, None when the port has no time column to show.

    Two statements: first and last day, rows and distinct days and months of the slice; then,
    when the series is dense enough, the runs of days (or months) of the period checked that
    have no row (a calendar anti-joined with the days present, runs numbered as in the
    "gaps and islands" pattern).

    Raises:
        InvalidRequest: unknown column, a filter on a masked column.
    """
    located = engine.locate(port)
    columns = located.adapter.describe(located.relation)
    found_column = time_column(port, columns, masked)
    if found_column is None:
        return None
    column, series = found_column
    col = quote_identifier(column.name)
    day_sql = f"CAST({col} AS DATE)"
    source, params = _filtered(located, request, columns, masked)
    stats = located.adapter.fetch_one(
        f"SELECT min({day_sql}), max({day_sql}), count(*), count(DISTINCT {day_sql}), "
        f"count(DISTINCT date_trunc('month', {day_sql})){source}", params)
    first, last, total, days, months = stats or (None, None, 0, 0, 0)
    first, last = _as_date(first), _as_date(last)
    low, high = requested_period(request, column.name)
    period = _label(first, last, low, high, dt.date.today())
    if first is None or last is None:
        if not series or low is None or high is None or high < low:
            return Coverage(column.name, int(total), None, None, low or dt.date.today(),
                            high or low or dt.date.today(), None, period=period)
        days_in = (high - low).days + 1
        return Coverage(column.name, int(total), None, None, low, high, "day",
                        (Gap(low, high, days_in),), 1, days_in, period)
    start, end = checked_period(first, last, low, high)
    unit: Unit | None = None
    if series and days >= DENSE * ((last - first).days + 1):
        unit = "day"
    elif series and months >= DENSE * _months(first, last):
        unit = "month"
    if unit is None or end < start or (end - start).days > MAX_PERIOD_DAYS:
        return Coverage(column.name, int(total), first, last, start, end, None, period=period)
    if unit == "day":
        present = day_sql
        step, calendar_start, calendar_stop = "1 DAY", start, end + dt.timedelta(days=1)
        rank = "datediff('day', DATE '2000-01-01', slot)"
    else:
        present = f"CAST(date_trunc('month', {day_sql}) AS DATE)"
        start, end = _month_start(start), _month_start(end)
        step, calendar_start, calendar_stop = "1 MONTH", start, _month_end(end) + dt.timedelta(
            days=1)
        rank = "datediff('month', DATE '2000-01-01', slot)"
    sql = (
        f"WITH present AS (SELECT DISTINCT {present} AS slot{_and(source, f'{col} IS NOT NULL')}"
        "), calendar AS (SELECT CAST(r AS DATE) AS slot FROM range(CAST(? AS TIMESTAMP), "
        f"CAST(? AS TIMESTAMP), INTERVAL {step}) AS t(r)), "
        "missing AS (SELECT slot FROM calendar WHERE slot NOT IN (SELECT slot FROM present)), "
        f"runs AS (SELECT slot, {rank} - row_number() OVER (ORDER BY slot) AS run FROM missing), "
        "grouped AS (SELECT min(slot) AS first, max(slot) AS last, count(*) AS n FROM runs "
        "GROUP BY run) "
        "SELECT first, last, n, count(*) OVER (), sum(n) OVER () FROM grouped ORDER BY first "
        f"LIMIT {MAX_GAPS}")
    try:
        found = located.adapter.fetch(sql, [*params, calendar_start, calendar_stop],
                                      max_rows=MAX_GAPS)
    except CatalogError as err:  # e.g. an engine the calendar query cannot be written for
        logger.warning("no gaps of %s: %s", port.name, err)
        return Coverage(column.name, int(total), first, last, start, end, None, period=period)
    gaps = tuple(Gap(_as_date(a) or start, _as_date(b) or start, int(n))
                 for a, b, n, _, _ in found)
    gap_count = int(found[0][3]) if found else 0
    missing = int(found[0][4]) if found else 0
    return Coverage(column.name, int(total), first, last, start, _month_end(end)
                    if unit == "month" else end, unit, gaps, gap_count, missing, period)


def period_label(start: dt.date, end: dt.date) -> str:
    """A period as a file name part: ``2013`` (a calendar year), ``2013-07`` (a month),
    ``2013-01_2013-06`` (whole months), ``2013-07-04`` (a day), else
    ``2013-07-01_2013-07-15``."""
    whole_months = start.day == 1 and end == _month_end(end)
    if whole_months and start.month == 1 and end.month == 12 and start.year == end.year:
        return f"{start.year}"
    if whole_months and (start.year, start.month) == (end.year, end.month):
        return f"{start:%Y-%m}"
    if whole_months:
        return f"{start:%Y-%m}_{end:%Y-%m}"
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()}_{end.isoformat()}"


def file_period(engine: Engine, port: OutputPortView, request: ExtractRequest | None,
                masked: Collection[str] = (), today: dt.date | None = None) -> str:
    """The period an extract of the slice is named after: the period checked by
    :func:`coverage` (one statement: the slice's first and last day), or ``today`` (the day the
    data was taken) when the port has no time column or the slice no rows.

    Raises:
        InvalidRequest: unknown column, a filter on a masked column.
    """
    today = today or dt.date.today()
    located = engine.locate(port)
    columns = located.adapter.describe(located.relation)
    found_column = time_column(port, columns, masked)
    if found_column is None:
        return today.isoformat()
    column = found_column[0]
    day_sql = f"CAST({quote_identifier(column.name)} AS DATE)"
    source, params = _filtered(located, request, columns, masked)
    first, last = located.adapter.fetch_one(
        f"SELECT min({day_sql}), max({day_sql}){source}", params) or (None, None)
    return _label(_as_date(first), _as_date(last), *requested_period(request, column.name),
                  today)


def _label(first: dt.date | None, last: dt.date | None, low: dt.date | None,
           high: dt.date | None, today: dt.date) -> str:
    """The file name period of a slice: its period checked (:func:`checked_period`), the
    filter's period when it has no rows, else ``today``."""
    if first is None or last is None:
        return period_label(low, high) if low and high and low <= high else today.isoformat()
    return period_label(*checked_period(first, last, low, high))


@dataclass(frozen=True)
class ExtractPreview:
    """What an extract request would download, seen before it is made.

    Attributes:
        product_id: the product.
        version: its version (part of the file name).
        port: the output port.
        frame: the first rows of the slice, as they will be in the file (masked columns
            masked).
        rows: rows the extract will hold.
        total: rows the port serves in all.
        coverage: how the slice covers time (None: the port has no time column to show).
        period: what the file is named after (:func:`file_period`).
    """

    product_id: str
    version: str
    port: str
    frame: pd.DataFrame
    rows: int
    total: int
    coverage: Coverage | None
    period: str

    def file_name(self, fmt: str = "csv") -> str:
        """The name the downloaded file will have, e.g.
        ``weather.hourly_observations-1.1.0-2013-12.csv``."""
        return extract_filename(self.product_id, self.version, self.period, fmt)


class SliceUseCases:
    """Previews and time coverage of extract requests, as façade methods."""

    engine: Engine

    if TYPE_CHECKING:  # implemented by the façade
        def product(self, principal: Principal, product_id: str) -> DataProduct:
            """The product with ``product_id`` (the façade implements it)."""

        def masked_columns(self, principal: Principal, product_id: str,
                           port: str | None = None) -> list[str]:
            """Sensitive columns ``principal`` sees masked (the façade implements it)."""

        def _port(self, principal: Principal, product_id: str, port: str | None
                  ) -> OutputPortView:
            """The readable output port (the façade implements it)."""

    def extract_preview(self, principal: Principal, product_id: str, port: str | None = None,
                        request: ExtractRequest | None = None, limit: int = 100
                        ) -> ExtractPreview:
        """What an extract would download: its first ``limit`` rows (≤ 1,000), its row count,
        the port's row count, its time coverage and the file's name — the same rights,
        masking and filter checks as the extract itself.

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
            InvalidRequest: unknown column, a bad filter value, or a filter on a masked column.
            DataUnavailable: the data cannot be read.
        """
        view = self._port(principal, product_id, port)
        product = self.product(principal, product_id)
        masked = self.masked_columns(principal, product_id, view.name)
        request = request or ExtractRequest()
        rows = self.engine.row_count(view, request, masked=masked)  # checks the filter values
        total = self.engine.row_count(view, masked=masked) if request.filters else rows
        frame = preview(self.engine, view, request, limit, masked)
        cover = coverage(self.engine, view, request, masked)
        period = cover.period if cover is not None else dt.date.today().isoformat()
        return ExtractPreview(product.id, product.version, view.name, frame, rows, total, cover,
                              period)

    def coverage(self, principal: Principal, product_id: str, port: str | None = None,
                 request: ExtractRequest | None = None) -> Coverage | None:
        """How the port's data (after ``request``'s filters) covers time; see :func:`coverage`.

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
            InvalidRequest: unknown column, a bad filter value, or a filter on a masked column.
        """
        view = self._port(principal, product_id, port)
        masked = self.masked_columns(principal, product_id, view.name)
        if request is not None and request.filters:
            self.engine.row_count(view, request, masked=masked)  # checks the filter values
        return coverage(self.engine, view, request, masked)
