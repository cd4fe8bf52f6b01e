"""Quality engine benchmark: 12 rules on 6 million rows, against hand-written DuckDB plans.

Suites (ODCS v3.1 contracts in ``bench/quality/``, the same rules by hand in
``bench/quality_suite.py``): not-null on 4 columns, a compound-key uniqueness, accepted values
on 2 columns, 2 numeric ranges, a pattern, the row count and freshness; on TPC-H ``lineitem``
SF1 (6,001,215 rows) and on messy real data (``operations.flights`` × 18, 6,061,968 rows,
real nulls), plus the small sizes (SF0.1, flights × 2) to show memory does not grow with rows.
Data: ``bench/quality_data.py`` (made on first use, then reused).

Plans, each run in a fresh process, in ``--repeat`` rounds of one run per plan (median
reported; rounds, so that a change of load on the shared machine hits every plan alike):

    per_check    the 12 rules as 12 DuckDB queries, one after the other
    one_query    the 12 rules in one aggregate SELECT
    full_read    the floor: ``SELECT sum(hash(c1)), sum(hash(c2)), … FROM parquet`` over every
                 column the rules read
    engine       ``catalog.quality.derive.derive_checks`` + ``runner.run_checks`` on the contract,
                 ``relation_for`` → ``read_parquet('<file>')`` (failing-row samples included,
                 as a portal run takes them), on ``runner.quality_engine`` (the engine the
                 portal and ``catalog check`` use: DuckDB memory limit 256 MB)
    engine_128mb the same with ``Engine(memory_limit="128MB")`` (what-if: measured here, a
                 small limit keeps the uniqueness hash table, the only part that grows with
                 rows, from growing, at no cost in time; the hand-written plans run with
                 DuckDB's default limit, 80% of RAM)
    soda         peer: Soda Core (soda-core-duckdb, own venv ``bench/.work/soda-venv``)
    datacontract peer: ``datacontract test`` of datacontract-cli 1.2.8 (own venv
                 ``bench/.work/dcc-venv``); it also runs its schema checks (field present, type)

Wall time is the whole process (interpreter start, imports, work), measured by the parent;
"work" is the time inside the process after imports. Peak memory is the child's
``ru_maxrss`` (``os.wait4``). Targets (issue 3): the engine no slower than the better of
per_check and one_query, within 2× of full_read, memory independent of row count.

Usage::

    python bench/quality.py                       # all four data sets, 5 rounds, + peers
    python bench/quality.py --data lineitem-sf1 --repeat 1 --no-peers
    python bench/quality.py --data lineitem-sf1 flights-x18 --plans full_read engine \
        --before 563a489 --no-peers     # the engine now vs. at an earlier commit

``--before REF`` adds the plan ``engine_before``: the same engine plan run from a checkout of
the repository at ``REF`` (a git worktree under ``bench/.work/``, sharing the data), alternating
with the current code round by round, and the target "engine ≤ 1.05 × engine_before" (the SQL
sandbox added around every query may cost at most 5 %).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
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
    maxrss_mb,
    save_results,
    table,
)
from bench.quality_data import DATA_SETS, ensure  # noqa: E402

SCRIPT = Path(__file__).resolve()
CONTRACTS = BENCH_DIR / "quality"
PLANS = ("per_check", "one_query", "full_read", "engine", "engine_128mb", "per_check_128mb")
PEERS = ("soda", "datacontract")
DCC_VENV = WORK_DIR / "dcc-venv"
DCC_REQUIREMENT = "datacontract-cli[duckdb,parquet]==1.2.8"
SODA_VENV = WORK_DIR / "soda-venv"
SODA_REQUIREMENT = "soda-core-duckdb==3.5.6"
FULL_READ_FACTOR = 2.0
BEFORE_FACTOR = 1.05
"""Most the current engine may take relative to ``--before`` (wall and work)."""


# -- child: one plan in a fresh process ---------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else float(value)


def _duckdb_plan(plan: str, suite: str, relation: str) -> tuple[dict[str, Any], float, float]:
    import duckdb

    from bench import quality_suite

    imports_mb = maxrss_mb()
    started = time.perf_counter()
    con = duckdb.connect(config={"memory_limit": "128MB"} if plan.endswith("_128mb") else {})
    con.execute("SET enable_progress_bar = false")
    rules = quality_suite.SUITES[suite]
    values: dict[str, Any] = {}
    if plan.startswith("per_check"):
        for rule in rules:
            values[rule.id] = con.execute(rule.query.replace("{rel}", relation)).fetchone()[0]
    elif plan == "one_query":
        row = con.execute(quality_suite.one_query(suite).replace("{rel}", relation)).fetchone()
        values = {rule.id: v for rule, v in zip(rules, row, strict=True)}
    else:
        con.execute(quality_suite.full_read(suite).replace("{rel}", relation)).fetchone()
    work = time.perf_counter() - started
    verdicts = {r.id: {"value": _jsonable(values[r.id]),
                       "status": "passed" if r.passes(values[r.id]) else "failed"}
                for r in rules if r.id in values}
    return verdicts, work, imports_mb


def _engine_plan(suite: str, relation: str, path: Path, memory_limit: str | None
                 ) -> tuple[dict[str, Any], float, float]:
    import yaml

    from bench.quality_suite import SUITES, engine_rule_id
    from catalog.engine import Engine
    from catalog.quality.derive import derive_checks
    from catalog.quality.runner import quality_engine, run_checks

    raw = yaml.safe_load((CONTRACTS / f"{suite}.odcs.yaml").read_text(encoding="utf-8"))
    imports_mb = maxrss_mb()
    started = time.perf_counter()
    checks = derive_checks(raw, product_id=f"bench.{suite}", port=suite)
    engine = (Engine(data_dir=path.parent, memory_limit=memory_limit) if memory_limit
              else quality_engine(path.parent))
    results = run_checks(engine, lambda _obj: relation, checks, raw_contract=raw)
    work = time.perf_counter() - started
    by_kind = {r.kind: r.id for r in SUITES[suite] if r.kind in {"freshness", "rowCount"}}
    verdicts: dict[str, Any] = {}
    for res in results:
        rule_id = engine_rule_id(res.check.id, res.check.kind, res.check.property)
        if rule_id not in {r.id for r in SUITES[suite]}:
            rule_id = by_kind.get(res.check.kind, rule_id)
        entry = verdicts.setdefault(rule_id, {"status": "passed", "checks": []})
        entry["checks"].append({"id": res.check.id, "status": str(res.status),
                                "observed": res.observed, "message": res.message})
        if str(res.status) != "passed":
            entry["status"] = str(res.status)
    return verdicts, work, imports_mb


def child(plan: str, data_name: str) -> int:
    """Run one plan on one data set in this process; print the figures as one JSON line."""
    from catalog.sql import quote_literal

    data_set = DATA_SETS[data_name]
    relation = f"read_parquet({quote_literal(str(data_set.path))})"
    if plan.startswith("engine"):
        limit = "128MB" if plan == "engine_128mb" else None
        verdicts, work, imports_mb = _engine_plan(data_set.suite, relation, data_set.path, limit)
    else:
        verdicts, work, imports_mb = _duckdb_plan(plan, data_set.suite, relation)
    print(json.dumps({"work_s": work, "imports_mb": imports_mb, "peak_mb": maxrss_mb(),
                      "verdicts": verdicts}))
    return 0


# -- parent: processes, peers, report -----------------------------------------------------------


def measure(cmd: list[str], cwd: Path, ok_codes: tuple[int, ...] = (0,), **env: str
            ) -> dict[str, Any]:
    """Run ``cmd`` as a child process; its wall time, peak RSS and last JSON line (if any).

    ``ok_codes`` are the exit codes that mean success (datacontract exits 1 when a check fails).

    Raises:
        SystemExit: the child failed (its output is shown).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=child_env(**env), stdout=out, stderr=err,
                                text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in ok_codes:
        sys.stderr.write(stdout[-3000:] + stderr[-6000:])
        raise SystemExit(f"{' '.join(cmd[:3])} … failed ({proc.returncode})")
    lines = [ln for ln in stdout.strip().splitlines() if ln.startswith("{")]
    parsed = json.loads(lines[-1]) if lines else {}
    return {"wall_s": wall, "peak_mb": usage.ru_maxrss / 1024, **parsed,
            "exit_code": proc.returncode}


