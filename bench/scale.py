"""Scale of the catalog at 10,000 and 100,000 products: the persisted mesh index and its watcher.

Sections (each can be left out with ``--skip NAME``):

``start``
    Cold start of a fresh process running ``Catalog(settings).mesh()`` over a generated mesh
    (``bench/generate_mesh.py``): "no index" (the index file removed first: the process parses
    every manifest, builds the search index and writes the index file, which is included)
    and "index" (``--runs`` more processes starting from that file), at each size. Floor: a
    process that only imports the catalog. Memory: the process's resident set after the start
    (``VmRSS``) and its peak (``VmHWM``).
``change``
    In this process, a ``Catalog`` over the mesh with its background watcher (file events
    where the system has them, as the portal runs): ``--changes`` times, one product's
    ``product.odps.yaml`` is rewritten with a new tag, timed from the write until the snapshot
    holding it is published and a search finds it. "Work" is what the refresh that published
    it took (finding the change + re-reading, re-assembling, re-indexing, swapping). The same
    with the watcher polling (no file events; a poll every 2 s minus twice the poll's cost,
    at least three times that cost), plus the cost of one full poll and, for comparison, of one
    poll of watchdog's ``PollingObserver`` (a snapshot of every entry and its diff).
``search``
    The query mix of ``bench/search.py`` through ``Catalog.search`` (what the portal calls):
    first with nothing changing (the floor), then for at least ``--busy-seconds`` while a
    writer rewrites a product's manifest every ``--change-every`` seconds and the watcher
    swaps snapshots in.
``validate``
    ``python -m catalog validate ROOT --format json`` at the first size: cold (no index file;
    the run saves one from a detached process at the end) and warm (from that file), median
    of ``--runs`` each, against the in-process time of a plain ``load_mesh`` as the floor.

``store``
    Quality-run writes per second on the operational store, SQLite and PostgreSQL, with one
    writer process and with ``--writers`` (4) writing at once, each on a fresh store (see
    ``bench/store_writes.py``: ``--store-runs`` runs of 10 checks per writer, one transaction
    per run; PostgreSQL from ``--postgres-url`` / ``MESH_BENCH_POSTGRES_URL``, else a throw-away
    local cluster). Independent of the sizes; the figures are runs/s and the ratio to 1 writer.

Targets: start from the index ≤ 3 s at 10,000 and ≤ 15 s at 100,000 products; a changed
manifest searchable ≤ 2 s after the write, at ≤ 100 ms of work; search p95 while manifests
change ≤ 30 ms at 10,000 and ≤ 50 ms at 100,000; validate cold at 10,000 ≤ 15 s.

Usage::

    python bench/scale.py                         # 10,000 and 100,000 products (≈ 20 min)
    python bench/scale.py --quick                 # 300 and 2,000 products (≈ 1 min)
    python bench/scale.py --sizes 10000 --skip validate
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    DEFAULT_SEED,
    REPO_ROOT,
    WORK_DIR,
    child_env,
    default_mesh_root,
    machine_note,
    percentile,
    run_child,
    save_results,
    table,
    verdict,
)

SCRIPT = Path(__file__).resolve()
SCALE_DIR = WORK_DIR / "scale"
START_TARGET_S = {10_000: 3.0, 100_000: 15.0}
P95_TARGET_MS = {10_000: 30.0, 100_000: 50.0}
CHANGE_TARGET_S = 2.0
WORK_TARGET_MS = 100.0
VALIDATE_TARGET_S = 15.0
SECTIONS = ("start", "change", "search", "validate", "store")


def _target(targets: dict[int, float], size: int) -> float:
    """The target of the nearest size at or above ``size`` (the largest one beyond)."""
    for limit in sorted(targets):
        if size <= limit:
            return targets[limit]
    return targets[max(targets)]


def data_dir(size: int) -> Path:
    """The data folder of the catalog over the mesh of ``size`` products (its index file)."""
    return SCALE_DIR / f"data-{size}"


def _memory() -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` of this process, MB (Linux; empty elsewhere)."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return out


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (user + system): what the
    wall time would be on an idle core, for the single-threaded parts."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


# -- children (fresh processes) ----------------------------------------------------------------
def child_imports() -> dict[str, Any]:
    """A process that only imports the catalog (the floor of a start)."""
    started = time.perf_counter()
    import catalog.catalog  # noqa: F401

    return {"import_s": time.perf_counter() - started, **_memory(), "cpu_s": _cpu(),
            "ended_at": time.time()}


def child_start(root: Path, data: Path) -> dict[str, Any]:
    """``Catalog(settings).mesh()`` in this fresh process; what the index did, memory."""
    started = time.perf_counter()
    from catalog.catalog import Catalog
    from catalog.config import Settings

    imported = time.perf_counter()
    catalog = Catalog(Settings(mesh_root=root, data_dir=data))
    mesh = catalog.mesh()
    done = time.perf_counter()
    report = catalog.mesh_index.last_refresh
    assert report is not None
    return {"import_s": imported - started, "mesh_s": done - imported,
            "products": len(mesh.products), "source": report.source, "parsed": report.parsed,
            "scan_s": report.scan_seconds, "apply_s": report.apply_seconds,
            "saved": catalog.mesh_index.saves, **_memory(), "cpu_s": _cpu(),
            "ended_at": time.time()}


def _timed_child(kind: str, *args: str) -> dict[str, Any]:
    """Run a child; adds ``wall_s``: from before the process was started to the end of its
    work (its exit, skipped with ``os._exit``, is not counted)."""
    before = time.time()
    result = run_child(SCRIPT, ["--child", kind, *args])
    result["wall_s"] = result["ended_at"] - before
    return result


# -- sections ----------------------------------------------------------------------------------
def section_start(size: int, root: Path, runs: int) -> dict[str, Any]:
    """Cold start without and with the index file, and the imports-only floor."""
    from catalog.mesh_index.persist import cache_file

    data = data_dir(size)
    data.mkdir(parents=True, exist_ok=True)
    index_file = cache_file(data, root)
    floor = [_timed_child("imports") for _ in range(runs)]
    index_file.unlink(missing_ok=True)
    print(f"  [{size:,}] start without the index file …", flush=True)
    cold = _timed_child("start", str(root), str(data))
    warm = []
    for n in range(runs):
        warm.append(_timed_child("start", str(root), str(data)))
        print(f"  [{size:,}] start from the index, run {n + 1}: {warm[-1]['wall_s']:.2f} s",
              flush=True)
    return {"floor": floor, "cold": cold, "warm": warm,
            "index_mb": index_file.stat().st_size / 1e6 if index_file.exists() else None}


def _products_to_change(mesh: Any, count: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    products = sorted(mesh.products.values(), key=lambda p: p.id)
    return rng.sample(products, min(count, len(products)))


def _rewrite(product: Any, token: str) -> None:
    """Rewrite a product's ODPS file with one more tag (as an editor saves it: in place)."""
    import yaml

    path = product.odps_file
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["tags"] = [*(doc.get("tags") or []), token]
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _restore(originals: dict[Path, bytes]) -> None:
    for path, data in originals.items():
        path.write_bytes(data)


