"""Builders and process workers shared by the store conformance tests.

Workers are module-level functions so ``multiprocessing``'s ``spawn`` start method can import
them in a fresh interpreter; each opens the store from its URL, as a separate replica would.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from catalog.access import grants
from catalog.access.identity import AdminConfig, principal_for
from catalog.errors import InvalidRequest
from catalog.quality.history import save_run
from catalog.quality.model import Check, CheckResult, QualityRun, Status
from catalog.quality.scoring import score
from catalog.registration.errors import PublishConflict
from catalog.store import StateStore

NO_ADMINS = AdminConfig()
T0 = dt.datetime(2024, 3, 1, 9, 30, 15, 123456)
"""A fixed moment (naive UTC)."""


def person(user: str, email: str = "") -> Any:
    """A signed-in principal with no admin rights."""
    return principal_for(user, user.split("@")[0].title(), email=email, admins=NO_ADMINS)


def quality_run(product: str, trigger: str = "cli", minute: int = 0, checks: int = 2,
                failed: int = 0) -> QualityRun:
    """A run of ``checks`` row-count checks on ``product`` at 2013-01-01 + ``minute``,
    the first ``failed`` of them failed."""
    results = []
    for i in range(checks):
        check = Check(id=f"rows_{i}", product_id=product, port="p", kind="rowCount",
                      object="o", property=None, dimension="completeness", severity="error",
                      description=f"check {i}")
        status = Status.FAILED if i < failed else Status.PASSED
        results.append(CheckResult(check, status, observed=minute + i))
    at = dt.datetime(2013, 1, 1) + dt.timedelta(minutes=minute)
    return QualityRun(uuid.uuid4().hex, product, "1.0.0", at, at, 0.25, trigger, results,
                      score(results))


# -- process workers --------------------------------------------------------------------------
def write_runs_and_events(url: str, worker: int, count: int, barrier: Any) -> None:
    """Child process: ``count`` quality runs and ``count`` audit events, as fast as it can."""
    store = StateStore.from_url(url)
    barrier.wait(timeout=120)
    for i in range(count):
        save_run(store, quality_run(f"p{worker}", minute=i))
        store.record_audit(T0 + dt.timedelta(seconds=i), f"w{worker}", "test.wrote",
                           f"p{worker}", {"i": i})
    store.dispose()


def decide(url: str, decider: str, request_id: int, barrier: Any, results: Any) -> None:
    """Child process: wait for the other decider, then approve the request."""
    store = StateStore.from_url(url)
    who = person(decider)
    barrier.wait(timeout=120)
    try:
        decided = grants.decide_request(store, who, request_id, True)
        results.put((decider, "approved", decided.decided_by))
    except InvalidRequest as err:
        results.put((decider, "refused", str(err)))
    store.dispose()


def take_claim(url: str, holder: str, barrier: Any, results: Any) -> None:
    """Child process: wait for the other claimant, then claim ``sales.orders``."""
    store = StateStore.from_url(url)
    barrier.wait(timeout=120)
    try:
        store.claim("sales.orders", holder, stale_after_s=900)
        results.put((holder, "claimed", ""))
    except PublishConflict as err:
        results.put((holder, "refused", str(err)))
    store.dispose()


def open_and_count(url: str, barrier: Any, results: Any) -> None:
    """Child process: open a never-migrated store at the same moment as others and write."""
    store = StateStore.from_url(url)
    barrier.wait(timeout=120)
    seq = store.record_audit(T0, "opener", "test.opened", "store")
    results.put((store.schema_revision(), seq))
    store.dispose()
