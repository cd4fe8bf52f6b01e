"""Quality runs in the operational store: save a run, read the latest and the history.

A run is one row of ``quality_runs`` plus one row per check in ``check_results`` (the
:meth:`CheckResult.as_json` shape), written in one transaction, so a crash keeps whole runs or
nothing and two writers never interleave (see :mod:`catalog.store`). A rebuilt history replaces
the old one in one transaction too (:func:`replace_runs`): a process killed before the commit
leaves the previous history whole. Runs are ordered by ``as_of`` (the data cut-off they saw),
then by start time.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from catalog.quality.model import (
    Check,
    CheckResult,
    DimensionScore,
    QualityRun,
    QualityScore,
    Status,
)
from catalog.store import StateStore

_RUN_COLUMNS = ("run_id, product_id, product_version, started_at, as_of, duration_s, trigger, "
                "score, summary_json")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _insert_run(conn: sqlite3.Connection, run: QualityRun) -> None:
    """Insert ``run`` and its results on ``conn``, inside the caller's write transaction."""
    summary = {
        "grade": run.score.grade, "arithmetic": run.score.arithmetic, "counts": run.counts(),
        "dimensions": [[d.dimension, d.passed, d.scored, d.weight] for d in run.score.dimensions],
    }
    conn.execute(
        f"INSERT INTO quality_runs ({_RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run.run_id, run.product_id, run.product_version, _iso(run.started_at),
         _iso(run.as_of), run.duration_s, run.trigger, run.score.value, json.dumps(summary)],
    )
    conn.executemany(
        "INSERT INTO check_results (run_id, check_id, position, result_json, status) "
        "VALUES (?, ?, ?, ?, ?)",
        [(run.run_id, r.check.id, i, json.dumps(r.as_json(), default=str), str(r.status))
         for i, r in enumerate(run.results)],
    )


def save_run(store: StateStore, run: QualityRun) -> None:
    """Store ``run`` and its results atomically.

    Args:
        store: the operational store.
        run: the run to add.

    Raises:
        catalog.store.StoreError: the store cannot be written (nothing of the run is kept).
    """
    with store.write() as conn:
        _insert_run(conn, run)


def _result(data: dict[str, Any]) -> CheckResult:
    check = Check(
        id=data["check_id"], product_id=data["product_id"], port=data.get("port") or "",
        kind=data["kind"], object=data["object"], property=data.get("property"),
        dimension=data["dimension"], severity=data["severity"],
        description=data.get("description") or "", operator=data.get("operator") or "",
        threshold=data.get("threshold"), unit=data.get("unit") or "rows",
        arguments=data.get("arguments") or {}, query=data.get("query"),
        engine=data.get("engine"), source=data.get("source") or "",
    )
    return CheckResult(check, Status(data["status"]), observed=data.get("observed"),
                       failing_rows=data.get("failing_rows"), sample=data.get("sample") or [],
                       message=data.get("message") or "",
                       duration_s=float(data.get("duration_s") or 0.0))


def _run(row: Any, results: list[CheckResult]) -> QualityRun:
    summary = json.loads(row["summary_json"])
    dims = tuple(DimensionScore(d, p, s, w) for d, p, s, w in summary.get("dimensions", []))
    return QualityRun(
        run_id=row["run_id"], product_id=row["product_id"],
        product_version=row["product_version"],
        started_at=dt.datetime.fromisoformat(row["started_at"]),
        as_of=dt.datetime.fromisoformat(row["as_of"]), duration_s=row["duration_s"],
        trigger=row["trigger"], results=results,
        score=QualityScore(row["score"], summary.get("grade", "–"), dims,
                           summary.get("arithmetic", "")),
        stored_counts=summary.get("counts"),
    )


