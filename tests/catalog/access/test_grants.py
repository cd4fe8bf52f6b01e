"""Access requests and grants (catalog.access.grants) on a real SQLite operational store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from catalog.access import grants
from catalog.access.grants import GrantNotFound, RequestNotFound
from catalog.access.identity import AdminConfig, principal_for
from catalog.errors import InvalidRequest
from catalog.models.principal import Principal
from catalog.store import StateStore
from catalog.store.migrations import head

NO_ADMINS = AdminConfig()
ANA = principal_for("ana@x.example", "Ana", email="ana@x.example", admins=NO_ADMINS)
BEN = principal_for("ben@x.example", "Ben", admins=NO_ADMINS)
OLGA = principal_for("olga@x.example", "Olga Owner", admins=NO_ADMINS)
OSKAR = principal_for("oskar@x.example", "Oskar Owner", admins=NO_ADMINS)
T0 = dt.datetime(2024, 3, 1, 9, 30, 15, 123456)
PURPOSE = "Monthly on-time performance report for the operations board"
PRODUCT = "operations.flights"


@pytest.fixture()
def store(tmp_path: Path) -> StateStore:
    """A fresh operational store in a temporary folder."""
    return StateStore(tmp_path / "state.sqlite")


def _approved(store: StateStore, ports: tuple[str, ...] = ("gold",), days: int | None = 30,
              columns: tuple[str, ...] = ()) -> list[grants.Grant]:
    """Ana asks for ``ports`` at T0, Olga approves an hour later; Ana's grants."""
    request = grants.request_access(store, ANA, PRODUCT, ports, PURPOSE, days, columns, now=T0)
    grants.decide_request(store, OLGA, request.id, True, now=T0 + dt.timedelta(hours=1))
    return grants.grants(store, consumer=ANA)


