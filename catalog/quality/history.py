"""Quality runs in the operational store: save a run, read the latest and the history.

A run is one row of ``quality_runs`` plus one row per check in ``check_results`` (the
:meth:`CheckResult.as_json` shape), written in one transaction, so a crash keeps whole runs or
nothing and two writers never interleave (see :mod:`catalog.store`). A rebuilt history
replaces the old one in one transaction too (:func:`replace_runs`): a process killed before the
commit leaves the previous history whole. Every statement is SQLAlchemy Core over
:mod:`catalog.store.tables`, so it runs on every store adapter. Runs are ordered by ``as_of``
(the data cut-off they saw), then by start time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.engine import Connection

from catalog.quality.model import (
    Check,
    CheckResult,
    DimensionScore,
    QualityRun,
    QualityScore,
    Status,
)
from catalog.store import StateStore
from catalog.store.tables import check_results, quality_runs

_RUN_COLUMNS = (quality_runs.c.run_id, quality_runs.c.product_id, quality_runs.c.product_version,
                quality_runs.c.started_at, quality_runs.c.as_of, quality_runs.c.duration_s,
                quality_runs.c.trigger, quality_runs.c.score, quality_runs.c.summary_json)
_CHUNK = 500
"""Run ids per ``IN (…)`` list when loading results (well under every driver's limit)."""


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _insert_runs(conn: Connection, runs: Sequence[QualityRun]) -> None:
    """Insert ``runs`` and their results on ``conn``, inside the caller's write transaction
    (two statements, each executed with every row: few round trips on a database server)."""
    rows, results = [], []
    for run in runs:
        summary = {
            "grade": run.score.grade, "arithmetic": run.score.arithmetic, "counts": run.counts(),
            "dimensions": [[d.dimension, d.passed, d.scored, d.weight]
                           for d in run.score.dimensions],
        }
        rows.append({"run_id": run.run_id, "product_id": run.product_id,
                     "product_version": run.product_version,
                     "started_at": _iso(run.started_at), "as_of": _iso(run.as_of),
                     "duration_s": run.duration_s, "trigger": run.trigger,
                     "score": run.score.value, "summary_json": json.dumps(summary)})
        results += [{"run_id": run.run_id, "check_id": r.check.id, "position": i,
                     "result_json": json.dumps(r.as_json(), default=str),
                     "status": str(r.status)} for i, r in enumerate(run.results)]
    if rows:
        conn.execute(insert(quality_runs), rows)
    if results:
        conn.execute(insert(check_results), results)


def _delete_runs(conn: Connection, trigger: str) -> int:
    """Delete the runs of ``trigger`` (their results go with them: ``ON DELETE CASCADE``)."""
    return int(conn.execute(delete(quality_runs).where(quality_runs.c.trigger == trigger))
               .rowcount)


def save_run(store: StateStore, run: QualityRun) -> None:
    """Store ``run`` and its results atomically.

    Args:
        store: the operational store.
        run: the run to add.

    Raises:
        catalog.store.StoreError: the store cannot be written (nothing of the run is kept).
    """
    with store.write() as conn:
        _insert_runs(conn, [run])


def _result(data: dict[str, Any]) -> CheckResult:
    check = Check(
        id=data["check_id"], product_id=data["product_id"], port=data.get("port") or "",
        kind=data["kind"], object=data["object"], property=data.get("property"),
        dimension=data["dimension"], severity=data["severity"],
        description=data.get("description") or "", operator=data.get("operator") or "",
        threshold=data.get("threshold"), unit=data.get("unit") or "rows",
        arguments=data.get("arguments") or {}, query=data.get("query"),
        engine=data.get("engine"), source=data.get("source") or "",
        label=data.get("label"),
    )
    return CheckResult(check, Status(data["status"]), observed=data.get("observed"),
                       failing_rows=data.get("failing_rows"), sample=data.get("sample") or [],
                       message=data.get("message") or "",
                       duration_s=float(data.get("duration_s") or 0.0))


def _run(row: Any, results: list[CheckResult]) -> QualityRun:
    m = row._mapping
    summary = json.loads(m["summary_json"])
    dims = tuple(DimensionScore(d, p, s, w) for d, p, s, w in summary.get("dimensions", []))
    return QualityRun(
        run_id=m["run_id"], product_id=m["product_id"],
        product_version=m["product_version"],
        started_at=dt.datetime.fromisoformat(m["started_at"]),
        as_of=dt.datetime.fromisoformat(m["as_of"]), duration_s=float(m["duration_s"]),
        trigger=m["trigger"], results=results,
        score=QualityScore(None if m["score"] is None else float(m["score"]),
                           summary.get("grade", "–"), dims, summary.get("arithmetic", "")),
        stored_counts=summary.get("counts"),
    )


def _load(store: StateStore, query: Select[Any], with_results: bool) -> list[QualityRun]:
    with store.read() as conn:
        rows = conn.execute(query).all()
        by_run: dict[str, list[CheckResult]] = {r.run_id: [] for r in rows}
        if with_results and rows:
            ids = list(by_run)
            for start in range(0, len(ids), _CHUNK):
                for run_id, result in conn.execute(
                        select(check_results.c.run_id, check_results.c.result_json)
                        .where(check_results.c.run_id.in_(ids[start:start + _CHUNK]))
                        .order_by(check_results.c.run_id, check_results.c.position)):
                    by_run[run_id].append(_result(json.loads(result)))
    return [_run(r, by_run[r.run_id]) for r in rows]


def latest_runs(store: StateStore, with_results: bool = True) -> dict[str, QualityRun]:
    """The most recent run of every product (by data cut-off, then start time).

    Args:
        store: the operational store.
        with_results: also load each run's check results (else only its counts).

    Returns:
        The latest run per product id.
    """
    ranked = select(quality_runs.c.run_id, func.row_number().over(
        partition_by=quality_runs.c.product_id,
        order_by=(quality_runs.c.as_of.desc(), quality_runs.c.started_at.desc())).label("n")
    ).subquery()
    newest = select(ranked.c.run_id).where(ranked.c.n == 1)
    runs = _load(store, select(*_RUN_COLUMNS).where(quality_runs.c.run_id.in_(newest)),
                 with_results)
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
    runs = _load(store, select(*_RUN_COLUMNS).where(quality_runs.c.product_id == product_id)
                 .order_by(quality_runs.c.as_of.desc(), quality_runs.c.started_at.desc())
                 .limit(int(limit)), with_results)
    return runs[::-1]


def all_runs(store: StateStore) -> list[QualityRun]:
    """Every run of every product without results (for mesh-wide trends), oldest first.

    Args:
        store: the operational store.

    Returns:
        The runs ordered by data cut-off, then start time.
    """
    return _load(store, select(*_RUN_COLUMNS).order_by(quality_runs.c.as_of,
                                                        quality_runs.c.started_at),
                 with_results=False)


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
        return _delete_runs(conn, trigger)


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
        deleted = _delete_runs(conn, trigger)
        _insert_runs(conn, runs)
    return deleted
