"""Crash safety of builds: a history rebuild killed half-way keeps the previous history whole,
and the next build removes the files killed processes leave in the data folder."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.config import REPO_ROOT, Settings
from catalog.housekeeping import clean_stale_build_files, pid_is_running
from catalog.manifests.loader import load_mesh
from catalog.quality.backfill import TRIGGER, rebuild_history
from catalog.quality.history import all_runs, replace_runs, save_run
from catalog.quality.model import Check, CheckResult, QualityRun, Status
from catalog.quality.runner import quality_engine
from catalog.quality.scoring import score
from catalog.store import StateStore
from catalog.store.tables import check_results

# Runs the month-end history rebuild on a data folder and stops for good at a chosen point so
# the test can SIGKILL it there: "compute" = while the runs are being computed (after
# `kill_after` product runs), "write" = inside the store transaction (after every run was
# inserted, before the commit).
_REBUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from catalog.manifests.loader import load_mesh
    from catalog.quality import backfill, history
    from catalog.quality.runner import quality_engine
    from catalog.store import StateStore

    mesh_root, data, marker = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    stage, kill_after = sys.argv[5], int(sys.argv[6])
    calls = 0

    def stop_at_kill_point(real):
        def wrapper(*args, **kwargs):
            global calls
            calls += 1
            if calls > kill_after:
                marker.write_text(str(calls))
                time.sleep(600)  # the test kills us here
            return real(*args, **kwargs)
        return wrapper

    if stage == "compute":
        backfill.run_product = stop_at_kill_point(backfill.run_product)
    else:  # every run inserted (one statement per table), the commit not yet made
        real_insert = history._insert_runs

        def insert_then_stop(*args, **kwargs):
            real_insert(*args, **kwargs)
            marker.write_text("inserted")
            time.sleep(600)  # the test kills us here

        history._insert_runs = insert_then_stop
    backfill.rebuild_history(quality_engine(data), load_mesh(mesh_root),
                             StateStore(data / "state.sqlite"))
""")


def _history(data: Path) -> tuple[set[str], int]:
    """Run ids of the stored ``history`` runs and the number of their check results."""
    store = StateStore(data / "state.sqlite")
    ids = {r.run_id for r in all_runs(store) if r.trigger == TRIGGER}
    with closing(sqlite3.connect(data / "state.sqlite")) as conn:  # the file, as SQLite sees it
        results = conn.execute("SELECT count(*) FROM check_results JOIN quality_runs "
                               "USING (run_id) WHERE trigger = ?", [TRIGGER]).fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return ids, int(results)


def _kill_at(stage: str, kill_after: int, mesh_root: Path, data: Path) -> None:
    marker = data / "kill-point-reached"
    proc = subprocess.Popen([sys.executable, "-c", _REBUILD, str(REPO_ROOT), str(mesh_root),
                             str(data), str(marker), stage, str(kill_after)])
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), f"the rebuild ended (exit {proc.poll()}) before the kill point"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(("stage", "kill_after"), [("compute", 40), ("write", 40)])
def test_killed_history_rebuild_keeps_the_previous_history(
        demo_settings: Settings, demo_history: int, tmp_path: Path, stage: str,
        kill_after: int) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_settings.data_dir, data)
    before, results_before = _history(data)
    assert len(before) == demo_history > kill_after + 1 and results_before > len(before)

    _kill_at(stage, kill_after, demo_settings.mesh_root, data)

    left, results_left = _history(data)
    assert (len(left), results_left) == (len(before), results_before), \
        "(runs, check results) of the previous history must all survive the kill"
    assert left == before
    stored = rebuild_history(quality_engine(data), load_mesh(demo_settings.mesh_root),
                             StateStore(data / "state.sqlite"))
    after, results_after = _history(data)
    assert stored == len(after) == demo_history
    assert after.isdisjoint(before) and results_after == results_before