def ensure_venv(venv: Path, requirement: str) -> Path:
    """The Python of a tool's own virtual environment, created and installed on first use."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"installing {requirement} into {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", requirement],
                       check=True)
    return python


def contract_copy(suite: str, parquet: Path, folder: Path) -> Path:
    """The suite's contract with its server pointing at ``parquet`` (absolute path)."""
    text = (CONTRACTS / f"{suite}.odcs.yaml").read_text(encoding="utf-8")
    default = {"lineitem": "bench/.work/quality/tpch-sf1/lineitem.parquet",
               "flights": "bench/.work/quality/flights-x18/flights.parquet"}[suite]
    path = folder / f"{suite}.odcs.yaml"
    path.write_text(text.replace(f"path: {default}", f"path: {parquet}"), encoding="utf-8")
    return path


def run_peer(peer: str, data_name: str) -> dict[str, Any]:
    data_set = DATA_SETS[data_name]
    if peer == "soda":
        python = ensure_venv(SODA_VENV, SODA_REQUIREMENT)
        result = measure([str(python), str(BENCH_DIR / "quality_soda.py"), data_set.suite,
                          str(data_set.path)], REPO_ROOT)
        result["verdicts"] = {c["check"]: {"status": c["outcome"]} for c in result["checks"]}
        return result
    ensure_venv(DCC_VENV, DCC_REQUIREMENT)
    folder = WORK_DIR / "quality" / "contracts" / data_name
    folder.mkdir(parents=True, exist_ok=True)
    contract = contract_copy(data_set.suite, data_set.path, folder)
    output = folder / "result.json"
    result = measure([str(DCC_VENV / "bin" / "datacontract"), "test", str(contract),
                      "--no-inline-references", "--output-format", "json", "--output",
                      str(output)], folder, ok_codes=(0, 1))
    checks = json.loads(output.read_text(encoding="utf-8"))["checks"]
    result["verdicts"] = {c["key"]: {"status": c["result"]} for c in checks}
    return result


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    best = dict(ordered[len(ordered) // 2])
    best["walls_s"] = [r["wall_s"] for r in runs]
    best["peak_mb"] = statistics.median(r["peak_mb"] for r in runs)
    if all("work_s" in r for r in runs):
        best["work_s"] = statistics.median(r["work_s"] for r in runs)
    return best


def before_checkout(ref: str) -> Path:
    """A git worktree of the repository at ``ref`` under ``bench/.work/``, sharing this
    checkout's benchmark data (its ``bench/.work`` is a link to ours)."""
    folder = WORK_DIR / f"before-{ref}"
    if not folder.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=REPO_ROOT,
                       check=True, capture_output=True)
    work = folder / "bench" / ".work"
    if not work.exists():
        work.symlink_to(WORK_DIR)
    return folder


def bench_data_set(data_name: str, plans: list[str], repeat: int,
                   before: Path | None = None) -> dict[str, Any]:
    """Every plan on one data set: rounds of one run per plan (so a change of load on the
    shared machine hits all plans alike), then the peers once; the median run per plan."""
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in plans}
    for _ in range(repeat):
        for plan in (p for p in plans if p not in PEERS):
            if plan == "engine_before" and before is not None:
                runs[plan].append(measure([sys.executable, str(before / "bench" / "quality.py"),
                                           "--child", "engine", data_name], before))
                continue
            runs[plan].append(measure([sys.executable, str(SCRIPT), "--child", plan, data_name],
                                      REPO_ROOT))
    for plan in (p for p in plans if p in PEERS):
        runs[plan].append(run_peer(plan, data_name))
    figures = {plan: _median_run(plan_runs) for plan, plan_runs in runs.items()}
    for plan, f in figures.items():
        print(f"  {data_name:15} {plan:16} {f['wall_s']:6.2f} s {f['peak_mb']:7.0f} MB",
              flush=True)
    return figures