def _time_changes(products: list[Any], snapshot: Callable[[], Any], search: Callable[[str], Any],
                  last_refresh: Callable[[], Any], label: str, size: int) -> list[dict[str, Any]]:
    """Change each product in turn; time until a published snapshot finds it.

    An in-place write can be seen half done (an empty or cut file: the product keeps its last
    good version for that snapshot), so the wait goes on until a snapshot finds the new tag.
    """
    out = []
    for product in products:
        token = "probe" + "".join(random.choices("bcdfghjklmnpqrstvwxz", k=10))
        generation = snapshot().generation
        written = time.time()
        _rewrite(product, token)
        deadline = time.monotonic() + 30
        found = False
        seen = snapshot()
        while time.monotonic() < deadline:
            seen = snapshot()
            if seen.generation != generation:
                generation = seen.generation
                hits = search(token).hits
                if hits and hits[0].product_id == product.id:
                    found = True
                    break
            time.sleep(0.002)
        report = last_refresh()
        out.append({"found_s": seen.published_at - written, "found": found,
                    "scan_ms": report.scan_seconds * 1000 if report else float("nan"),
                    "apply_ms": report.apply_seconds * 1000 if report else float("nan"),
                    "parsed": report.parsed if report else -1})
        time.sleep(0.3)  # let the watcher settle before the next change
    ok = sum(r["found"] for r in out)
    print(f"  [{size:,}] {label}: {ok}/{len(out)} changes found, median "
          f"{statistics.median(r['found_s'] for r in out):.2f} s", flush=True)
    return out


