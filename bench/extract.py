"""CSV extract of the full ``operations.flights`` product: rows/s and peak memory.

Each way of extracting runs in its own fresh Python process that does nothing but that
extract, so its memory high-water mark (``getrusage(RUSAGE_SELF).ru_maxrss``) belongs to it.
Memory is reported as peak − the high-water mark right after imports (so opening the mesh and
attaching the database count; the interpreter and libraries do not). Time is the median of 5
extracts in that process (the first one, with DuckDB's buffers still cold, is shown too).

Ways compared:
    catalog write_csv     ``catalog.engine.write_csv(port, ExtractRequest(), path)`` (a file)
    catalog extract_csv   ``Catalog.extract_csv(principal, "operations.flights")`` (bytes)
    duckdb COPY           bare ``COPY (SELECT * FROM operations.flights) TO … (HEADER)``
    duckdb COPY guarded   bare COPY of the catalog's own SELECT (with the CSV-injection guard)
    pandas                the naive way: ``con.execute(...).df().to_csv(...)`` (bench only)

Data: the built demo database ``data/mesh.duckdb`` (``python -m catalog build``; the folder is
``MESH_DATA_DIR`` when set). Targets (issue): > 1 million rows/s, peak memory < 300 MB.

Usage::

    python bench/extract.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    REPO_ROOT,
    WORK_DIR,
    machine_note,
    maxrss_mb,
    run_child,
    save_results,
    table,
    verdict,
)

PRODUCT = "operations.flights"
TABLE = "operations.flights"
ROWS_TARGET = 1_000_000
MEMORY_TARGET_MB = 300.0
SCRIPT = Path(__file__).resolve()
MODES = ("write_csv", "extract_csv", "duckdb_copy", "duckdb_copy_guarded", "pandas")
LABELS = {
    "write_csv": "catalog write_csv → file",
    "extract_csv": "catalog extract_csv → bytes",
    "duckdb_copy": "bare DuckDB COPY → file",
    "duckdb_copy_guarded": "bare COPY, catalog's SELECT",
    "pandas": "pandas .df().to_csv()",
}


def data_dir() -> Path:
    return Path(os.environ.get("MESH_DATA_DIR", REPO_ROOT / "data")).resolve()


# -- child ------------------------------------------------------------------------------------


def _catalog_setup() -> tuple[Any, Any, Any]:
    from catalog.catalog import Catalog
    from catalog.config import Settings
    from catalog.models.principal import LOCAL_USER

    catalog = Catalog(Settings(mesh_root=REPO_ROOT / "domains", data_dir=data_dir()))
    port = catalog.product(LOCAL_USER, PRODUCT).port()
    catalog.engine.relation(port)  # attach the database now, outside the timing
    return catalog, port, LOCAL_USER


def child(mode: str, repeat: int, out_dir: Path) -> dict[str, Any]:
    """Run one way of extracting ``repeat`` times; time each, measure memory of the first."""
    started = time.perf_counter()
    import duckdb

    if mode in ("write_csv", "extract_csv"):
        import catalog.catalog  # noqa: F401  (everything the façade imports, before the baseline)
        import catalog.config  # noqa: F401
        import catalog.models.principal  # noqa: F401
    if mode in ("write_csv", "extract_csv", "duckdb_copy_guarded"):
        from catalog.engine import Column
        from catalog.extracts import ExtractRequest, csv_select_list
    if mode == "pandas":
        import pandas  # noqa: F401
    rss_imports = maxrss_mb()
    import_s = time.perf_counter() - started

    target = out_dir / f"{mode}.csv"
    if mode in ("write_csv", "extract_csv"):
        catalog, port, user = _catalog_setup()
        rows = catalog.row_count(user, PRODUCT)
        if mode == "write_csv":
            def once() -> int | bytes:
                catalog.engine.write_csv(port, ExtractRequest(), target)
                return target.stat().st_size
        else:
            def once() -> int | bytes:
                return catalog.extract_csv(user, PRODUCT)
    else:
        con = duckdb.connect(str(data_dir() / "mesh.duckdb"), read_only=True)
        rows = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        select = "*"
        if mode == "duckdb_copy_guarded":
            cols = [Column(r[0], r[1]) for r in
                    con.execute(f"DESCRIBE SELECT * FROM {TABLE}").fetchall()]
            select = csv_select_list(ExtractRequest(), cols)
        if mode == "pandas":
            def once() -> int | bytes:
                con.execute(f"SELECT * FROM {TABLE}").df().to_csv(target, index=False)
                return target.stat().st_size
        else:
            def once() -> int | bytes:
                con.execute(f"COPY (SELECT {select} FROM {TABLE}) TO '{target}' (HEADER)")
                return target.stat().st_size
    rss_setup = maxrss_mb()

    times = []
    size = lines = 0
    peak_first = 0.0
    for n in range(repeat):
        start = time.perf_counter()
        made = once()
        times.append(time.perf_counter() - start)
        if n == 0:
            peak_first = maxrss_mb()
        if isinstance(made, bytes):
            size, lines = len(made), made.count(b"\n")
        else:
            size = made
        del made
    if not lines and target.exists():
        with open(target, "rb") as f:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    target.unlink(missing_ok=True)
    return {
        "mode": mode, "rows": rows, "bytes": size, "csv_lines": lines or None,
        "import_s": import_s, "first_s": times[0], "median_s": statistics.median(times),
        "times_s": times, "rss_imports_mb": rss_imports, "rss_setup_mb": rss_setup,
        "rss_peak_first_mb": peak_first, "rss_peak_mb": maxrss_mb(),
        "peak_minus_imports_mb": peak_first - rss_imports,
    }


# -- parent -----------------------------------------------------------------------------------


def report(results: dict[str, dict[str, Any]]) -> None:
    base = results["duckdb_copy"]
    rows = []
    for mode in MODES:
        r = results[mode]
        rate = r["rows"] / r["median_s"]
        rows.append((LABELS[mode], r["median_s"], r["first_s"], rate,
                     base["median_s"] / r["median_s"], r["peak_minus_imports_mb"],
                     r["rss_setup_mb"] - r["rss_imports_mb"], r["bytes"] / 1e6))
    print("\n" + table(rows, ("way", "median s", "first s", "rows/s", "speed vs COPY",
                              "peak MB", "setup MB", "CSV MB")))
    print("(peak MB = RSS high-water mark − RSS after imports, in a fresh process; setup MB is "
          "the part taken by opening the mesh/database before extracting)")
    for mode in ("write_csv", "extract_csv"):
        r = results[mode]
        rate = r["rows"] / r["median_s"]
        print(f"{LABELS[mode]}: {rate:,.0f} rows/s (target > {ROWS_TARGET:,}: "
              f"{verdict(rate, ROWS_TARGET, lower_is_better=False)}), peak "
              f"{r['peak_minus_imports_mb']:.0f} MB (target < {MEMORY_TARGET_MB:.0f}: "
              f"{verdict(r['peak_minus_imports_mb'], MEMORY_TARGET_MB)})")
    wc, pd_ = results["write_csv"], results["pandas"]
    print(f"catalog write_csv vs pandas: {pd_['median_s'] / wc['median_s']:.1f}× faster, "
          f"{pd_['peak_minus_imports_mb'] / max(wc['peak_minus_imports_mb'], 1):.1f}× less memory; "
          f"vs bare COPY: {wc['median_s'] / base['median_s']:.2f}× the time "
          f"(the formula guard alone: {results['duckdb_copy_guarded']['median_s'] / base['median_s']:.2f}×)")
    print(f"rows {base['rows']:,}; CSV lines written (header included): "
          + ", ".join(f"{m} {results[m]['csv_lines']:,}" for m in MODES
                      if results[m]["csv_lines"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=MODES)
    parser.add_argument("--out-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.repeat, args.out_dir)))
        return 0
    database = data_dir() / "mesh.duckdb"
    if not database.exists():
        print(f"{database} does not exist; build the demo mesh with `python -m catalog build`",
              file=sys.stderr)
        return 2
    print(f"extract benchmark: {PRODUCT} from {database} ({machine_note()})", flush=True)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(dir=WORK_DIR, prefix="extract-") as tmp:
        for mode in MODES:
            results[mode] = run_child(SCRIPT, ["--child", mode, "--repeat", str(args.repeat),
                                               "--out-dir", tmp])
            r = results[mode]
            print(f"  {LABELS[mode]:<30} {r['median_s']:.2f} s, peak "
                  f"{r['peak_minus_imports_mb']:.0f} MB", flush=True)
    report(results)
    save_results("extract", {"database": str(database), "modes": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