# -- request validation ------------------------------------------------------------------------
@pytest.mark.parametrize(("ports", "purpose", "days", "message"), [
    (["gold"], "  for fun  ", 30, "at least 10 characters"),
    (["gold"], "x" * 2001, 30, "2000 characters"),
    ([], PURPOSE, 30, "at least one output port"),
    (["  "], PURPOSE, 30, "at least one output port"),
    (["gold"], PURPOSE, 0, "from 1 to 3650"),
    (["gold"], PURPOSE, 3651, "from 1 to 3650"),
    (["gold"], PURPOSE, -5, "from 1 to 3650"),
])
def test_a_request_missing_what_an_owner_needs_is_refused_and_nothing_is_filed(
        store: StateStore, ports: list[str], purpose: str, days: int, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        grants.request_access(store, ANA, PRODUCT, ports, purpose, days, now=T0)
    assert grants.requests(store) == []
    assert store.audit_events() == []


def test_a_request_is_filed_pending_with_what_was_asked(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, [" gold ", "silver", "gold"],
                                    f"  {PURPOSE}  ", None, ["passenger_name"], now=T0)
    assert request.status == "pending"
    assert (request.requester, request.requester_name) == ("ana@x.example", "Ana")
    assert request.ports == ("gold", "silver") and request.columns == ("passenger_name",)
    assert request.purpose == PURPOSE and request.duration_days is None
    assert request.created_at == T0 and request.decided_by is None
    assert grants.requests(store, requester=ANA) == [request]
    [event] = store.audit_events()
    assert (event["actor"], event["action"], event["target"]) == (
        "ana@x.example", "access.requested", PRODUCT)
    assert event["detail"]["ports"] == ["gold", "silver"]


def test_asking_again_for_a_port_still_pending_is_refused_with_the_date(
        store: StateStore) -> None:
    first = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    with pytest.raises(InvalidRequest, match=r"already asked for gold .* on 2024-03-01 .*wait"):
        grants.request_access(store, ANA, PRODUCT, ["silver", "gold"], PURPOSE, 30,
                              now=T0 + dt.timedelta(days=1))
    # another port, another person, or after the decision: fine
    grants.request_access(store, ANA, PRODUCT, ["silver"], PURPOSE, 30, now=T0)
    grants.request_access(store, BEN, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    grants.decide_request(store, OLGA, first.id, False, "Use the public summary port instead")
    grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    assert len(grants.requests(store, requester=ANA, status="pending")) == 2


# -- decisions -------------------------------------------------------------------------------
def test_approval_grants_each_port_for_exactly_the_days_asked(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold", "silver"], PURPOSE, 30,
                                    ["passenger_name"], now=T0)
    decided_at = T0 + dt.timedelta(hours=2)
    decided = grants.decide_request(store, OLGA, request.id, True, now=decided_at)
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        "approved", "olga@x.example", decided_at)
    made = sorted(grants.grants(store, consumer=ANA), key=lambda g: g.port)
    assert [g.port for g in made] == ["gold", "silver"]
    for grant in made:
        assert grant.request_id == request.id and grant.starts_at == decided_at
        assert grant.expires_at is not None
        assert (grant.expires_at - grant.starts_at).total_seconds() == 30 * 86_400
        assert grant.columns == ("passenger_name",)
    assert grants.granted_ports(store, ANA, PRODUCT, now=decided_at) == {"gold", "silver"}
    assert grants.granted_columns(store, ANA, PRODUCT, "gold", now=decided_at) == {
        "passenger_name"}
    assert grants.granted_ports(store, BEN, PRODUCT, now=decided_at) == set()
    [event] = store.audit_events(action_prefix="access.granted")
    assert event["actor"] == "olga@x.example" and event["detail"]["ports"] == ["gold", "silver"]


def test_a_permanent_grant_never_expires(store: StateStore) -> None:
    [grant] = _approved(store, days=None)
    assert grant.expires_at is None
    assert grant.active(T0 + dt.timedelta(days=365 * 50))
    assert grants.expiring(store, ANA, 14, now=T0 + dt.timedelta(days=365 * 50)) == []


def test_grants_match_the_user_id_or_the_email_whatever_the_case(store: StateStore) -> None:
    _approved(store)
    same_person = Principal("ANA-SUB-42", "Ana", email="Ana@X.example")
    assert grants.granted_ports(store, same_person, PRODUCT, now=T0 + dt.timedelta(days=1)) == {
        "gold"}


def test_a_denial_needs_a_note_and_makes_no_grant(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    with pytest.raises(InvalidRequest, match="Say why you deny"):
        grants.decide_request(store, OLGA, request.id, False, "   ")
    assert grants.requests(store)[0].status == "pending"
    denied = grants.decide_request(store, OLGA, request.id, False, "Contains personal data")
    assert (denied.status, denied.note) == ("denied", "Contains personal data")
    assert grants.grants(store) == []
    with pytest.raises(InvalidRequest, match="already denied by olga@x.example"):
        grants.decide_request(store, OSKAR, request.id, True)


def test_deciding_an_unknown_request_says_so(store: StateStore) -> None:
    with pytest.raises(RequestNotFound, match="no access request #99"):
        grants.decide_request(store, OLGA, 99, True)
    with pytest.raises(GrantNotFound, match="no access grant #7"):
        grants.revoke(store, OLGA, 7, "no longer needed")


# -- expiry, renewal, revocation ----------------------------------------------------------------
def test_a_grant_expires_and_is_listed_as_expiring_in_its_last_two_weeks(
        store: StateStore) -> None:
    [grant] = _approved(store, days=30)
    assert grant.expires_at is not None
    early = grant.expires_at - dt.timedelta(days=20)
    late = grant.expires_at - dt.timedelta(days=10)
    after = grant.expires_at + dt.timedelta(seconds=1)
    assert grants.expiring(store, ANA, 14, now=early) == []
    assert [g.id for g in grants.expiring(store, ANA, 14, now=late)] == [grant.id]
    assert grant.active(late) and not grant.active(after)
    assert grants.active_grants(store, ANA, PRODUCT, now=after) == []
    assert grants.granted_ports(store, ANA, PRODUCT, now=after) == set()
    assert grants.expiring(store, ANA, 14, now=after) == []
    assert [g.id for g in grants.grants(store, consumer=ANA)] == [grant.id]  # still listed
    assert grants.grants(store, consumer=ANA, include_inactive=False, now=after) == []


def test_renewal_moves_the_expiry_from_the_renewal_day_even_after_it_expired(
        store: StateStore) -> None:
    [grant] = _approved(store, days=30)
    assert grant.expires_at is not None
    later = grant.expires_at + dt.timedelta(days=3)
    renewed = grants.renew(store, OLGA, grant.id, 90, now=later)
    assert renewed.expires_at == later + dt.timedelta(days=90)
    assert grants.granted_ports(store, ANA, PRODUCT, now=later) == {"gold"}
    forever = grants.renew(store, OLGA, grant.id, None, now=later)
    assert forever.expires_at is None
    with pytest.raises(InvalidRequest, match="from 1 to 3650"):
        grants.renew(store, OLGA, grant.id, 0, now=later)
    [event, _] = store.audit_events(action_prefix="access.renewed")
    assert event["detail"]["to_expiry"] is None and event["detail"]["port"] == "gold"


def test_revocation_ends_access_at_once_and_cannot_be_renewed(store: StateStore) -> None:
    [grant] = _approved(store, days=30)
    at = T0 + dt.timedelta(days=2)
    with pytest.raises(InvalidRequest, match="Say why you revoke"):
        grants.revoke(store, OLGA, grant.id, "", now=at)
    revoked = grants.revoke(store, OLGA, grant.id, "Project ended", now=at)
    assert (revoked.revoked_at, revoked.revoked_by, revoked.note) == (
        at, "olga@x.example", "Project ended")
    assert grants.granted_ports(store, ANA, PRODUCT, now=at) == set()
    assert grants.granted_ports(store, ANA, PRODUCT, now=at - dt.timedelta(seconds=1)) == {
        "gold"}
    with pytest.raises(InvalidRequest, match="revoked by olga@x.example .* cannot be renewed"):
        grants.renew(store, OLGA, grant.id, 30, now=at)
    with pytest.raises(InvalidRequest, match="already revoked"):
        grants.revoke(store, OSKAR, grant.id, "twice", now=at)
    assert grants.grants(store)[0].expires_at == grant.expires_at  # unchanged by the refusal


# -- withdrawal ------------------------------------------------------------------------------
def test_only_the_requester_can_withdraw_and_only_while_pending(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    with pytest.raises(InvalidRequest, match="filed by Ana; only they can withdraw"):
        grants.withdraw(store, BEN, request.id)
    withdrawn = grants.withdraw(store, ANA, request.id, now=T0 + dt.timedelta(minutes=5))
    assert (withdrawn.status, withdrawn.decided_by) == ("withdrawn", "ana@x.example")
    with pytest.raises(InvalidRequest, match="already withdrawn"):
        grants.decide_request(store, OLGA, request.id, True)
    other = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    grants.decide_request(store, OLGA, other.id, True)
    with pytest.raises(InvalidRequest, match="already approved by olga@x.example"):
        grants.withdraw(store, ANA, other.id)
    assert [r.status for r in grants.requests(store, requester=ANA)] == ["approved",
                                                                         "withdrawn"]


# -- concurrency -----------------------------------------------------------------------------
def _decide_in_process(path: str, decider: str, request_id: int, barrier: Any,
                       results: Any) -> None:
    """Child process: wait for the other decider, then approve."""
    store = StateStore(Path(path))
    who = principal_for(decider, decider, admins=AdminConfig())
    barrier.wait(timeout=60)
    try:
        decided = grants.decide_request(store, who, request_id, True)
        results.put((decider, "approved", decided.decided_by))
    except InvalidRequest as err:
        results.put((decider, "refused", str(err)))


def test_two_owners_approving_at_once_make_exactly_one_decision(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold", "silver"], PURPOSE, 30,
                                    now=T0)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [context.Process(target=_decide_in_process,
                               args=(str(store.path), who, request.id, barrier, results))
               for who in ("olga@x.example", "oskar@x.example")]
    for worker in workers:
        worker.start()
    outcomes = sorted((results.get(timeout=120) for _ in workers), key=lambda o: o[1])
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert [o[1] for o in outcomes] == ["approved", "refused"]
    [(winner, _, decided_by), (loser, _, message)] = outcomes
    assert decided_by == winner != loser
    assert f"already approved by {winner}" in message
    made = grants.grants(store)
    assert sorted(g.port for g in made) == ["gold", "silver"]
    assert {g.request_id for g in made} == {request.id}
    assert [e["actor"] for e in store.audit_events(action_prefix="access.granted")] == [winner]
    assert grants.requests(store)[0].decided_by == winner


# -- history and audit ---------------------------------------------------------------------------
def test_port_history_tells_the_whole_story_of_one_port_in_order(store: StateStore) -> None:
    first = grants.request_access(store, ANA, PRODUCT, ["gold", "silver"], PURPOSE, 30, now=T0)
    grants.decide_request(store, OLGA, first.id, False, "Ask for gold only",
                          now=T0 + dt.timedelta(hours=1))
    second = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30,
                                   now=T0 + dt.timedelta(hours=2))
    grants.decide_request(store, OLGA, second.id, True, now=T0 + dt.timedelta(hours=3))
    [grant] = grants.grants(store)
    grants.renew(store, OSKAR, grant.id, 60, now=T0 + dt.timedelta(days=20))
    grants.revoke(store, OLGA, grant.id, "Project ended", now=T0 + dt.timedelta(days=40))
    third = grants.request_access(store, BEN, PRODUCT, ["gold"], PURPOSE, 7,
                                  now=T0 + dt.timedelta(days=41))
    grants.withdraw(store, BEN, third.id, now=T0 + dt.timedelta(days=41, hours=1))
    store.record_audit("2024-04-20T08:00:00Z", "ben@x.example", "data.extracted", PRODUCT,
                       {"port": "gold", "rows": 120})
    store.record_audit("2024-04-20T08:00:00Z", "ben@x.example", "data.extracted", PRODUCT,
                       {"port": "silver", "rows": 5})
    store.record_audit("2024-04-20T09:00:00Z", "olga@x.example", "product.approved", PRODUCT,
                       {"from": "proposed", "to": "active"})
    story = grants.port_history(store, PRODUCT, "gold")
    assert [(e["action"], e["actor"]) for e in story] == [
        ("access.requested", "ana@x.example"),
        ("access.denied", "olga@x.example"),
        ("access.requested", "ana@x.example"),
        ("access.granted", "olga@x.example"),
        ("access.renewed", "oskar@x.example"),
        ("access.revoked", "olga@x.example"),
        ("access.requested", "ben@x.example"),
        ("access.withdrawn", "ben@x.example"),
        ("data.extracted", "ben@x.example"),
    ]
    assert story[1]["detail"]["note"] == "Ask for gold only"
    assert [e["action"] for e in grants.port_history(store, PRODUCT, "silver")] == [
        "access.requested", "access.denied", "data.extracted"]
    assert grants.port_history(store, "other.product", "gold") == []


def test_audit_events_filter_by_actor_action_and_time(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    grants.decide_request(store, OLGA, request.id, True, now=T0 + dt.timedelta(days=1))
    store.record_audit("2024-03-05T10:00:00Z", "olga@x.example", "product.approved", "sales.x")
    store.record_audit("2024-03-06T10:00:00+00:00", "Olga@X.example", "product.sent_back",
                       "sales.y")
    by_olga = store.audit_events(actor="olga@x.example")
    assert [e["action"] for e in by_olga] == ["product.sent_back", "product.approved",
                                              "access.granted"]
    assert [e["action"] for e in store.audit_events(action_prefix="access.")] == [
        "access.granted", "access.requested"]
    assert [e["target"] for e in store.audit_events(action_prefix="product.")] == [
        "sales.y", "sales.x"]
    since = store.audit_events(since=dt.datetime(2024, 3, 5, 10, 0))
    assert [e["action"] for e in since] == ["product.sent_back", "product.approved"]
    window = store.audit_events(since="2024-03-02", until=dt.datetime(2024, 3, 6, 10, 0,
                                                                      tzinfo=dt.UTC))
    assert [e["action"] for e in window] == ["product.approved", "access.granted"]
    assert [e["action"] for e in store.audit_events(target=PRODUCT, limit=1)] == [
        "access.granted"]
    with pytest.raises(InvalidRequest, match="not a date and time"):
        store.audit_events(since="last tuesday")


def test_a_store_from_before_access_control_gains_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    old = sqlite3.connect(path)
    old.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                      "INSERT INTO meta VALUES ('schema_version', '1');"
                      "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT "
                      "NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT "
                      "NULL, detail_json TEXT NOT NULL);"
                      "INSERT INTO audit_log (at, actor, action, target, detail_json) VALUES "
                      "('2023-01-01T00:00:00Z', 'olga@x.example', 'product.approved', 'a.b', "
                      "'{}');")
    old.commit()
    old.close()
    store = StateStore(path)
    request = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    assert grants.requests(store) == [request]
    assert [e["action"] for e in store.audit_events()] == ["access.requested",
                                                          "product.approved"]
    assert store.schema_revision() == head()


def test_a_grants_state_in_words_over_its_life() -> None:
    from catalog.access.grants import Grant

    start = dt.datetime(2026, 1, 1)
    grant = Grant(1, 1, "ana", "Ana", "sales.orders", "orders", (), start,
                  start + dt.timedelta(days=30), None, None, "")
    assert grant.state(start - dt.timedelta(seconds=1)) == "not started"
    assert grant.state(start) == "active"
    assert grant.state(start + dt.timedelta(days=30)) == "expired"
    revoked = dataclasses.replace(grant, revoked_at=start + dt.timedelta(days=2))
    assert revoked.state(start + dt.timedelta(days=1)) == "active"
    assert revoked.state(start + dt.timedelta(days=2)) == "revoked"
    assert revoked.state(start + dt.timedelta(days=40)) == "revoked"