def section_change(size: int, root: Path, changes: int, seed: int) -> dict[str, Any]:
    """A changed manifest through the watcher, with file events and with polling."""
    from catalog.catalog import Catalog
    from catalog.config import Settings
    from catalog.mesh_index.index import MeshIndex
    from catalog.mesh_index.persist import cache_file
    from catalog.mesh_index.watcher import MeshWatcher
    from catalog.models.principal import LOCAL_USER
    from catalog.search import SearchQuery

    data = data_dir(size)
    catalog = Catalog(Settings(mesh_root=root, data_dir=data))
    mesh = catalog.mesh()
    watcher = catalog._watcher
    assert watcher is not None and watcher.wait_ready(120)
    products = _products_to_change(mesh, changes * 2, seed)
    originals = {p.odps_file: p.odps_file.read_bytes() for p in products}
    try:
        events = _time_changes(
            products[:changes], catalog.mesh_index.snapshot,
            lambda text: catalog.search(LOCAL_USER, SearchQuery(text)),
            lambda: watcher.last, f"watcher ({watcher.mode})", size)
        watcher.stop()
        polling_index = MeshIndex(root, cache_file(data, root), read_only=True)
        polling_index.snapshot()
        full = [polling_index.refresh() for _ in range(3)]
        poller = MeshWatcher(polling_index, interval=CHANGE_TARGET_S, events=False).start()
        assert poller.wait_ready(60)
        polling = _time_changes(
            products[changes:], polling_index.snapshot,
            lambda text: polling_index.snapshot().search.search(SearchQuery(text)),
            lambda: poller.last, "watcher (polling)", size)
        period = poller.period
        poller.stop()
    finally:
        _restore(originals)
    return {"mode": watcher.mode, "events": events, "polling": polling,
            "poll_period_s": period,
            "full_poll_ms": statistics.median(r.scan_seconds for r in full) * 1000,
            "full_poll_cpu_ms": _poll_cpu_ms(polling_index),
            "watchdog_poll": _watchdog_poll(root),
            "files": len(polling_index.snapshot().mesh.products)}


def _poll_cpu_ms(index: Any) -> float:
    """CPU ms of one full stat poll of the index's tree (median of 3; nothing changed)."""
    times = []
    for _ in range(3):
        started = time.thread_time()
        index.refresh()
        times.append((time.thread_time() - started) * 1000)
    return statistics.median(times)


def _watchdog_poll(root: Path) -> dict[str, float]:
    """What one poll of watchdog's ``PollingObserver`` costs on the same tree: a
    ``DirectorySnapshot`` of every entry and its comparison with the previous one (ms, wall
    and CPU of this thread)."""
    from watchdog.utils.dirsnapshot import DirectorySnapshot, DirectorySnapshotDiff

    before = DirectorySnapshot(str(root), recursive=True)
    wall, cpu = time.perf_counter(), time.thread_time()
    after = DirectorySnapshot(str(root), recursive=True)
    DirectorySnapshotDiff(before, after)
    return {"wall_ms": (time.perf_counter() - wall) * 1000,
            "cpu_ms": (time.thread_time() - cpu) * 1000}


