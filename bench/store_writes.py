"""Quality-run writes per second on the operational store: SQLite and PostgreSQL, one writer
process against four writing at once.

Each writer is its own process (as the portal, ``python -m catalog check`` and other replicas
are), opens the store from its URL and saves ``--runs`` quality runs of ``--checks`` check
results each, one transaction per run (``catalog.quality.history.save_run``, what a quality run
from the portal does). The writers start together at a barrier; throughput is all runs written
divided by the wall time from the first writer's start to the last writer's end. Both
configurations run on a fresh store in the same invocation, so the 4-writer figure and its
ratio to 1 writer are measured under the same machine load.

SQLite: a fresh file under ``bench/.work/store-writes/`` (WAL, ``synchronous`` at SQLite's
default FULL for WAL: every commit is on disk when ``save_run`` returns); writers are serialised
by ``BEGIN IMMEDIATE``, so more writers add no throughput, only waiting. PostgreSQL:
``--postgres-url`` / ``MESH_BENCH_POSTGRES_URL`` (a server you run; a fresh database is made on
it with ``createdb``), else a throw-away local cluster started with Debian's binaries
(``tests/support/postgres.py``, fsync off, so commits cost no disk flush: compare the ratio,
not the absolute figure, with SQLite's).

Usage::

    python bench/store_writes.py                    # 4 writers x 200 runs of 10 checks
    python bench/store_writes.py --runs 500 --writers 8
    python bench/store_writes.py --postgres-url postgresql://user@host:5432/postgres

``bench/scale.py`` runs the same measurement as its ``store`` section.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import WORK_DIR, machine_note, save_results, table  # noqa: E402

CONTEXT = multiprocessing.get_context("spawn")


def _run(product: str, index: int, checks: int) -> Any:
    """A quality run of ``checks`` row-count results (what a small contract's run stores)."""
    import datetime as dt

    from catalog.quality.model import Check, CheckResult, QualityRun, Status
    from catalog.quality.scoring import score

    results = [CheckResult(Check(id=f"check_{i}", product_id=product, port="p",
                                 kind="rowCount", object="o", property=None,
                                 dimension="completeness", severity="error",
                                 description="rows"), Status.PASSED, observed=index + i)
               for i in range(checks)]
    at = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=index)
    return QualityRun(uuid.uuid4().hex, product, "1.0.0", at, at, 0.1, "bench", results,
                      score(results))


def writer(url: str, worker: int, runs: int, checks: int, barrier: Any, out: Any) -> None:
    """Child process: open the store, wait for the others, save ``runs`` runs; report times."""
    from catalog.quality.history import save_run
    from catalog.store import StateStore

    store = StateStore.from_url(url)
    store.schema_revision()  # connected and migrated before the clock starts
    prepared = [_run(f"bench.p{worker}", i, checks) for i in range(runs)]
    barrier.wait(timeout=300)
    started = time.time()
    for run in prepared:
        save_run(store, run)
    out.put((worker, started, time.time()))
    store.dispose()


