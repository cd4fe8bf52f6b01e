"""Several processes on one store at once, on every adapter: nothing written is lost, and of two
processes doing the same check-then-act step exactly one succeeds."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from catalog.access import grants
from catalog.quality.history import all_runs
from catalog.store import StateStore
from catalog.store.migrations import head
from tests.catalog.store import helpers
from tests.catalog.store.helpers import T0, person

WRITERS = 4
EACH = 25
CONTEXT = multiprocessing.get_context("spawn")


def _run_together(target: Callable[..., None], args: list[tuple[Any, ...]],
                  with_results: bool) -> list[Any]:
    """Start one process per ``args`` (each gets the shared barrier, and the result queue when
    ``with_results``), wait for all; the results they queued."""
    barrier = CONTEXT.Barrier(len(args))
    results = CONTEXT.Queue()
    workers = [CONTEXT.Process(target=target,
                               args=(*a, barrier, results) if with_results else (*a, barrier))
               for a in args]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=180) for _ in workers] if with_results else []
    for worker in workers:
        worker.join(timeout=180)
        assert worker.exitcode == 0
    return found


def test_four_writer_processes_lose_no_run_and_no_event(store: StateStore) -> None:
    store.schema_revision()  # migrated before the writers start (their race is tested below)
    _run_together(helpers.write_runs_and_events,
                  [(store.url, w, EACH) for w in range(WRITERS)], with_results=False)
    runs = all_runs(store)
    assert len(runs) == WRITERS * EACH
    assert {r.product_id for r in runs} == {f"p{w}" for w in range(WRITERS)}
    events = store.audit_events(action_prefix="test.", limit=10_000)
    assert len(events) == WRITERS * EACH
    assert len({e["seq"] for e in events}) == WRITERS * EACH
    for w in range(WRITERS):
        mine = [e["detail"]["i"] for e in events if e["actor"] == f"w{w}"]
        assert sorted(mine) == list(range(EACH)) and mine == sorted(mine, reverse=True)


def test_two_owners_deciding_one_request_at_once_make_one_decision(store: StateStore) -> None:
    request = grants.request_access(store, person("ana@x.example"), "operations.flights",
                                    ["gold", "silver"], "Monthly report for the board", 30,
                                    now=T0)
    outcomes = sorted(_run_together(helpers.decide,
                                    [(store.url, who, request.id)
                                     for who in ("olga@x.example", "oskar@x.example")],
                                    with_results=True), key=lambda o: o[1])
    assert [o[1] for o in outcomes] == ["approved", "refused"]
    [(winner, _, decided_by), (loser, _, message)] = outcomes
    assert decided_by == winner != loser
    assert f"already approved by {winner}" in message
    made = grants.grants(store)
    assert sorted(g.port for g in made) == ["gold", "silver"]
    assert [e["actor"] for e in store.audit_events(action_prefix="access.granted")] == [winner]


def test_two_processes_claiming_one_id_at_once_one_wins(store: StateStore) -> None:
    store.schema_revision()
    outcomes = sorted(_run_together(helpers.take_claim,
                                    [(store.url, holder) for holder in ("one", "two")],
                                    with_results=True), key=lambda o: o[1])
    assert [o[1] for o in outcomes] == ["claimed", "refused"]
    assert "Someone else is publishing sales.orders" in outcomes[1][2]
    assert store.claims()["sales.orders"][0] == outcomes[0][0]


def test_processes_opening_a_new_store_at_once_migrate_it_once(store_url: str) -> None:
    outcomes = _run_together(helpers.open_and_count, [(store_url,)] * WRITERS,
                             with_results=True)
    assert {revision for revision, _ in outcomes} == {head()}
    assert sorted(seq for _, seq in outcomes) == list(range(1, WRITERS + 1))
    store = StateStore.from_url(store_url)
    assert len(store.audit()) == WRITERS
    store.dispose()
