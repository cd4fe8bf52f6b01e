"""Quality runs and their check results, on every adapter."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from catalog.quality import history
from catalog.quality.model import Status
from catalog.store import StateStore, StoreError
from tests.catalog.store.helpers import quality_run


def test_a_saved_run_reads_back_whole_with_its_results_in_order(store: StateStore) -> None:
    run = quality_run("sales.orders", checks=3, failed=1)
    history.save_run(store, run)
    [back] = history.product_runs(store, "sales.orders")
    assert back.run_id == run.run_id and back.product_version == "1.0.0"
    assert back.started_at == run.started_at and back.as_of == run.as_of
    assert back.duration_s == pytest.approx(0.25) and back.trigger == "cli"
    assert back.score.value == pytest.approx(run.score.value)
    assert back.score.grade == run.score.grade
    assert [r.check.id for r in back.results] == ["rows_0", "rows_1", "rows_2"]
    assert [r.status for r in back.results] == [Status.FAILED, Status.PASSED, Status.PASSED]
    assert back.counts() == run.counts()
    [light] = history.product_runs(store, "sales.orders", with_results=False)
    assert light.results == [] and light.counts() == run.counts()


def test_latest_runs_pick_the_newest_cut_off_then_start_per_product(store: StateStore) -> None:
    old, new = quality_run("a", minute=1), quality_run("a", minute=5)
    same_cut_off = dataclasses.replace(quality_run("b", minute=3),
                                       started_at=dt.datetime(2013, 1, 2))
    earlier_start = quality_run("b", minute=3)
    for run in (new, old, earlier_start, same_cut_off):
        history.save_run(store, run)
    latest = history.latest_runs(store)
    assert {p: r.run_id for p, r in latest.items()} == {"a": new.run_id,
                                                       "b": same_cut_off.run_id}
    assert [r.check.id for r in latest["a"].results] == ["rows_0", "rows_1"]


def test_product_runs_are_the_newest_n_oldest_first(store: StateStore) -> None:
    runs = [quality_run("a", minute=m) for m in (4, 1, 3, 2, 5)]
    for run in runs:
        history.save_run(store, run)
    history.save_run(store, quality_run("other", minute=9))
    ids = [r.run_id for r in history.product_runs(store, "a", limit=3)]
    by_minute = {r.as_of.minute: r.run_id for r in runs}
    assert ids == [by_minute[3], by_minute[4], by_minute[5]]
    assert [r.product_id for r in history.all_runs(store)] == ["a"] * 5 + ["other"]


def test_runs_of_one_trigger_are_deleted_with_their_results_and_replaced_at_once(
        store: StateStore) -> None:
    manual = quality_run("a", "cli", 0)
    history.save_run(store, manual)
    for minute in (1, 2):
        history.save_run(store, quality_run("a", "history", minute))
    fresh = [quality_run("a", "history", 3), quality_run("b", "history", 4)]
    assert history.replace_runs(store, "history", fresh) == 2
    assert [r.run_id for r in history.all_runs(store)] == [manual.run_id] + [
        r.run_id for r in fresh]
    with pytest.raises(ValueError, match="cli"):
        history.replace_runs(store, "history", [quality_run("a", "cli", 5)])
    assert history.clear_history(store, "history") == 2
    assert [r.run_id for r in history.all_runs(store)] == [manual.run_id]
    assert history.clear_history(store, "nothing") == 0
    [kept] = history.product_runs(store, "a")
    assert len(kept.results) == 2


def test_a_run_that_cannot_be_stored_leaves_nothing_behind(store: StateStore) -> None:
    manual, old = quality_run("a", "cli"), quality_run("a", "history", minute=1)
    history.save_run(store, manual)
    history.save_run(store, old)
    with pytest.raises(StoreError):  # a run id that is taken
        history.save_run(store, dataclasses.replace(quality_run("a"), run_id=manual.run_id))
    clash = dataclasses.replace(quality_run("a", "history", minute=3), run_id=manual.run_id)
    with pytest.raises(StoreError):  # the second insert fails: the delete and the first go too
        history.replace_runs(store, "history", [quality_run("a", "history", minute=2), clash])
    assert [r.run_id for r in history.all_runs(store)] == [manual.run_id, old.run_id]
    assert [len(r.results) for r in history.product_runs(store, "a")] == [2, 2]


def test_many_runs_load_their_results_in_chunks(store: StateStore) -> None:
    runs = [quality_run(f"p{i:04d}", minute=i, checks=1) for i in range(1203)]
    history.replace_runs(store, "cli", runs)
    latest = history.latest_runs(store)
    assert len(latest) == 1203
    assert all(len(r.results) == 1 for r in latest.values())