def _run(product: str, trigger: str, minute: int) -> QualityRun:
    check = Check(id="rows", product_id=product, port="p", kind="rowCount", object="o",
                  property=None, dimension="completeness", severity="error", description="")
    results = [CheckResult(check, Status.PASSED, observed=minute)]
    at = dt.datetime(2013, 1, 1) + dt.timedelta(minutes=minute)
    return QualityRun(uuid.uuid4().hex, product, "1.0.0", at, at, 0.1, trigger, results,
                      score(results))


def test_replace_runs_swaps_one_triggers_runs_in_one_step(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite")
    manual = _run("a", "cli", 0)
    save_run(store, manual)
    for minute in (1, 2):
        save_run(store, _run("a", TRIGGER, minute))
    new = [_run("a", TRIGGER, 3), _run("b", TRIGGER, 4)]
    assert replace_runs(store, TRIGGER, new) == 2
    assert [r.run_id for r in all_runs(store)] == [manual.run_id] + [r.run_id for r in new]
    with store.read() as conn:  # the old runs' results went with them
        assert conn.execute(select(func.count()).select_from(check_results)).scalar() == 3
    with pytest.raises(ValueError, match="cli"):
        replace_runs(store, TRIGGER, [_run("a", TRIGGER, 5), _run("a", "cli", 6)])
    assert len(all_runs(store)) == 3  # refused before anything was deleted


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not pid_is_running(proc.pid)
    return proc.pid


def _touch(path: Path, age_s: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    if age_s:
        moment = time.time() - age_s
        os.utime(path, (moment, moment))
    return path


def test_leftovers_of_dead_processes_are_removed_live_ones_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    dead, live = _dead_pid(), os.getpid()
    stale = [
        _touch(data / f".mesh.duckdb.building-{dead}"),
        _touch(data / f".mesh.duckdb.building-{dead}.wal"),
        _touch(data / "uploads" / f".sales.duckdb.building-{dead}"),
        _touch(data / ".orders.csv.k3j9x2ab.tmp", age_s=2 * 3600),
        _touch(data / "uploads" / ".upload.parquet.a1b2c3d4.tmp", age_s=3 * 3600),
        _touch(data / ".sandbox" / f"{dead}-spill" / "duckdb_temp_block-1.block").parent,
        _touch(data / ".sandbox" / f"{dead}-extract.csv"),
    ]
    kept = [
        _touch(data / "mesh.duckdb"),
        _touch(data / "state.sqlite"),
        _touch(data / f".mesh.duckdb.building-{live}"),
        _touch(data / f".mesh.duckdb.building-{live}.wal"),
        _touch(data / ".orders.csv.fresh123.tmp", age_s=60),
        _touch(data / "report.tmp", age_s=2 * 3600),  # not the atomic writer's name
        _touch(data / ".notes.building-abc"),
        _touch(data / ".sandbox" / f"{live}-spill" / "duckdb_temp_block-1.block").parent,
        _touch(data / ".sandbox" / "shared" / "x"),
    ]
    removed = clean_stale_build_files(data)
    assert removed == sorted(stale)
    assert [p for p in stale if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []
    assert clean_stale_build_files(data) == []
    assert clean_stale_build_files(tmp_path / "missing") == []


def test_build_command_removes_stale_files_first(tmp_path: Path) -> None:
    root, data = tmp_path / "domains", tmp_path / "data"
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "mesh", root)
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "data", data)
    dead = _dead_pid()
    planted = [_touch(data / f".mesh.duckdb.building-{dead}"),
               _touch(data / f".mesh.duckdb.building-{dead}.wal")]
    env = {**os.environ, "MESH_ROOT": str(root), "MESH_DATA_DIR": str(data)}
    env.pop("MESH_STATE_DB", None)
    done = subprocess.run([sys.executable, "-m", "catalog", "build", "--no-history"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p for p in planted if p.exists()] == []
    assert f".mesh.duckdb.building-{dead}" in done.stdout
    assert (data / "orders.csv").exists()
