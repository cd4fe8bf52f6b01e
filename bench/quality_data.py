"""Data sets of the quality benchmark, written as Parquet under ``bench/.work/quality/``.

Two data sets, each at a full and a small size (to show memory does not grow with rows):

    lineitem-sf1      TPC-H ``lineitem`` at scale factor 1: 6,001,215 rows, no nulls
    lineitem-sf0.1    the same at scale factor 0.1: 600,572 rows
    flights-x18       ``operations.flights`` (336,776 real rows, real nulls) copied 18 times:
                      6,061,968 rows
    flights-x2        the same copied twice: 673,552 rows

TPC-H data comes from ``tpchgen-cli`` (PyPI; a Rust generator, offline), installed in its own
virtual environment ``bench/.work/tpchgen-venv`` (DuckDB's ``INSTALL tpch`` cannot download
here). The flights copies shift ``flight_date``, ``scheduled_departure`` and ``time_hour`` back
by ``k`` years for copy ``k`` (0 = the real 2013 rows, 17 = 1996), so the compound key
(flight_date, carrier, flight, origin) stays unique and the nulls, outliers and odd tail numbers
of the real data stay as they are. They are read from the built demo database
``data/mesh.duckdb`` (``MESH_DATA_DIR`` when set); when it is missing the demo mesh is built into
``bench/.work/quality/mesh/`` first (``python -m catalog build``).

Every step is skipped when its output exists (delete ``bench/.work/quality/`` to start over);
files are written under a temporary name and renamed, so an interrupted run leaves nothing
half-written.

Usage::

    python bench/quality_data.py            # all four data sets
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import REPO_ROOT, WORK_DIR, child_env  # noqa: E402

DATA_DIR = WORK_DIR / "quality"
TPCHGEN_VENV = WORK_DIR / "tpchgen-venv"
TPCHGEN_VERSION = "4.0.0"
FLIGHTS_ROWS = 336_776


@dataclass(frozen=True)
class DataSet:
    """One Parquet file of the benchmark.

    Attributes:
        name: ``lineitem-sf1``, ``flights-x18``…
        suite: which contract checks it: ``lineitem`` or ``flights``.
        path: the Parquet file.
        rows: its row count (known in advance).
    """

    name: str
    suite: str
    path: Path
    rows: int


DATA_SETS = {
    "lineitem-sf1": DataSet("lineitem-sf1", "lineitem",
                            DATA_DIR / "tpch-sf1" / "lineitem.parquet", 6_001_215),
    "lineitem-sf0.1": DataSet("lineitem-sf0.1", "lineitem",
                              DATA_DIR / "tpch-sf0.1" / "lineitem.parquet", 600_572),
    "flights-x18": DataSet("flights-x18", "flights",
                           DATA_DIR / "flights-x18" / "flights.parquet", FLIGHTS_ROWS * 18),
    "flights-x2": DataSet("flights-x2", "flights",
                          DATA_DIR / "flights-x2" / "flights.parquet", FLIGHTS_ROWS * 2),
}


def _tpchgen() -> Path:
    """The ``tpchgen-cli`` executable, installed into its own venv on first use."""
    exe = TPCHGEN_VENV / "bin" / "tpchgen-cli"
    if not exe.exists():
        print(f"installing tpchgen-cli=={TPCHGEN_VERSION} into {TPCHGEN_VENV}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TPCHGEN_VENV)], check=True)
        subprocess.run([str(TPCHGEN_VENV / "bin" / "pip"), "install", "--quiet",
                        f"tpchgen-cli=={TPCHGEN_VERSION}"], check=True)
    return exe


def make_lineitem(data_set: DataSet, scale: str) -> None:
    """Generate TPC-H ``lineitem`` at ``scale`` into ``data_set.path`` (skipped if present)."""
    if data_set.path.exists():
        return
    tmp_dir = data_set.path.parent.with_name(data_set.path.parent.name + ".tmp")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    print(f"generating TPC-H lineitem SF{scale} → {data_set.path}", flush=True)
    subprocess.run([str(_tpchgen()), "parquet", "-s", scale, "--tables=lineitem",
                    f"--output-dir={tmp_dir}", "--overwrite", "--no-progress"], check=True)
    data_set.path.parent.mkdir(parents=True, exist_ok=True)
    (tmp_dir / "lineitem.parquet").replace(data_set.path)
    tmp_dir.rmdir()


def mesh_database() -> Path:
    """The built demo database; built into ``bench/.work/quality/mesh/`` when missing."""
    data_dir = Path(os.environ.get("MESH_DATA_DIR", REPO_ROOT / "data")).resolve()
    database = data_dir / "mesh.duckdb"
    if database.exists():
        return database
    data_dir = DATA_DIR / "mesh"
    database = data_dir / "mesh.duckdb"
    if not database.exists():
        print(f"building the demo mesh into {data_dir}", flush=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "catalog", "build"], cwd=REPO_ROOT,
                       env=child_env(MESH_DATA_DIR=str(data_dir)), check=True)
    return database


def make_flights(data_set: DataSet, copies: int) -> None:
    """Write ``copies`` year-shifted copies of ``operations.flights`` (skipped if present)."""
    if data_set.path.exists():
        return
    import duckdb

    from catalog.sql import quote_literal

    print(f"writing operations.flights × {copies} → {data_set.path}", flush=True)
    data_set.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = data_set.path.with_suffix(".parquet.tmp")
    con = duckdb.connect()
    con.execute(f"ATTACH {quote_literal(str(mesh_database()))} AS mesh (READ_ONLY)")
    columns = [r[0] for r in con.execute("DESCRIBE mesh.operations.flights").fetchall()]
    shifted = {
        "flight_date": "CAST(f.flight_date - to_years(k) AS DATE) AS flight_date",
        "scheduled_departure": "f.scheduled_departure - to_years(k) AS scheduled_departure",
        "time_hour": "f.time_hour - to_years(k) AS time_hour",
    }
    select = ", ".join(shifted.get(c, f'f."{c}"') for c in columns)
    con.execute(
        f"COPY (SELECT {select} FROM range({copies}) AS r(k), mesh.operations.flights AS f "
        f"ORDER BY k, f.flight_date, f.scheduled_departure) "
        f"TO {quote_literal(str(tmp))} (FORMAT parquet)"
    )
    con.close()
    tmp.replace(data_set.path)


def ensure(names: list[str] | None = None) -> dict[str, DataSet]:
    """Create the data sets named (all when None) unless present; return them by name."""
    chosen = {n: DATA_SETS[n] for n in (names or list(DATA_SETS))}
    for name, data_set in chosen.items():
        if name.startswith("lineitem-sf"):
            make_lineitem(data_set, name.removeprefix("lineitem-sf"))
        else:
            make_flights(data_set, int(name.removeprefix("flights-x")))
    return chosen


def main() -> int:
    for data_set in ensure().values():
        size = data_set.path.stat().st_size / 1e6
        print(f"{data_set.name:16} {data_set.rows:>10,} rows  {size:7.1f} MB  {data_set.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