def section_search(size: int, root: Path, queries: int, repeat: int, change_every: float,
                   seed: int, busy_seconds: float = 20.0) -> dict[str, Any]:
    """Search latency through Catalog.search, without and with manifests changing."""
    from bench.search import build_queries
    from catalog.catalog import Catalog
    from catalog.config import Settings
    from catalog.models.principal import LOCAL_USER

    catalog = Catalog(Settings(mesh_root=root, data_dir=data_dir(size)))
    mesh = catalog.mesh()
    watcher = catalog._watcher
    assert watcher is not None and watcher.wait_ready(120)
    mix = build_queries(list(mesh.products.values()), queries, seed)
    rng = random.Random(seed + 1)
    for q in rng.sample(mix, 10):
        catalog.search(LOCAL_USER, q.query)

    def run_mix(at_least_s: float = 0.0) -> list[float]:
        """``repeat`` passes over the mix, and more until ``at_least_s`` seconds went by."""
        times: list[float] = []
        began = time.monotonic()
        passes = 0
        while passes < repeat or time.monotonic() - began < at_least_s:
            order = mix[:]
            rng.shuffle(order)
            for q in order:
                started = time.perf_counter()
                catalog.search(LOCAL_USER, q.query)
                times.append((time.perf_counter() - started) * 1000)
            passes += 1
        return times

    quiet = run_mix()
    products = _products_to_change(mesh, 10_000, seed + 2)
    originals: dict[Path, bytes] = {}
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        """Rewrite one product's manifest every ``change_every`` seconds."""
        n = 0
        while not stop.wait(change_every):
            product = products[n % len(products)]
            originals.setdefault(product.odps_file, product.odps_file.read_bytes())
            _rewrite(product, f"searchload{n}")
            written[0] += 1
            n += 1

    generation = catalog.mesh_index.snapshot().generation
    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        busy = run_mix(at_least_s=busy_seconds)
    finally:
        stop.set()
        thread.join()
        time.sleep(0.5)
        _restore(originals)
    swaps = catalog.mesh_index.snapshot().generation - generation
    watcher.stop()
    return {
        "queries": len(mix), "timed": len(quiet), "timed_busy": len(busy),
        "quiet": {"p50_ms": percentile(quiet, 50), "p95_ms": percentile(quiet, 95),
                  "max_ms": max(quiet)},
        "busy": {"p50_ms": percentile(busy, 50), "p95_ms": percentile(busy, 95),
                 "max_ms": max(busy)},
        "changes_written": written[0], "snapshots_swapped": swaps,
    }


def _validate_run(root: Path, data: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "catalog", "validate", str(root), "--format",
                           "json"], cwd=REPO_ROOT, env=child_env(MESH_DATA_DIR=str(data)),
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"validate failed with exit code {proc.returncode}")
    return seconds, json.loads(proc.stdout)["summary"]


