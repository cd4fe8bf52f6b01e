"""``python -m catalog validate`` over a generated 10,000-product mesh: cold, in fresh processes.

Measures:

1. **CLI cold**: wall time of ``python -m catalog validate ROOT --format json`` in a fresh
   process (interpreter start, imports, load, both validation layers, every policy, output),
   median of ``--runs`` runs, each with a new empty data folder (no saved mesh index), and its
   CPU seconds (the command and the workers it forks). Target: under 15 s on the 2-core
   machine. Then one warm run from the mesh index the last cold run saved.
2. **Stages** (one more fresh process, same work in-process): imports, ``load_mesh``, the
   pydantic layer (``check_contract_models``), policy evaluation (``evaluate_mesh``, which
   includes finding every finding's line), rendering the text output.
3. What the run found: errors, warnings, findings per policy, policy results not measured (the
   generated mesh has no quality runs, so the minimum-score policy is "not yet measured").

Usage::

    python bench/validate.py [--products 10000] [--root DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    DEFAULT_PRODUCTS,
    DEFAULT_SEED,
    REPO_ROOT,
    WORK_DIR,
    child_env,
    default_mesh_root,
    machine_note,
    maxrss_mb,
    run_child,
    save_results,
    table,
    verdict,
)

COLD_TARGET_S = 15.0
SCRIPT = Path(__file__).resolve()


def child_stages(root: Path) -> dict[str, Any]:
    """In a fresh process: time each stage of ``validate`` (what the CLI does, step by step)."""
    started = time.perf_counter()
    from catalog.commands.validate import render
    from catalog.manifests.loader import check_contract_models, load_mesh
    from catalog.validation import check_mesh

    imported = time.perf_counter()
    mesh = load_mesh(root)
    loaded = time.perf_counter()
    check_contract_models(mesh)
    models = time.perf_counter()
    outcome = check_mesh(mesh, None)  # builds the models again (cached) and evaluates policies
    checked = time.perf_counter()
    text = render(outcome, "text")
    rendered = time.perf_counter()
    return {
        "import_s": imported - started, "load_s": loaded - imported,
        "models_s": models - loaded, "policies_s": checked - models,
        "render_s": rendered - checked, "total_s": rendered - started,
        "lines": text.count("\n") + 1 if text else 0, "peak_rss_mb": maxrss_mb(),
    }


def cli_run(root: Path, data: Path) -> tuple[float, float, int, dict[str, Any]]:
    """One ``python -m catalog validate ROOT --format json`` with ``MESH_DATA_DIR=data``: cold
    when ``data`` holds no mesh index (each cold run gets a new empty folder, so the index a
    run saves never makes the next one warm).

    Returns:
        (wall seconds, CPU seconds of the command and the workers it forked and waited for,
        exit code, the JSON output).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "catalog", "validate", str(root),
                           "--format", "json"], cwd=REPO_ROOT,
                          env=child_env(MESH_DATA_DIR=str(data)),
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"validate failed with exit code {proc.returncode}")
    return seconds, cpu, proc.returncode, json.loads(proc.stdout)


def report(runs: list[float], code: int, found: dict[str, Any], stages: dict[str, Any]) -> None:
    """Print the figures."""
    median = statistics.median(runs)
    summary = found["summary"]
    print(table([
        ("CLI cold, median", f"{median:.2f} s", f"{min(runs):.2f}–{max(runs):.2f} s over "
         f"{len(runs)} runs", f"< {COLD_TARGET_S:.0f} s", verdict(median, COLD_TARGET_S)),
        ("products/s", f"{summary['products'] / median:,.0f}", "", "", ""),
        ("exit code", code, "1 = some error found", "", ""),
    ], ("figure", "value", "note", "target", "")))
    total = stages["total_s"]
    print("\nStages in one fresh process (seconds, share of the in-process total):")
    print(table([(name, stages[key], f"{stages[key] / total:.0%}") for name, key in (
        ("imports", "import_s"), ("load_mesh (YAML + JSON Schema + ODPS models)", "load_s"),
        ("ODCS pydantic models (check_contract_models)", "models_s"),
        ("policies (evaluate_mesh, incl. finding lines)", "policies_s"),
        ("render text output", "render_s"), ("total", "total_s"))],
        ("stage", "s", "share")))
    print(f"peak memory {stages['peak_rss_mb']:.0f} MB; {stages['lines']:,} output lines")
    per_policy = Counter((f["policy_id"], f["severity"]) for f in found["findings"])
    print(f"\nFindings: {summary['errors']:,} errors, {summary['warnings']:,} warnings in "
          f"{summary['products']:,} products / {summary['domains']} domains; "
          f"{summary['not_measured']:,} policy results not yet measured")
    print(table([(p, s, n) for (p, s), n in per_policy.most_common()],
                ("policy", "severity", "findings")))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one measuring child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--root", type=Path, default=None,
                        help="a generated mesh (default: generate bench/.work/mesh-N-sSEED)")
    parser.add_argument("--runs", type=int, default=3, help="cold CLI runs (median shown)")
    parser.add_argument("--child", choices=("stages",))
    args = parser.parse_args(argv)
    root = (args.root or default_mesh_root(args.products, args.seed)).resolve()
    if args.child:
        print(json.dumps(child_stages(root)))
        return 0
    if args.root is None:
        from bench.generate_mesh import ensure_mesh

        ensure_mesh(root, args.products, seed=args.seed)
    print(f"validate benchmark on {root} ({machine_note()})", flush=True)
    runs, cpus, code, found = [], [], 0, {}
    data = WORK_DIR / "validate-data"
    for _ in range(args.runs):
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        seconds, cpu, code, found = cli_run(root, data)
        runs.append(seconds)
        cpus.append(cpu)
        print(f"  cold CLI run: {seconds:.2f} s, {cpu:.1f} CPU s ({machine_note()})", flush=True)
    from bench.scale import _wait_for_saver
    from catalog.mesh_index.persist import cache_file

    index_file = cache_file(data, root)
    _wait_for_saver(index_file, timeout=900)  # the last cold run's detached save (nice 19)
    if not index_file.is_file():
        raise SystemExit(f"no mesh index was saved to {index_file}; the warm run would be cold")
    warm, warm_cpu, _code, _found = cli_run(root, data)
    print(f"  warm CLI run (from the saved mesh index): {warm:.2f} s, {warm_cpu:.1f} CPU s",
          flush=True)
    stages = run_child(SCRIPT, ["--child", "stages", "--root", str(root)])
    report(runs, code, found, stages)
    print(f"CPU seconds of the cold runs (median): {statistics.median(cpus):.1f}; warm run "
          f"from the saved index: {warm:.2f} s, {warm_cpu:.1f} CPU s")
    save_results("validate", {"root": str(root), "cli_runs_s": runs, "cli_cpu_s": cpus,
                              "cli_median_s": statistics.median(runs), "exit_code": code,
                              "warm_s": warm, "warm_cpu_s": warm_cpu,
                              "summary": found["summary"], "stages": stages,
                              "machine": machine_note()})
    print(f"\n({machine_note()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
