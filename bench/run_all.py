"""Run every benchmark in sequence and print a summary table of the headline figures.

Steps: generate the synthetic mesh (skipped when up to date) → manifests → search → extract →
register (its 1,000,000-row CSV is made on first use) → quality (its data sets are made on
first use; Soda Core and datacontract-cli are installed into their own venvs under bench/.work/
on first use) → api (the HTTP API through a real server: search, TPC-H extracts, 20 clients).
Each benchmark runs as its own process and prints its full report; the summary at the end is
read from ``bench/.work/results/*.json``. Exits non-zero if a benchmark crashes; a missed
target is reported, not an error.

Usage::

    python bench/run_all.py                 # 10,000 products (about 5 min on 2 cores)
    python bench/run_all.py --products 2000 # a quicker pass
    python bench/run_all.py --profile       # add cProfiles of the cold load and slowest searches
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    BENCH_DIR,
    DEFAULT_PRODUCTS,
    DEFAULT_SEED,
    REPO_ROOT,
    RESULTS_DIR,
    child_env,
    default_mesh_root,
    machine_note,
    table,
    verdict,
)
from bench.api import MEMORY_TARGET_MB as API_MEMORY_TARGET_MB  # noqa: E402
from bench.api import SPEED_TARGET as API_SPEED_TARGET  # noqa: E402
from bench.extract import MEMORY_TARGET_MB, ROWS_TARGET  # noqa: E402
from bench.manifests import COLD_TARGET_S, WARM_TARGET_S  # noqa: E402
from bench.register import TARGET_S as REGISTER_TARGET_S  # noqa: E402
from bench.search import P95_TARGET_MS  # noqa: E402
from bench.validate import COLD_TARGET_S as VALIDATE_TARGET_S  # noqa: E402


def step(name: str, args: list[str]) -> float:
    """Run ``bench/<name>.py args``, streaming its output; stop on a crash."""
    (RESULTS_DIR / f"{name}.json").unlink(missing_ok=True)
    print(f"\n{'=' * 100}\n$ python bench/{name}.py {' '.join(args)}\n", flush=True)
    started = time.perf_counter()
    code = subprocess.call([sys.executable, str(BENCH_DIR / f"{name}.py"), *args],
                           cwd=REPO_ROOT, env=child_env())
    if code != 0:
        raise SystemExit(f"bench/{name}.py failed with exit code {code}")
    return time.perf_counter() - started


def _load(name: str) -> dict[str, Any]:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def summary(ran: set[str]) -> list[tuple[str, str, str, str, str]]:
    """Headline figures of the benchmarks in ``ran``, with their targets."""
    rows: list[tuple[str, str, str, str, str]] = []
    m = _load("manifests") if "manifests" in ran else {}
    if m:
        files = m["breakdown"]["files"]
        for label, part, key, target in (
            ("load_mesh cold", "load", "cold_s", COLD_TARGET_S),
            ("load_mesh warm", "load", "warm_s", WARM_TARGET_S),
            ("Catalog.mesh() cold", "catalog", "cold_s", COLD_TARGET_S),
            ("Catalog.mesh() warm", "catalog", "warm_s", WARM_TARGET_S),
        ):
            value = m[part][key]
            runs = m[part]["cold_runs_s" if key == "cold_s" else "warm_runs_s"]
            rows.append(("manifests", f"{label} ({files:,} files), median of {len(runs)}",
                         f"{value:.2f} s ({files / value:,.0f} files/s; "
                         f"{min(runs):.2f}–{max(runs):.2f})", f"< {target} s",
                         verdict(value, target)))
        rows.append(("manifests", "Catalog 2-s recheck, nothing changed",
                     f"{m['catalog']['recheck_s']:.2f} s "
                     f"(GC {m['catalog']['recheck_parts']['gc_s']:.2f} s)", "", ""))
        b = m["breakdown"]
        rows.append(("manifests", "ryaml vs PyYAML CSafeLoader parse",
                     f"{b['parse_pyyaml_c_s'] / b['parse_ryaml_s']:.1f}× faster", "", ""))
    v = _load("validate") if "validate" in ran else {}
    if v:
        runs = v["cli_runs_s"]
        rows.append(("validate", f"python -m catalog validate cold ({v['summary']['products']:,} "
                                 f"products), median of {len(runs)}",
                     f"{v['cli_median_s']:.2f} s ({min(runs):.2f}–{max(runs):.2f}; policies "
                     f"{v['stages']['policies_s']:.2f} s)", f"< {VALIDATE_TARGET_S:.0f} s",
                     verdict(v["cli_median_s"], VALIDATE_TARGET_S)))
    s = _load("search") if "search" in ran else {}
    if s:
        rows.append(("search", f"p50 / p95 / max ({s['timed']:,} searches, "
                               f"{s['products']:,} products)",
                     f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['max_ms']:.1f} ms",
                     f"p95 < {P95_TARGET_MS:.0f} ms", verdict(s["p95_ms"], P95_TARGET_MS)))
        f = s["frozen"]
        rows.append(("search", "longest GC pause" + ("; what-if gc.freeze() p95 / max" if f
                                                     else " (library freezes the mesh)"),
                     f"{s['gc']['max_ms']:,.0f} ms"
                     + (f"; {f['p95_ms']:.1f} / {f['max_ms']:.1f} ms" if f else ""), "", ""))
        rows.append(("search", "Catalog.search when the 2-s recheck is due, p50 / max",
                     f"{s['catalog_due_p50_ms']:.0f} / {s['catalog_due_max_ms']:.0f} ms", "", ""))
    e = _load("extract") if "extract" in ran else {}
    if e:
        modes = e["modes"]
        base = modes["duckdb_copy"]["median_s"]
        for mode in ("write_csv", "extract_csv"):
            r = modes[mode]
            rate = r["rows"] / r["median_s"]
            rows.append(("extract", f"{mode} rows/s ({r['rows']:,} rows)",
                         f"{rate:,.0f} ({base / r['median_s']:.2f}× bare COPY speed)",
                         f"> {ROWS_TARGET:,}", verdict(rate, ROWS_TARGET, False)))
            rows.append(("extract", f"{mode} peak memory",
                         f"{r['peak_minus_imports_mb']:.0f} MB", f"< {MEMORY_TARGET_MB:.0f} MB",
                         verdict(r["peak_minus_imports_mb"], MEMORY_TARGET_MB)))
        p = modes["pandas"]
        rows.append(("extract", "pandas .df().to_csv() (naive)",
                     f"{p['rows'] / p['median_s']:,.0f} rows/s, {p['peak_minus_imports_mb']:.0f} MB",
                     "", ""))
    r = _load("register") if "register" in ran else {}
    if r:
        for mode in ("upload", "local"):
            run = r[mode]
            rows.append(("register", f"{r['rows']:,}-row CSV ({r['file_mb']:.0f} MB), {mode}: "
                                     "stage + profile + review + publish + first quality run",
                         f"{run['register_s']:.1f} s, peak {run['peak_mb']:.0f} MB",
                         f"< {REGISTER_TARGET_S:.0f} s", verdict(run["register_s"],
                                                                REGISTER_TARGET_S)))
        p = r["pandas"]
        rows.append(("register", "pandas.read_csv of the same file",
                     f"{p['seconds']:.1f} s, peak {p['peak_mb']:.0f} MB", "", ""))
    q = _load("quality") if "quality" in ran else {}
    for row in q.get("targets", []):
        rows.append(("quality", f"{row[0]}: {row[1]}", row[2], "", row[3]))
    a = _load("api") if "api" in ran else {}
    if a.get("search"):
        s, fresh = a["search"], a["search"]["new_connection"]
        rows.append(("api", f"search p50 / p95, kept-alive ({s['searches']} searches, "
                            f"{a['products']:,} products)",
                     f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} ms (new connection "
                     f"{fresh['p50_ms']:.1f} / {fresh['p95_ms']:.1f}; in-process "
                     f"{s['floor_p50_ms']:.1f} / {s['floor_p95_ms']:.1f})", "", ""))
    for label, c in a.get("extract", {}).get("cases", {}).items():
        route = c["route"]["identity"]
        rows.append(("api", f"extract {label} (route, identity) vs bare COPY",
                     f"{route['rows_per_s']:,.0f} rows/s, {c['speed_vs_copy']['identity']:.2f}× "
                     f"COPY; gzip {c['speed_vs_copy']['gzip']:.2f}×", f"≥ {API_SPEED_TARGET}×",
                     verdict(c["speed_vs_copy"]["identity"], API_SPEED_TARGET, False)))
        delta = route["delta_mb"]
        rows.append(("api", f"extract {label} server peak − baseline (fresh server)",
                     f"{delta:.0f} MB", f"< {API_MEMORY_TARGET_MB:.0f} MB",
                     verdict(delta, API_MEMORY_TARGET_MB)))
    lo = a.get("load")
    if lo:
        rows.append(("api", f"{lo['clients']} clients: requests/s, p95",
                     f"{lo['requests_per_s']:.0f}/s, p95 {lo['p95_ms']:.0f} ms, "
                     f"{lo['errors']} errors", "", ""))
        rows.append(("api", "page HTML p95 idle → loaded",
                     f"{lo['idle']['html_p95_ms']:.0f} → {lo['loaded']['html_p95_ms']:.0f} ms",
                     "", ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip", nargs="*", default=(), choices=("manifests", "search", "extract",
                                                              "register", "quality", "api"))
    args = parser.parse_args(argv)
    root = default_mesh_root(args.products, args.seed)
    print(f"benchmarks ({machine_note()})")
    durations: dict[str, float] = {}
    durations["generate_mesh"] = step("generate_mesh", ["--products", str(args.products),
                                                         "--seed", str(args.seed)])
    mesh_args = ["--root", str(root)]
    if "manifests" not in args.skip:
        durations["manifests"] = step("manifests", mesh_args + (["--profile"] if args.profile
                                                                 else []))
    if "validate" not in args.skip:
        durations["validate"] = step("validate", mesh_args)
    if "search" not in args.skip:
        durations["search"] = step("search", mesh_args + (["--profile"] if args.profile else []))
    if "extract" not in args.skip:
        durations["extract"] = step("extract", [])
    if "register" not in args.skip:
        durations["register"] = step("register", [])
    if "quality" not in args.skip:
        durations["quality"] = step("quality", [])
    if "api" not in args.skip:
        durations["api"] = step("api", ["--products", str(args.products), "--seed",
                                        str(args.seed)])
    print(f"\n{'=' * 100}\nSUMMARY ({machine_note()}; "
          + ", ".join(f"{k} {v:.0f} s" for k, v in durations.items()) + ")\n")
    print(table(summary(set(durations)), ("bench", "figure", "value", "target", "")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
