"""Quality runs: scoring, storage, concurrent writers, month-end history, the check command."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.cli import main
from catalog.config import REPO_ROOT, Settings
from catalog.models.principal import LOCAL_USER
from catalog.quality.backfill import month_ends, rebuild_history
from catalog.quality.history import latest_runs, product_runs
from catalog.quality.model import Check, CheckResult, Status
from catalog.quality.scoring import score
from catalog.store import StateStore


def result(dimension: str, status: Status) -> CheckResult:
    check = Check(id=f"{dimension}-{status}", product_id="p", port="p", kind="nullValues",
                  object="o", property="c", dimension=dimension, severity="error",
                  description="d")
    return CheckResult(check, status)


def test_score_weights_dimension_pass_rates_and_shows_the_arithmetic() -> None:
    qs = score([result("completeness", Status.PASSED), result("completeness", Status.FAILED),
                result("uniqueness", Status.PASSED), result("accuracy", Status.ERROR),
                result("timeliness", Status.SKIPPED)])
    # completeness 1/2 (weight 0.25), uniqueness 1/1 (0.15); error and skipped not scored
    assert qs.value == pytest.approx(100 * (0.25 * 0.5 + 0.15 * 1.0) / 0.40, abs=0.05)
    assert qs.grade == "D"  # C starts at 70
    assert qs.arithmetic == "(0.25×50.0% + 0.15×100.0%) ÷ 0.40 = 68.8"
    assert score([result("accuracy", Status.ERROR)]).value is None


def test_runs_survive_in_the_store_with_results(fixture_catalog: Catalog) -> None:
    run = fixture_catalog.run_quality(LOCAL_USER, "sales.orders")
    again = Catalog(fixture_catalog.settings).latest_quality(LOCAL_USER, "sales.orders")
    assert again is not None and again.run_id == run.run_id
    assert [r.check.id for r in again.results] == [r.check.id for r in run.results]
    assert [r.status for r in again.results] == [r.status for r in run.results]
    assert again.score == run.score


def test_two_processes_writing_runs_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    writer = textwrap.dedent(f"""
        import datetime as dt, sys, uuid
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from pathlib import Path
        from catalog.store import StateStore
        from catalog.quality.history import save_run
        from catalog.quality.model import Check, CheckResult, QualityRun, Status
        from catalog.quality.scoring import score
        store = StateStore(Path({str(db)!r}))
        tag = sys.argv[1]
        for i in range(60):
            c = Check(id=f"c{{i}}", product_id=tag, port="p", kind="rowCount", object="o",
                      property=None, dimension="completeness", severity="error", description="")
            results = [CheckResult(c, Status.PASSED, observed=i)]
            now = dt.datetime(2024, 1, 1) + dt.timedelta(minutes=i)
            save_run(store, QualityRun(uuid.uuid4().hex, tag, "1.0.0", now, now, 0.1, "cli",
                                       results, score(results)))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", writer, tag]) for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = StateStore(db)
    assert len(product_runs(store, "a")) == 60 and len(product_runs(store, "b")) == 60
    assert all(len(r.results) == 1 for r in product_runs(store, "a"))
    assert {k: v.results[0].observed for k, v in latest_runs(store).items()} == {
        "a": 59, "b": 59}


def test_month_ends_cover_every_month_of_the_span() -> None:
    import datetime as dt
    ends = month_ends(dt.datetime(2013, 1, 1, 5), dt.datetime(2013, 12, 30))
    assert len(ends) == 12
    assert ends[1] == dt.datetime(2013, 2, 28, 23, 59, 59)


def test_demo_history_shows_what_the_real_data_did(demo_settings: Settings,
                                                   tmp_path: Path) -> None:
    settings = Settings(demo_settings.mesh_root, demo_settings.data_dir,
                        state_db=tmp_path / "state.sqlite")
    catalog = Catalog(settings)
    flights = catalog.product(LOCAL_USER, "operations.flights")
    mesh = catalog.mesh()
    mesh_one = type(mesh)(mesh.root, mesh.domains, {"operations.flights": flights})
    assert rebuild_history(catalog.engine, mesh_one, catalog.store) == 12
    runs = catalog.quality_history(LOCAL_USER, "operations.flights")
    assert [r.as_of.month for r in runs] == list(range(1, 13))

    def observed(run, check_id):  # type: ignore[no-untyped-def]
        return next(r for r in run.results if r.check.id == check_id)

    # A year of flights passes 300,000 only in November; cancellations peak in February.
    counts = [observed(r, "flights-row-count") for r in runs]
    assert [c.status for c in counts].index(Status.PASSED) == 10
    dep = [observed(r, "flights-dep-time-nulls").observed for r in runs]
    assert max(dep) == dep[1] and dep[-1] == pytest.approx(2.451, abs=0.001)
    assert all(observed(r, "flights.flights.time_hour.freshness").status == Status.PASSED
               for r in runs)


def test_check_command_json_and_exit_codes(fixture_mesh: Settings, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MESH_ROOT", str(fixture_mesh.mesh_root))
    monkeypatch.setenv("MESH_DATA_DIR", str(fixture_mesh.data_dir))
    code = main(["check", "sales.orders", "--json"])
    out = json.loads(capsys.readouterr().out)
    keys = {"product_id", "check_id", "kind", "object", "property", "dimension", "status",
            "observed", "threshold", "failing_rows"}
    assert out and all(keys <= set(item) for item in out)
    statuses = {item["status"] for item in out}
    assert code == (1 if statuses & {"failed", "error"} else 0)
    assert main(["check", "sales.nope"]) == 2
    stored = Catalog(fixture_mesh).quality_history(LOCAL_USER, "sales.orders")
    assert len(stored) == 1


def test_check_command_fail_on_warning_is_stricter(demo_settings: Settings, tmp_path: Path
                                                   ) -> None:
    env = {"MESH_ROOT": str(demo_settings.mesh_root), "MESH_DATA_DIR": str(demo_settings.data_dir),
           "MESH_STATE_DB": str(tmp_path / "s.sqlite"), "PATH": "/usr/bin:/bin"}
    # reference.airports breaks only a warning-severity rule (3 airports without a time zone)
    cmd = [sys.executable, "-m", "catalog", "check", "reference.airports", "--no-store"]
    relaxed = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    strict = subprocess.run([*cmd, "--fail-on", "warning"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True)
    assert "WARNING airports-tzone-not-null" in relaxed.stdout
    assert (relaxed.returncode, strict.returncode) == (0, 1), relaxed.stdout + relaxed.stderr


def test_runs_read_without_results_keep_their_status_counts(fixture_catalog: Catalog) -> None:
    run = fixture_catalog.run_quality(LOCAL_USER, "sales.orders")
    light = fixture_catalog.latest_quality_all(LOCAL_USER, with_results=False)["sales.orders"]
    assert light.results == [] and light.counts() == run.counts()
