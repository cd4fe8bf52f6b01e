"""Helpers shared by the benchmarks: paths, child processes, memory, percentiles, tables.

The benchmarks print figures and ratios; they assert nothing. Each one also writes its key
figures as JSON to ``bench/.work/results/<name>.json`` so that ``run_all.py`` can summarise them.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"
RESULTS_DIR = WORK_DIR / "results"
DEFAULT_PRODUCTS = 10_000
DEFAULT_SEED = 20_261_121


def default_mesh_root(products: int = DEFAULT_PRODUCTS, seed: int = DEFAULT_SEED) -> Path:
    """Folder the generated mesh of ``products`` products goes to (git-ignored)."""
    return WORK_DIR / f"mesh-{products}-s{seed}"


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child Python: the repository importable, output unbuffered."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_child(script: Path, args: Sequence[str], **env: str) -> dict[str, Any]:
    """Run ``python script args`` in a fresh process and return the JSON it prints last.

    The child must print one JSON object on its last stdout line. A failing child stops the
    benchmark (non-zero exit), with its stderr shown.
    """
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=REPO_ROOT,
        env=child_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise SystemExit(f"child {script.name} {' '.join(args)} failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def maxrss_mb() -> float:
    """High-water mark of this process's resident memory, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` percentile (0-100) of ``values``, nearest-rank on the sorted list."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain-text table, columns left-aligned except numbers (right-aligned)."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [all(_is_num(row[i]) for row in rows) and rows for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        parts = [c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    """``met`` or ``MISSED`` against a target."""
    ok = value < target if lower_is_better else value > target
    return "met" if ok else "MISSED"


def machine_note() -> str:
    """CPU count and load average: the benchmarks share the machine with other work."""
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"


def save_results(name: str, results: dict[str, Any]) -> Path:
    """Write ``results`` to ``bench/.work/results/<name>.json`` and return the path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return path
