"""Service-level defaults measured from the data itself, so a first product passes its first run.

A person who uploads a file rarely knows which promises the mesh checks. The wizard therefore
starts the service-levels step from what the data shows:

- **which column says how recent a row is**: the date or time column with the newest value;
- **how fresh**: data whose newest row is at most a day old (give or take the time to publish)
  starts as "updated daily", at most a week old as "weekly", at most a month old as "monthly";
  older data (or data without a date column) is a **snapshot** of a past period: it is not
  updated any more, so its ages are measured at the last day it covers (ODCS custom property
  ``historicalSnapshot``, read by :func:`catalog.quality.derive.snapshot_end`); a 2013 data
  set is then as fresh as it will ever be, and its freshness check passes;
- **how long it is kept**: the shortest retention preset that holds the oldest row with room
  to spare, its age measured where the quality run measures it (the snapshot's end, or now):
  a quarter more for a snapshot (its ages never grow), twice the age and at least a year for
  live data (its oldest row keeps ageing until the producer removes it); older than every
  preset → no retention promise.

Pure functions over the profile (:mod:`catalog.registration.profile`) and the form; no I/O.
The checks they anticipate are ODCS v3.1 §sla ``freshness`` and ``retention`` as derived by
:mod:`catalog.quality.derive` (a year is 365 days, a month 30, as in
:mod:`catalog.quality.operators`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalog.registration import sla
from catalog.registration.forms import PropertyForm, SlaForm
from catalog.registration.profile import Profile
from catalog.registration.steps import TEMPORAL

PUBLISH_MARGIN = dt.timedelta(hours=2)
"""Time between profiling the data and its first quality run, allowed for when a live
freshness promise is chosen."""
LIVE_PRESETS: tuple[tuple[str, dt.timedelta], ...] = (
    ("daily", dt.timedelta(hours=26)),
    ("weekly", dt.timedelta(days=8)),
    ("monthly", dt.timedelta(days=32)),
)
"""Freshness presets offered for live data, with the age each one allows (see
:data:`catalog.registration.sla.PRESETS`); hourly is never suggested for an uploaded file."""
RETENTION_PRESETS: tuple[tuple[str, dt.timedelta], ...] = (
    ("90d", dt.timedelta(days=90)),
    ("1y", dt.timedelta(days=365)),
    ("3y", dt.timedelta(days=3 * 365)),
    ("5y", dt.timedelta(days=5 * 365)),
    ("10y", dt.timedelta(days=10 * 365)),
)
"""Retention presets with the age of the oldest row each one allows."""
SNAPSHOT_ROOM = 1.25
"""A snapshot's retention holds its oldest row with a quarter to spare."""
LIVE_ROOM = 2.0
"""Live data's retention holds twice the age of its oldest row today."""
LIVE_MIN_RETENTION = dt.timedelta(days=365)
"""Live data is promised at least a year of retention."""


@dataclass(frozen=True)
class DataPeriod:
    """The period a date or time column covers.

    Attributes:
        column: the column's name in the product.
        first: its oldest value (naive UTC).
        last: its newest value (naive UTC).
    """

    column: str
    first: dt.datetime
    last: dt.datetime

    def words(self) -> str:
        """The period in words, e.g. ``2013-01-01 to 2013-12-31 (time_hour)``."""
        return f"{self.first:%Y-%m-%d} to {self.last:%Y-%m-%d} ({self.column})"


def parse_moment(value: object) -> dt.datetime | None:
    """A profiled date or timestamp (text as DuckDB writes it) as a naive datetime.

    ``2013-01-01`` → midnight that day; ``2013-01-01 10:00:00+00`` → 10:00 (the offset is
    dropped: the profile's timestamps are UTC). None when it cannot be read.
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value or "").strip().replace("T", " ")
    for candidate in (text[:26], text[:19], text[:10]):
        try:
            return dt.datetime.fromisoformat(candidate).replace(tzinfo=None)
        except ValueError:
            continue
    return None


def periods(profile: Profile, properties: list[PropertyForm]) -> list[DataPeriod]:
    """The period of each date or time column of the schema, newest last value first.

    Args:
        profile: the staged data's profile (columns by their names in the data).
        properties: the schema (its ``source_name`` links a property to its profiled column).
    """
    stats = {c.name: c for c in profile.columns}
    out = []
    for prop in properties:
        col = stats.get(prop.source_name)
        if prop.logical_type not in TEMPORAL or col is None:
            continue
        first, last = parse_moment(col.minimum), parse_moment(col.maximum)
        if first is not None and last is not None:
            out.append(DataPeriod(prop.name, first, last))
    return sorted(out, key=lambda p: p.last, reverse=True)


def _retention(age: dt.timedelta, snapshot: bool) -> str:
    """The shortest retention preset that keeps a row ``age`` old with room to spare."""
    wanted = age * SNAPSHOT_ROOM if snapshot else max(age * LIVE_ROOM, LIVE_MIN_RETENTION)
    return next((key for key, period in RETENTION_PRESETS if period >= wanted), "forever")


def suggest_sla(
    profile: Profile,
    properties: list[PropertyForm],
    now: dt.datetime | None = None,
    *,
    column: str | None = None,
) -> SlaForm:
    """Service levels the data meets today (see the module doc for the reasoning).

    Args:
        profile: the staged data's profile.
        properties: the schema.
        now: the moment of the first quality run (naive UTC); defaults to now.
        column: measure on this date or time column instead of the one with the newest value.

    Returns:
        A form with every topic chosen (availability and support keep
        :data:`catalog.registration.sla.DEFAULTS`), the freshness column and, for a snapshot,
        the last day the data covers.
    """
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    found = periods(profile, properties)
    chosen = next((p for p in found if p.column == column), found[0] if found else None)
    form = SlaForm(choices=dict(sla.DEFAULTS))
    if chosen is None:  # nothing to measure on: a snapshot as of today, ages unmeasured
        form.choices["freshness"] = sla.SNAPSHOT
        form.snapshot_end = now.date().isoformat()
        return form
    form.freshness_column = chosen.column
    age = now - chosen.last + PUBLISH_MARGIN
    live = next((key for key, allowed in LIVE_PRESETS if age <= allowed), None)
    if live is None:
        form.choices["freshness"] = sla.SNAPSHOT
        form.snapshot_end = chosen.last.date().isoformat()
        measured_at = dt.datetime.combine(chosen.last.date(), dt.time(23, 59, 59))
    else:
        form.choices["freshness"] = live
        form.snapshot_end = None
        measured_at = now + PUBLISH_MARGIN
    form.choices["retention"] = _retention(measured_at - chosen.first, live is None)
    return form


def explain(form: SlaForm, profile: Profile, properties: list[PropertyForm]) -> str:
    """Why the service levels start as they do, in one or two sentences (for the wizard)."""
    found = {p.column: p for p in periods(profile, properties)}
    period = found.get(form.freshness_column or "")
    if period is None:
        return (
            "The data has no date or time column, so it is published as a snapshot taken "
            "today; its freshness and retention cannot be measured."
        )
    if form.choices.get("freshness") == sla.SNAPSHOT:
        return (
            f"The data covers {period.words()}. Its newest row is older than a month, so "
            f"it starts as a snapshot ending {form.snapshot_end}: its ages are measured at "
            "that day, and the promises below hold on the data as uploaded."
        )
    return (
        f"The data covers {period.words()}. Its newest row is recent, so the promises "
        "below start from how old it is now."
    )