def measure(url: str, writers: int, runs: int, checks: int) -> dict[str, float]:
    """``writers`` processes saving ``runs`` runs each at once; runs/s over the wall time."""
    barrier = CONTEXT.Barrier(writers)
    out = CONTEXT.Queue()
    procs = [CONTEXT.Process(target=writer, args=(url, w, runs, checks, barrier, out))
             for w in range(writers)]
    for proc in procs:
        proc.start()
    times = [out.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        if proc.exitcode != 0:
            raise SystemExit(f"a writer failed (exit {proc.exitcode})")
    wall = max(t[2] for t in times) - min(t[1] for t in times)
    total = writers * runs
    return {"writers": writers, "runs": total, "wall_s": wall, "runs_per_s": total / wall,
            "ms_per_run_per_writer": 1000 * wall / runs}


def _count(url: str) -> int:
    from catalog.quality.history import all_runs
    from catalog.store import StateStore

    store = StateStore.from_url(url)
    found = len(all_runs(store))
    store.dispose()
    return found


def _createdb(server_url: str) -> str:
    """A new empty database on the server of ``server_url`` (``createdb``); its URL."""
    from tests.support import postgres

    parts = urlsplit(server_url)
    name = f"bench_{uuid.uuid4().hex[:12]}"
    bin_dir = postgres.binaries()
    createdb = str(bin_dir / "createdb") if bin_dir else "createdb"
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    subprocess.run([createdb, "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
                    "-U", parts.username or "postgres", name], check=True, env=env)
    return urlunsplit(parts._replace(path=f"/{name}"))


def measure_adapters(runs: int, checks: int, writers: int,
                     postgres_url: str | None) -> dict[str, Any]:
    """Both adapters, 1 writer then ``writers`` at once, each on a fresh store.

    Args:
        runs: runs each writer saves.
        checks: check results per run.
        writers: concurrent writers of the second figure.
        postgres_url: a PostgreSQL server (a fresh database is made on it); None starts a
            throw-away local cluster (``tests/support/postgres.py``).

    Returns:
        ``{"sqlite"|"postgresql": {"one": …, "many": …, "ratio": many/one runs per second},
        "runs_per_writer", "checks_per_run", "writers", "machine"}``.

    Raises:
        AssertionError: a store lost a run.
    """
    from tests.support import postgres

    work = WORK_DIR / "store-writes"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cluster: Path | None = None
    server = postgres_url
    if not server:
        cluster = Path(tempfile.mkdtemp(prefix="mesh-bench-pg-"))
        server = postgres.start(cluster)
    results: dict[str, Any] = {"machine": machine_note(), "runs_per_writer": runs,
                               "checks_per_run": checks, "writers": writers}
    try:
        for adapter in ("sqlite", "postgresql"):
            figures = {}
            for count in (1, writers):
                if adapter == "sqlite":
                    url = f"sqlite:///{work / f'state-{count}.sqlite'}"
                else:
                    url = _createdb(server)
                figures[count] = measure(url, count, runs, checks)
                stored = _count(url)
                assert stored == count * runs, f"{stored} runs stored, not all"
            one, many = figures[1], figures[writers]
            results[adapter] = {"one": one, "many": many,
                                "ratio": many["runs_per_s"] / one["runs_per_s"]}
    finally:
        if cluster is not None:
            postgres.stop(cluster)
            shutil.rmtree(cluster, ignore_errors=True)
    return results


def report(results: dict[str, Any]) -> None:
    """Print the figures of :func:`measure_adapters`."""
    rows: list[list[Any]] = []
    for adapter in ("sqlite", "postgresql"):
        one = results[adapter]["one"]
        for label, fig in ((f"{adapter}, 1 writer", one),
                           (f"{adapter}, {results['writers']} writers",
                            results[adapter]["many"])):
            rows.append([label, fig["runs"], fig["wall_s"], fig["runs_per_s"],
                         fig["runs_per_s"] / one["runs_per_s"]])
    print(f"Quality-run writes ({results['runs_per_writer']} runs of "
          f"{results['checks_per_run']} checks per writer, one transaction per run); "
          f"{results['machine']}\n")
    print(table(rows, ["store", "runs", "wall s", "runs/s", "x 1 writer"]))
    print("\nEvery run written was read back (nothing lost).")


def main() -> int:
    """Run both adapters with 1 and ``--writers`` writers; print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per writer (200)")
    parser.add_argument("--checks", type=int, default=10, help="check results per run (10)")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writers (4)")
    parser.add_argument("--postgres-url", default=os.environ.get("MESH_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL server (default: a throw-away local cluster)")
    args = parser.parse_args()
    results = measure_adapters(args.runs, args.checks, args.writers, args.postgres_url)
    report(results)
    print(f"\nresults: {save_results('store_writes', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