def _wait_for_saver(index_file: Path, timeout: float = 120.0) -> None:
    """Wait until the detached process a cold validate starts has written the index file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        temps = list(index_file.parent.glob(f".{index_file.name}.*.tmp"))
        if index_file.exists() and not temps:
            return
        time.sleep(0.2)


def child_load_mesh(root: Path) -> dict[str, Any]:
    """A plain ``load_mesh`` in this fresh process (the floor of validate)."""
    started = time.perf_counter()
    from catalog.manifests.loader import load_mesh

    imported = time.perf_counter()
    mesh = load_mesh(root)
    return {"import_s": imported - started, "load_s": time.perf_counter() - imported,
            "products": len(mesh.products), "ended_at": time.time()}


def section_validate(size: int, root: Path, runs: int) -> dict[str, Any]:
    """``python -m catalog validate`` cold and warm, and a plain load as the floor."""
    from catalog.mesh_index.persist import cache_file

    data = data_dir(size) / "validate"
    data.mkdir(parents=True, exist_ok=True)
    index_file = cache_file(data, root)
    floor = _timed_child("load_mesh", str(root))
    cold, warm = [], []
    summary: dict[str, Any] = {}
    for n in range(runs):
        if n:
            _wait_for_saver(index_file)  # the previous run's detached saver
        index_file.unlink(missing_ok=True)
        seconds, summary = _validate_run(root, data)
        cold.append(seconds)
        print(f"  [{size:,}] validate without the index file, run {n + 1}: {seconds:.2f} s",
              flush=True)
    _wait_for_saver(index_file)
    for n in range(runs):
        seconds, warm_summary = _validate_run(root, data)
        assert warm_summary == summary, (warm_summary, summary)
        warm.append(seconds)
        print(f"  [{size:,}] validate from the index, run {n + 1}: {seconds:.2f} s", flush=True)
    return {"cold_s": cold, "warm_s": warm, "summary": summary, "floor": floor}


# -- report ------------------------------------------------------------------------------------
def report(results: dict[str, Any]) -> None:
    """Print every section's figures with targets and ratios."""
    rows: list[tuple[Any, ...]] = []
    for size, r in sorted(results["start"].items(), key=lambda kv: int(kv[0])):
        size = int(size)
        floor = statistics.median(f["wall_s"] for f in r["floor"])
        warm = statistics.median(w["wall_s"] for w in r["warm"])
        cold = r["cold"]
        target = _target(START_TARGET_S, size)
        nan = float("nan")
        rows.append((f"{size:,}", "imports only (floor)", floor,
                     statistics.median(f.get("cpu_s", nan) for f in r["floor"]), "1.0×", "", "",
                     r["floor"][0].get("VmRSS", nan)))
        rows.append((f"{size:,}", f"no index file ({cold['parsed']:,} files parsed, "
                     f"index written)", cold["wall_s"], cold.get("cpu_s", nan),
                     f"{cold['wall_s'] / floor:.1f}×", "", "", cold.get("VmRSS", nan)))
        rows.append((f"{size:,}", f"from the index ({r['index_mb']:.0f} MB), median of "
                     f"{len(r['warm'])}", warm,
                     statistics.median(w.get("cpu_s", nan) for w in r["warm"]),
                     f"{warm / floor:.1f}×", f"≤ {target:.0f} s", verdict(warm, target + 1e-9),
                     statistics.median(w.get("VmRSS", nan) for w in r["warm"])))
    if rows:
        print("\nProcess start, Catalog(settings).mesh() in a fresh process (wall seconds; CPU "
              "seconds of the process and its forked child, the wall time on idle cores):")
        print(table(rows, ("products", "start", "s", "CPU s", "vs floor", "target", "",
                           "RSS MB")))
        peaks = [(f"{int(s):,}", r["cold"].get("VmHWM", float("nan")),
                  statistics.median(w.get("VmHWM", float("nan")) for w in r["warm"]))
                 for s, r in sorted(results["start"].items(), key=lambda kv: int(kv[0]))]
        print("peak memory (VmHWM, MB): " + "; ".join(
            f"{s}: {c:,.0f} without the index, {w:,.0f} from it" for s, c, w in peaks))
    rows = []
    for size, r in sorted(results["change"].items(), key=lambda kv: int(kv[0])):
        period = r.get("poll_period_s", float("nan"))
        for label, runs in ((f"watcher ({r['mode']})", r["events"]),
                            (f"watcher (polling, one poll every {period:.2f} s)", r["polling"])):
            found = [x["found_s"] for x in runs]
            work = [x["scan_ms"] + x["apply_ms"] for x in runs]
            rows.append((f"{int(size):,}", label,
                         f"{sum(x['found'] for x in runs)}/{len(runs)}",
                         statistics.median(found), max(found), statistics.median(work), max(work),
                         statistics.median(x["apply_ms"] for x in runs),
                         verdict(max(found), CHANGE_TARGET_S + 1e-9)
                         + " / " + verdict(max(work), WORK_TARGET_MS + 1e-9)))
        rows.append((f"{int(size):,}", "one full poll (stat every file and folder; CPU ms "
                     f"{r.get('full_poll_cpu_ms', float('nan')):.0f})", "", "", "",
                     r["full_poll_ms"], "", "", ""))
        if "watchdog_poll" in r:
            rows.append((f"{int(size):,}", "one poll of watchdog's PollingObserver (snapshot + "
                         f"diff; CPU ms {r['watchdog_poll']['cpu_ms']:.0f})", "", "", "",
                         r["watchdog_poll"]["wall_ms"], "", "", ""))
    if rows:
        print("\nOne changed manifest until a search finds it (s), and the work of the refresh "
              "that published it (ms):")
        print(table(rows, ("products", "how", "found", "median s", "max s", "work ms",
                           "max ms", "apply ms", f"≤ {CHANGE_TARGET_S:.0f} s / "
                           f"≤ {WORK_TARGET_MS:.0f} ms")))
    rows = []
    for size, r in sorted(results["search"].items(), key=lambda kv: int(kv[0])):
        target = _target(P95_TARGET_MS, int(size))
        q, b = r["quiet"], r["busy"]
        rows.append((f"{int(size):,}", "nothing changing (floor)", q["p50_ms"], q["p95_ms"],
                     q["max_ms"], "", ""))
        rows.append((f"{int(size):,}", f"while manifests change ({r.get('timed_busy', 0):,} "
                     f"searches, {r['changes_written']} writes, {r['snapshots_swapped']} swaps)",
                     b["p50_ms"], b["p95_ms"],
                     b["max_ms"], f"p95 ≤ {target:.0f} ms", verdict(b["p95_ms"], target)))
    if rows:
        timed = next(iter(results["search"].values()))["timed"]
        print(f"\nCatalog.search over the query mix ({timed:,} searches a pass, ms):")
        print(table(rows, ("products", "while", "p50", "p95", "max", "target", "")))
    if results.get("store"):
        from bench.store_writes import report as store_report

        print()
        store_report(results["store"])
    for size, r in results["validate"].items():
        cold, warm = statistics.median(r["cold_s"]), statistics.median(r["warm_s"])
        floor = r["floor"]["wall_s"]
        print(f"\npython -m catalog validate over {int(size):,} products "
              f"({r['summary']['errors']:,} errors, {r['summary']['warnings']:,} warnings):")
        print(table([
            ("plain load_mesh in a fresh process (floor)", floor, "1.0×", "", ""),
            (f"no index file, median of {len(r['cold_s'])}", cold, f"{cold / floor:.1f}×",
             f"≤ {VALIDATE_TARGET_S:.0f} s", verdict(cold, VALIDATE_TARGET_S)),
            (f"from the index, median of {len(r['warm_s'])}", warm, f"{warm / floor:.1f}×",
             "", ""),
        ], ("run", "s", "vs floor", "target", "")))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one measuring child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--quick", action="store_true", help="300 and 2,000 products, fewer runs")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS)
    parser.add_argument("--runs", type=int, default=3, help="processes per start/validate figure")
    parser.add_argument("--changes", type=int, default=5, help="changed manifests timed per mode")
    parser.add_argument("--queries", type=int, default=520)
    parser.add_argument("--repeat", type=int, default=2, help="passes over the query mix")
    parser.add_argument("--change-every", type=float, default=0.2,
                        help="seconds between two manifest writes during the search section")
    parser.add_argument("--busy-seconds", type=float, default=20.0,
                        help="the search section searches at least this long while manifests "
                             "change")
    parser.add_argument("--store-runs", type=int, default=200,
                        help="quality runs each writer saves in the store section")
    parser.add_argument("--writers", type=int, default=4,
                        help="writer processes at once in the store section")
    parser.add_argument("--postgres-url", default=os.environ.get("MESH_BENCH_POSTGRES_URL"),
                        help="PostgreSQL server of the store section (default: a local cluster)")
    parser.add_argument("--reuse", action="store_true",
                        help="use a generated mesh as it is, even if the demo manifests it was "
                             "cloned from changed since (no regeneration)")
    parser.add_argument("--child", choices=("imports", "start", "load_mesh"))
    parser.add_argument("args", nargs="*")
    args = parser.parse_args(argv)
    if args.child:
        paths = [Path(a) for a in args.args]
        result = (child_imports() if args.child == "imports" else
                  child_start(*paths) if args.child == "start" else child_load_mesh(*paths))
        print(json.dumps(result), flush=True)
        os._exit(0)  # skip freeing the mesh object by object: not part of a start
    if args.quick:
        args.sizes, args.runs, args.changes, args.queries, args.repeat, args.busy_seconds = (
            [300, 2000], 2, 3, 120, 1, 3.0)
    from bench.generate_mesh import ensure_mesh

    print(f"scale benchmark, sizes {args.sizes} ({machine_note()})", flush=True)
    results: dict[str, Any] = {name: {} for name in SECTIONS}
    for size in args.sizes:
        root = default_mesh_root(size, args.seed).resolve()
        if not (args.reuse and (root / ".generated.json").is_file()):
            ensure_mesh(root, size, seed=args.seed)
        if "start" not in args.skip:
            results["start"][size] = section_start(size, root, args.runs)
        if "change" not in args.skip:
            results["change"][size] = section_change(size, root, args.changes, args.seed)
        if "search" not in args.skip:
            results["search"][size] = section_search(size, root, args.queries, args.repeat,
                                                     args.change_every, args.seed,
                                                     args.busy_seconds)
        if "validate" not in args.skip and size == args.sizes[0]:
            results["validate"][size] = section_validate(size, root, args.runs)
    if "store" not in args.skip:
        from bench.store_writes import measure_adapters

        results["store"] = measure_adapters(args.store_runs, 10, args.writers, args.postgres_url)
    results["machine"] = machine_note()
    report(results)
    save_results("scale", results)
    print(f"\n({machine_note()}; index files under {SCALE_DIR})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
