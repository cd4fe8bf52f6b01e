"""Peer figure: Soda Core (soda-core-duckdb) on the quality benchmark's suite.

Runs under its own virtual environment ``bench/.work/soda-venv`` (bench/quality.py installs it
and calls this file with that interpreter; it must not import the repository's code). The 12
rules of ``bench/quality/<suite>.odcs.yaml`` as SodaCL, on a DuckDB view over the Parquet
file. Prints one JSON line: per-check outcome and Soda's scan time.

Usage (from bench/quality.py)::

    bench/.work/soda-venv/bin/python bench/quality_soda.py SUITE PARQUET_FILE
"""

from __future__ import annotations

import json
import sys
import time

SODACL = {
    "lineitem": """
checks for lineitem:
  - missing_count(l_orderkey) = 0
  - missing_count(l_partkey) = 0
  - missing_count(l_shipdate) = 0
  - missing_count(l_shipmode) = 0
  - duplicate_count(l_orderkey, l_linenumber) = 0
  - invalid_count(l_returnflag) = 0:
      valid values: [A, N, R]
  - invalid_count(l_linestatus) = 0:
      valid values: [F, O]
  - invalid_count(l_quantity) = 0:
      valid min: 1
      valid max: 50
  - invalid_count(l_discount) = 0:
      valid min: 0
      valid max: 0.10
  - invalid_count(l_shipmode) = 0:
      valid regex: ^[A-Z]+( [A-Z]+)?$
  - row_count > 6000000
  - freshness(l_shipdate) < 11000d
""",
    "flights": """
checks for flights:
  - missing_count(flight_date) = 0
  - missing_count(carrier) = 0
  - missing_count(tailnum) = 0
  - missing_count(origin) = 0
  - duplicate_count(flight_date, carrier, flight, origin) = 0
  - invalid_count(carrier) = 0:
      valid values: [9E, AA, AS, B6, DL, EV, F9, FL, HA, MQ, OO, UA, US, VX, WN, YV]
  - invalid_count(origin) = 0:
      valid values: [EWR, JFK, LGA]
  - invalid_count(dep_delay) = 0:
      valid min: -60
      valid max: 1440
  - invalid_count(distance) = 0:
      valid min: 1
      valid max: 5000
  - invalid_count(tailnum) = 0:
      valid regex: ^N[0-9A-Z]{1,5}$
  - row_count > 6000000
  - freshness(time_hour) < 1d
""",
}


def main(suite: str, parquet: str) -> int:
    import duckdb
    from soda.scan import Scan

    started = time.perf_counter()
    con = duckdb.connect()
    literal = "'" + parquet.replace("'", "''") + "'"
    con.execute(f"CREATE VIEW {suite} AS SELECT * FROM read_parquet({literal})")
    scan = Scan()
    scan.set_data_source_name("bench")
    scan.add_duckdb_connection(duckdb_connection=con, data_source_name="bench")
    scan.add_sodacl_yaml_str(SODACL[suite])
    scan.execute()
    outcomes = [{"check": c.name, "outcome": str(c.outcome.value if c.outcome else None)}
                for c in scan._checks]
    print(json.dumps({"scan_s": time.perf_counter() - started, "checks": outcomes,
                      "errors": scan.has_error_logs(), "duckdb": duckdb.__version__}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
