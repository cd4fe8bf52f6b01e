"""Two real processes publish the same product id at the same moment: exactly one wins and
the other is told, in words, that the id is taken or being published."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.models.principal import LOCAL_USER


def test_two_processes_publishing_one_id_end_with_one_product(fixture_mesh: Settings,
                                                              tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.catalog.registration.publish_worker",
         str(fixture_mesh.mesh_root), str(fixture_mesh.data_dir), str(work), name],
        cwd=REPO_ROOT) for name in ("first", "second")]
    try:
        deadline = time.monotonic() + 90
        while not all((work / f"{n}.ready").exists() for n in ("first", "second")):
            assert time.monotonic() < deadline, "workers did not get ready"
            assert all(w.poll() is None for w in workers), "a worker died while preparing"
            time.sleep(0.05)
        (work / "go").touch()
        for worker in workers:
            assert worker.wait(timeout=90) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    outcomes = [json.loads((work / f"{n}.json").read_text()) for n in ("first", "second")]
    statuses = sorted(o["status"] for o in outcomes)
    assert statuses == ["published", "refused"], outcomes
    loser = next(o for o in outcomes if o["status"] == "refused")
    assert loser["error"] == "PublishConflict"
    assert "sales.returns" in loser["message"]
    assert ("already exists" in loser["message"]
            or "Someone else is publishing" in loser["message"]), loser
    # Exactly one product, with one data file and no leftovers of the loser.
    catalog = Catalog(fixture_mesh, recheck_seconds=0)
    assert catalog.row_count(LOCAL_USER, "sales.returns") == 200
    folder = fixture_mesh.mesh_root / "sales"
    assert sorted(p.name for p in (folder / "returns").iterdir()) == [
        "product.odps.yaml", "returns.odcs.yaml"]
    assert not list(folder.glob(".*"))
    data = fixture_mesh.data_dir / "products" / "sales" / "returns"
    assert [p.name for p in data.iterdir()] == ["1.0.0.parquet"]
    assert duckdb.sql(f"SELECT count(*) FROM '{data / '1.0.0.parquet'}'").fetchall() == [(200,)]
