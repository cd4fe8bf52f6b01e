"""The one text form of an instant in the operational store, so text order is time order.

Audit times arrive in several spellings (``2024-05-31T14:00:00Z``, ``…+02:00``, naive UTC
with or without microseconds). :func:`utc_text` turns each into naive UTC with microseconds,
``2024-05-31T12:00:00.000000``: fixed width, so comparing the texts compares the instants on
every database (no date functions needed), and :func:`datetime.datetime.fromisoformat` still
reads it (as naive UTC).
"""

from __future__ import annotations

import datetime as dt

from catalog.errors import InvalidRequest


def parse_instant(value: dt.datetime | dt.date | str, name: str = "time") -> dt.datetime:
    """``value`` as a naive UTC datetime.

    Args:
        value: a datetime (naive = UTC, aware = converted), a date (its midnight UTC) or an
            ISO 8601 string (``Z`` and offsets understood; a bare date means its midnight).
        name: what the value is, for the error message (e.g. ``since``).

    Returns:
        The instant, naive UTC.

    Raises:
        InvalidRequest: ``value`` is not a date and time.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRequest(f"'{value}' is not a date and time for '{name}'; write it as "
                                 "2024-05-31 or 2024-05-31T14:00.") from None
    elif not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def utc_text(value: dt.datetime | dt.date | str, name: str = "time") -> str:
    """``value`` as stored: naive UTC ISO 8601 with microseconds, e.g.
    ``2024-05-31T12:00:00.000000``.

    Args:
        value: as for :func:`parse_instant`.
        name: what the value is, for the error message.

    Returns:
        The fixed-width text (26 characters for years 1000 to 9999).

    Raises:
        InvalidRequest: ``value`` is not a date and time.
    """
    return parse_instant(value, name).isoformat(timespec="microseconds")