def report(data_name: str, figures: dict[str, Any]) -> list[list[Any]]:
    floor = figures.get("full_read", {})
    best = min((figures[p] for p in ("per_check", "one_query") if p in figures),
               key=lambda f: f["wall_s"], default={})
    rows = []
    for plan, f in figures.items():
        work = f.get("work_s", float("nan"))
        rows.append([data_name, plan, f["wall_s"], f["wall_s"] - work, work, f["peak_mb"],
                     f["wall_s"] / floor["wall_s"] if floor else float("nan"),
                     f["wall_s"] / best["wall_s"] if best else float("nan"),
                     work / floor["work_s"] if floor else float("nan"),
                     work / best["work_s"] if best else float("nan")])
    return rows


def agreement(figures: dict[str, Any]) -> list[str]:
    """Rules whose verdict differs between the hand-written plans and the engine."""
    reference = figures.get("per_check", {}).get("verdicts", {})
    problems = []
    for plan in ("one_query", "engine", "engine_128mb", "per_check_128mb", "engine_before"):
        for rule_id, ref in reference.items():
            got = figures.get(plan, {}).get("verdicts", {}).get(rule_id)
            if plan in figures and (got is None or got["status"] not in
                                    {ref["status"], "warning" if ref["status"] == "failed"
                                     else ref["status"]}):
                problems.append(f"{plan}: {rule_id} is {got and got['status']}, "
                                f"per_check says {ref['status']} ({ref['value']})")
    return problems