def _load(store: StateStore, where: str, params: list[Any], with_results: bool
          ) -> list[QualityRun]:
    with store.read() as conn:
        rows = conn.execute(f"SELECT {_RUN_COLUMNS} FROM quality_runs {where}", params).fetchall()
        by_run: dict[str, list[CheckResult]] = {r["run_id"]: [] for r in rows}
        if with_results and rows:
            ids = list(by_run)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ", ".join("?" * len(chunk))
                for res in conn.execute(
                        f"SELECT run_id, result_json FROM check_results WHERE run_id IN ({marks}) "
                        "ORDER BY run_id, position", chunk):
                    by_run[res["run_id"]].append(_result(json.loads(res["result_json"])))
    return [_run(r, by_run[r["run_id"]]) for r in rows]


def latest_runs(store: StateStore, with_results: bool = True) -> dict[str, QualityRun]:
    """The most recent run of every product (by data cut-off, then start time).

    Args:
        store: the operational store.
        with_results: also load each run's check results (else only its counts).

    Returns:
        The latest run per product id.
    """
    runs = _load(store, "WHERE run_id IN (SELECT run_id FROM (SELECT run_id, row_number() OVER "
                        "(PARTITION BY product_id ORDER BY as_of DESC, started_at DESC) AS n "
                        "FROM quality_runs) WHERE n = 1)", [], with_results)
    return {r.product_id: r for r in runs}


def product_runs(store: StateStore, product_id: str, with_results: bool = True,
                 limit: int = 500) -> list[QualityRun]:
    """Runs of one product, oldest first (the most recent ``limit`` runs).

    Args:
        store: the operational store.
        product_id: the product.
        with_results: also load each run's check results (else only its counts).
        limit: at most this many runs.

    Returns:
        The runs, oldest first.
    """
    runs = _load(store, "WHERE product_id = ? ORDER BY as_of DESC, started_at DESC LIMIT ?",
                 [product_id, int(limit)], with_results)
    return runs[::-1]


def all_runs(store: StateStore) -> list[QualityRun]:
    """Every run of every product without results (for mesh-wide trends), oldest first.

    Args:
        store: the operational store.

    Returns:
        The runs ordered by data cut-off, then start time.
    """
    return _load(store, "ORDER BY as_of, started_at", [], with_results=False)


def clear_history(store: StateStore, trigger: str) -> int:
    """Delete the runs made by ``trigger`` (and their results), in one transaction.

    To swap in a rebuilt set of runs use :func:`replace_runs`, which never leaves the store
    without them.

    Args:
        store: the operational store.
        trigger: the trigger whose runs are deleted, e.g. ``history``.

    Returns:
        The number of runs deleted.
    """
    with store.write() as conn:
        cur = conn.execute("DELETE FROM quality_runs WHERE trigger = ?", [trigger])
        return int(cur.rowcount)


def replace_runs(store: StateStore, trigger: str, runs: Sequence[QualityRun]) -> int:
    """Replace every stored run made by ``trigger`` with ``runs``, in one transaction.

    Used to swap in a rebuilt history: readers and a crash (a killed process, a full disk) see
    either the old runs or the new ones, never a mix and never an emptied history. Runs made by
    other triggers are kept. The write lock is held only for the inserts (about 0.1 s for 200
    runs of 25 results), so compute ``runs`` before calling.

    Args:
        store: the operational store.
        trigger: the trigger whose runs are replaced, e.g. ``history``.
        runs: the new runs; each must carry ``trigger``.

    Returns:
        The number of old runs deleted.

    Raises:
        ValueError: a run carries another trigger (it would outlive the next replacement);
            nothing is changed.
        catalog.store.StoreError: the store cannot be written; the old runs are kept.
    """
    strays = sorted({run.trigger for run in runs if run.trigger != trigger})
    if strays:
        raise ValueError(f"Runs to replace the '{trigger}' runs carry other triggers: "
                         f"{', '.join(strays)}.")
    with store.write() as conn:
        deleted = int(conn.execute("DELETE FROM quality_runs WHERE trigger = ?",
                                   [trigger]).rowcount)
        for run in runs:
            _insert_run(conn, run)
    return deleted
