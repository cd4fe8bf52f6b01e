"""Engines benchmark: the 12-rule quality suite and extracts of TPC-H lineitem SF1 (6,001,215
rows) on DuckDB, PostgreSQL and Spark, each read where it lives.

Per engine, each plan in a fresh process (median of ``--repeat`` runs):

    engine      the platform's quality run: ``derive_checks`` on bench/quality/lineitem.odcs.yaml,
                ``run_checks`` on the engine's adapter (SQL planned in DuckDB's dialect and
                translated), failing-row samples included
    per_check   the suite's 12 hand-written queries (bench/quality_suite.py), one after the
                other, translated to the engine's dialect
    full_read   that engine's forced full read of every column the rules read: DuckDB
                ``sum(hash(c))``, Spark ``sum(hash(c))``, PostgreSQL ``count(c)`` (a row store
                reads whole rows anyway)
    extract_csv / extract_parquet
                ``Engine.write_extract`` of the whole table to a file: rows/s and peak memory

Spark also runs the engine plan on ``local[1]`` and ``local[2]`` (scaling with cores), the two
masters alternating run by run so both see the same machine; the bench prints each run's load
average and the JVM's CPU time over its work time (the cores Spark really had), then the
speed-up, and says when the machine was too busy for the speed-up to mean anything (a load
average above the CPU count minus one during a run: Spark's second core was not free).
``--scaling`` runs that comparison alone. Peak
memory is the Python process's high-water mark (``VmHWM``); for Spark the JVM (a child of the
Python process) is reported apart; PostgreSQL's server memory is its own and not counted.

Data: the Parquet file of bench/quality_data.py (made with tpchgen-cli on first use), hard-linked
into ``bench/.work/engines/``; PostgreSQL: ``MESH_BENCH_POSTGRES_URL``, else a throw-away local
cluster (Debian's binaries, as the tests use), loaded once with COPY into ``tpch.lineitem``.

Usage::

    python bench/engines.py                      # every engine, 3 runs per plan
    python bench/engines.py --engines duckdb spark --repeat 1
    python bench/engines.py --scaling --repeat 3   # Spark local[1] vs local[2] only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    BENCH_DIR,
    REPO_ROOT,
    WORK_DIR,
    child_env,
    machine_note,
    save_results,
    table,
)

SCRIPT = Path(__file__).resolve()
DATA_DIR = WORK_DIR / "engines"
PG_DIR = WORK_DIR / "engines-pg"
ENGINES = ("duckdb", "postgres", "spark")
PLANS = ("engine", "per_check", "full_read", "extract_csv", "extract_parquet")
SERVERS = {
    "duckdb": {"server": "local", "type": "local", "format": "parquet",
               "path": "lineitem.parquet"},
    "postgres": {"server": "bench-pg", "type": "postgres", "host": "localhost", "port": 5432,
                 "database": "postgres", "schema": "tpch"},
    "spark": {"server": "bench-spark", "type": "custom", "format": "parquet",
              "path": "lineitem.parquet"},
}


def _vmhwm_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (``/proc/<pid>/stat``), 0 when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _jvm_cpu_s() -> float:
    """CPU seconds used so far by this process's children (the Spark JVM)."""
    return sum(_cpu_s(child) for child in _children(os.getpid()))