def targets(results: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """Issue 3's targets per data set, judged on whole-process wall time and on work time."""
    rows: list[list[Any]] = []
    for name, figures in results.items():
        if "engine" not in figures:
            continue
        for measure in ("wall_s", "work_s"):
            what = "wall" if measure == "wall_s" else "work"
            eng = figures["engine"][measure]
            best = min(figures[p][measure] for p in ("per_check", "one_query") if p in figures)
            floor = figures["full_read"][measure]
            rows.append([name, f"engine ≤ best DuckDB plan ({what})",
                         f"{eng:.2f} s vs {best:.2f} s", "met" if eng <= best else "MISSED"])
            rows.append([name, f"engine ≤ {FULL_READ_FACTOR:.0f}× full read ({what})",
                         f"{eng / floor:.2f}× ({eng:.2f} s vs {floor:.2f} s)",
                         "met" if eng <= FULL_READ_FACTOR * floor else "MISSED"])
            if "engine_before" in figures:
                was = figures["engine_before"][measure]
                rows.append([name, f"engine ≤ {BEFORE_FACTOR:.2f}× engine_before ({what})",
                             f"{eng / was:.3f}× ({eng:.2f} s vs {was:.2f} s)",
                             "met" if eng <= BEFORE_FACTOR * was else "MISSED"])
    for (big, small), plan in itertools.product(
            (("lineitem-sf1", "lineitem-sf0.1"), ("flights-x18", "flights-x2")),
            ("engine", "engine_128mb")):
        if plan in results.get(big, {}) and plan in results.get(small, {}):
            a, b = results[big][plan], results[small][plan]
            growth = (a["peak_mb"] - a["imports_mb"]) / max(1.0, b["peak_mb"] - b["imports_mb"])
            rows.append([f"{small} → {big}", f"{plan} memory (peak − imports) growth",
                         f"{b['peak_mb'] - b['imports_mb']:.0f} → "
                         f"{a['peak_mb'] - a['imports_mb']:.0f} MB ({growth:.2f}×, "
                         f"rows {DATA_SETS[big].rows / DATA_SETS[small].rows:.1f}×)", ""])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="*", default=list(DATA_SETS), choices=list(DATA_SETS))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plans", nargs="*", default=list(PLANS), choices=list(PLANS))
    parser.add_argument("--no-peers", action="store_true", help="skip Soda Core and "
                        "datacontract-cli (they install into their own venvs on first use)")
    parser.add_argument("--before", metavar="REF", help="also run the engine plan from a "
                        "checkout at this git commit (plan engine_before)")
    parser.add_argument("--child", nargs=2, metavar=("PLAN", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    plans = list(args.plans)
    before = before_checkout(args.before) if args.before else None
    if before is not None:
        plans.append("engine_before")
    if "engine" in plans and not (REPO_ROOT / "catalog" / "quality" / "runner.py").exists():
        print("catalog/quality/runner.py is missing: the engine plans are skipped")
        plans = [p for p in plans if not p.startswith("engine")]
    plans += [] if args.no_peers else list(PEERS)
    print(f"quality benchmark ({machine_note()}; {args.repeat} run(s) per plan, peers once)")
    ensure(args.data)
    results = {name: bench_data_set(name, plans, args.repeat, before) for name in args.data}
    rows = [row for name, figures in results.items() for row in report(name, figures)]
    print("\n" + table(rows, ("data", "plan", "wall s", "start s", "work s", "peak MB",
                              "×floor", "×best", "work ×floor", "work ×best")))
    print("\nwall = whole process; start = wall − work (interpreter, imports, exit); work = "
          "after imports; ×floor = ratio to full_read; ×best = ratio to the better of "
          "per_check and one_query (on wall, then on work)")
    print("\n" + table(targets(results), ("data", "target", "value", "")))
    for name, figures in results.items():
        for problem in agreement(figures):
            print(f"VERDICTS DIFFER on {name}: {problem}")
    save_results("quality", {"machine": machine_note(), "repeat": args.repeat,
                             "results": results, "targets": targets(results)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