class _JvmPeak:
    """Samples the JVM child's resident size every 0.2 s (its own VmHWM, read at the end)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for child in _children(os.getpid()):
                self.peak = max(self.peak, _vmhwm_mb(child))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        for child in _children(os.getpid()):
            self.peak = max(self.peak, _vmhwm_mb(child))
        return self.peak


# -- child: one plan on one engine ---------------------------------------------------------------

def _server(engine: str) -> Any:
    from open_data_contract_standard.model import Server

    return Server(**SERVERS[engine])


def child(plan: str, engine_name: str) -> int:
    """Run one plan on one engine in this process; print one JSON line."""
    import yaml

    from bench.quality_suite import SUITES, columns
    from catalog.engine import Engine
    from catalog.quality.derive import derive_checks
    from catalog.quality.runner import run_checks
    from catalog.sandbox import Limits

    jvm = _JvmPeak() if engine_name == "spark" else None
    imports_mb = _vmhwm_mb()
    engine = Engine(DATA_DIR, limits=Limits(timeout_s=3600, memory_mb=256))
    located = engine.resolver.locate_server(_server(engine_name), "lineitem")
    adapter, relation = located.adapter, located.relation
    if engine_name == "spark":  # start the session (and register the view) outside the timing
        adapter.fetch_one("SELECT 1")
    jvm_cpu = _jvm_cpu_s() if jvm is not None else 0.0
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    figures: dict[str, Any] = {}
    if plan == "engine":
        raw = yaml.safe_load((BENCH_DIR / "quality" / "lineitem.odcs.yaml").read_text())
        checks = derive_checks(raw, product_id="bench.lineitem", port="lineitem")
        results = run_checks(engine, lambda _obj: located, checks, raw_contract=raw)
        figures["statuses"] = {r.check.id: str(r.status) for r in results}
        figures["observed"] = {r.check.id: r.observed for r in results}
    elif plan == "per_check":
        figures["values"] = {r.id: str(adapter.fetch_one(r.query.replace("{rel}", relation))[0])
                             for r in SUITES["lineitem"]}
    elif plan == "full_read":
        cols = columns("lineitem")
        if engine_name == "postgres":
            adapter.fetch_one("SELECT " + ", ".join(f"count({c})" for c in cols) +
                              f" FROM {relation}")
        elif engine_name == "spark":
            session = adapter.session  # type: ignore[attr-defined]
            view = relation.strip('"')
            session.sql("SELECT " + ", ".join(f"sum(hash({c}))" for c in cols) +
                        f" FROM {view}").collect()
        else:
            adapter.fetch_one("SELECT " + ", ".join(f"sum(hash({c}))" for c in cols) +
                              f" FROM {relation}")
    else:
        from catalog.extracts import ExtractRequest

        fmt = plan.split("_", 1)[1]
        port_like = located
        target = Path(tempfile.mkdtemp(dir=DATA_DIR)) / f"lineitem.{fmt}"
        select = "*"
        if fmt == "csv":
            from catalog.extracts import csv_select_list

            select = csv_select_list(ExtractRequest(), adapter.describe(relation))
        rows = port_like.adapter.write_file(f"SELECT {select} FROM {relation}", None, target,
                                            fmt)
        figures["rows"] = rows
        figures["bytes"] = target.stat().st_size
        target.unlink()
        target.parent.rmdir()
    work = time.perf_counter() - started
    load = max(load_before, os.getloadavg()[0])
    if jvm is not None:
        figures["jvm_cpu_s"] = _jvm_cpu_s() - jvm_cpu
    engine.close()
    out = {"work_s": work, "imports_mb": imports_mb, "peak_mb": _vmhwm_mb(), "load": load,
           **figures}
    if jvm is not None:
        out["jvm_peak_mb"] = jvm.stop()
    print(json.dumps(out))
    return 0


# -- parent ---------------------------------------------------------------------------------------

def _prepare(engines: list[str]) -> dict[str, str]:
    """The data file in the data folder, the PostgreSQL table; the environment for children."""
    from bench.quality_data import DATA_SETS, ensure

    ensure(["lineitem-sf1"])
    source = DATA_SETS["lineitem-sf1"].path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    target = DATA_DIR / "lineitem.parquet"
    if not target.exists():
        try:
            os.link(source, target)
        except OSError:
            import shutil

            shutil.copy(source, target)
    env: dict[str, str] = {"MESH_SPARK_WAREHOUSE": str(WORK_DIR / "spark-warehouse")}
    if "postgres" in engines:
        url = os.environ.get("MESH_BENCH_POSTGRES_URL", "")
        if not url:
            from tests.support import postgres

            url_file = PG_DIR / postgres.URL_FILE
            if url_file.exists() and (PG_DIR / "data" / "postmaster.pid").exists():
                url = url_file.read_text().strip()
            else:
                print("starting a local PostgreSQL for the benchmark", flush=True)
                url = postgres.start(PG_DIR)
        env["MESH_PG_URL_BENCH_PG"] = url
        import psycopg

        with psycopg.connect(url) as con:
            loaded = con.execute("SELECT to_regclass('tpch.lineitem') IS NOT NULL").fetchone()
            rows = con.execute("SELECT count(*) FROM tpch.lineitem").fetchone() \
                if loaded and loaded[0] else (0,)
        if not rows or rows[0] != DATA_SETS["lineitem-sf1"].rows:
            from catalog.engines.loading import load_into_postgres
            from catalog.sql import quote_literal

            print("loading lineitem into PostgreSQL (COPY)…", flush=True)
            started = time.perf_counter()
            load_into_postgres(f"read_parquet({quote_literal(str(target))})", url, "tpch",
                               "lineitem", scratch=DATA_DIR)
            print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return env


def _run(plan: str, engine: str, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(SCRIPT), "--child", plan, engine],
                          cwd=REPO_ROOT, env=child_env(**env), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
        raise SystemExit(f"{plan} on {engine} failed ({proc.returncode})")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return {"wall_s": wall, **json.loads(lines[-1])}


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["work_s"])
    best = dict(ordered[len(ordered) // 2])
    best["works_s"] = [r["work_s"] for r in runs]
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--plans", nargs="*", default=list(PLANS), choices=PLANS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scaling", action="store_true",
                        help="only the Spark quality suite on local[1] and local[2]")
    parser.add_argument("--child", nargs=2, metavar=("PLAN", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    print(f"engines benchmark ({machine_note()}; {args.repeat} run(s) per plan)", flush=True)
    if args.scaling:
        return _scaling(_prepare(["spark"]), args.repeat)
    env = _prepare(args.engines)
    results: dict[str, dict[str, Any]] = {}
    runs: list[tuple[str, str, dict[str, str]]] = [
        (engine, plan, {}) for engine in args.engines for plan in args.plans]
    for engine, plan, extra in runs:
        label = f"{engine}/{plan}"
        master = {"MESH_SPARK_MASTER": "local[2]"} if engine == "spark" else {}
        figures = [_run(plan.split("@")[0], engine, {**env, **master, **extra})
                   for _ in range(args.repeat)]
        results[label] = _median(figures)
        f = results[label]
        print(f"  {label:28} work {f['work_s']:7.2f} s  wall {f['wall_s']:6.1f} s  "
              f"peak {f['peak_mb']:6.0f} MB" + (f"  JVM {f['jvm_peak_mb']:6.0f} MB"
                                                 if "jvm_peak_mb" in f else "")
              + f"  load {f['load']:5.2f}", flush=True)
    rows = []
    for engine in args.engines:
        floor = results.get(f"{engine}/full_read", {}).get("work_s")
        per_check = results.get(f"{engine}/per_check", {}).get("work_s")
        for label, f in results.items():
            if not label.startswith(engine + "/"):
                continue
            rate = f"{f['rows'] / f['work_s']:,.0f}" if "rows" in f else ""
            rows.append([label, f["work_s"], f["peak_mb"], f.get("jvm_peak_mb", ""),
                         f["work_s"] / floor if floor else "",
                         f["work_s"] / per_check if per_check else "", rate])
    print("\n" + table(rows, ("engine/plan", "work s", "peak MB", "JVM MB", "×full read",
                              "×per check", "rows/s")))
    agreement = {}
    for engine in args.engines:
        statuses = results.get(f"{engine}/engine", {}).get("statuses")
        if statuses is not None:
            agreement[engine] = statuses
    if agreement:
        reference = next(iter(agreement.values()))
        for engine, statuses in agreement.items():
            differ = [k for k in reference if statuses.get(k) != reference[k]]
            print(f"verdicts on {engine}: "
                  + ("same as the first engine" if not differ else f"DIFFER on {differ}"))
    if "spark" in args.engines and "engine" in args.plans:
        _scaling(env, args.repeat)
    save_results("engines", {"machine": machine_note(), "repeat": args.repeat,
                             "results": results})
    return 0


def _scaling(env: dict[str, str], repeat: int) -> int:
    """Spark's quality suite on ``local[1]`` and ``local[2]``, the masters alternating run by
    run; prints each run with its load and the cores the JVM used, then the speed-up and
    whether the machine was quiet enough for it to mean anything."""
    cpus = os.cpu_count() or 1
    runs: dict[str, list[dict[str, Any]]] = {"local[1]": [], "local[2]": []}
    for _ in range(repeat):
        for master, done in runs.items():
            f = _run("engine", "spark", {**env, "MESH_SPARK_MASTER": master})
            done.append(f)
            print(f"  spark/engine@{master:9} work {f['work_s']:7.2f} s  load {f['load']:5.2f}"
                  f"  cores used {f['jvm_cpu_s'] / f['work_s']:4.2f}", flush=True)
    one, two = (_median(runs[m]) for m in ("local[1]", "local[2]"))
    loads = [f["load"] for done in runs.values() for f in done]
    print(f"Spark quality suite (lineitem SF1, median of {repeat}): local[1] "
          f"{one['work_s']:.1f} s, local[2] {two['work_s']:.1f} s: speed-up "
          f"{one['work_s'] / two['work_s']:.2f}x with 2 cores (JVM used "
          f"{one['jvm_cpu_s'] / one['work_s']:.2f} and {two['jvm_cpu_s'] / two['work_s']:.2f} "
          f"cores; load average {min(loads):.2f}-{max(loads):.2f} on {cpus} CPUs)")
    if max(loads) > cpus - 1:
        print(f"  NOT a valid scaling figure: the load average reached {max(loads):.2f} on "
              f"{cpus} CPUs, so Spark's second core was busy with other work; rerun on a "
              "quiet machine.")
    save_results("engines-scaling", {"machine": machine_note(), "repeat": repeat,
                                     "runs": runs})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
