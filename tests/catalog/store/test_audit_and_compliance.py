"""The audit log (record, list, filters, times in any spelling) and compliance snapshots, on
every adapter."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.access import grants
from catalog.errors import InvalidRequest
from catalog.store import StateStore
from tests.catalog.store.helpers import T0, person

ANA, OLGA = person("ana@x.example"), person("olga@x.example")
PURPOSE = "Monthly on-time performance report for the operations board"
PRODUCT = "operations.flights"


def test_events_come_back_newest_first_with_their_detail(store: StateStore) -> None:
    first = store.record_audit("2024-01-01T10:00:00Z", "olga", "product.approved", "a.b",
                               {"from": "proposed", "to": "active", "n": 3})
    second = store.record_audit(dt.datetime(2024, 1, 2, 11, 0, tzinfo=dt.UTC), "dora",
                                "product.sent_back", "a.c")
    assert second > first
    events = store.audit()
    assert [e["seq"] for e in events] == [second, first]
    assert events[1] == {"seq": first, "at": "2024-01-01T10:00:00.000000", "actor": "olga",
                         "action": "product.approved", "target": "a.b",
                         "detail": {"from": "proposed", "to": "active", "n": 3}}
    assert events[0]["detail"] == {}
    assert [e["target"] for e in store.audit("a.b")] == ["a.b"]
    assert len(store.audit(limit=1)) == 1


@pytest.mark.parametrize("spelling", [
    "2024-03-05T10:00:00Z", "2024-03-05T10:00:00+00:00", "2024-03-05T12:00:00+02:00",
    "2024-03-05T10:00:00", "2024-03-05T10:00:00.000000", "2024-03-05 10:00",
])
def test_every_spelling_of_a_time_is_stored_as_one_instant(store: StateStore,
                                                           spelling: str) -> None:
    store.record_audit(spelling, "olga", "x.y", "t")
    [event] = store.audit()
    assert event["at"] == "2024-03-05T10:00:00.000000"
    assert dt.datetime.fromisoformat(event["at"]) == dt.datetime(2024, 3, 5, 10)
    for since in ("2024-03-05T10:00:00Z", "2024-03-05T11:00:00+01:00",
                  dt.datetime(2024, 3, 5, 10), dt.datetime(2024, 3, 5, 10, tzinfo=dt.UTC)):
        assert len(store.audit_events(since=since)) == 1
        assert store.audit_events(until=since) == []


def test_audit_events_filter_by_actor_action_target_and_time(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    grants.decide_request(store, OLGA, request.id, True, now=T0 + dt.timedelta(days=1))
    store.record_audit("2024-03-05T10:00:00Z", "olga@x.example", "product.approved", "sales.x")
    store.record_audit("2024-03-06T12:00:00+02:00", "Olga@X.example", "product.sent_back",
                       "sales.y")
    assert [e["action"] for e in store.audit_events(actor="OLGA@x.example ")] == [
        "product.sent_back", "product.approved", "access.granted"]
    assert [e["action"] for e in store.audit_events(action_prefix="access.")] == [
        "access.granted", "access.requested"]
    assert [e["target"] for e in store.audit_events(action_prefix="product.")] == [
        "sales.y", "sales.x"]
    since = store.audit_events(since=dt.datetime(2024, 3, 5, 10, 0))
    assert [e["action"] for e in since] == ["product.sent_back", "product.approved"]
    window = store.audit_events(since="2024-03-02",
                                until=dt.datetime(2024, 3, 6, 10, 0, tzinfo=dt.UTC))
    assert [e["action"] for e in window] == ["product.approved", "access.granted"]
    assert [e["action"] for e in store.audit_events(target=PRODUCT, limit=1)] == [
        "access.granted"]
    assert store.audit_events(action_prefix="access.", actor="nobody") == []
    with pytest.raises(InvalidRequest, match="not a date and time"):
        store.audit_events(since="last tuesday")
    with pytest.raises(InvalidRequest, match="at least one"):
        store.audit_events(limit=0)
    with pytest.raises(InvalidRequest, match="not a date and time"):
        store.record_audit("yesterday", "olga", "x.y", "t")


def test_port_history_finds_the_port_in_port_and_ports_only(store: StateStore) -> None:
    store.record_audit(T0, "a", "data.extracted", PRODUCT, {"port": "gold"})
    store.record_audit(T0, "a", "access.requested", PRODUCT, {"ports": ["silver", "gold"]})
    store.record_audit(T0, "a", "data.extracted", PRODUCT, {"port": "gold_2"})
    store.record_audit(T0, "a", "data.extracted", PRODUCT, {"note": "about gold"})
    store.record_audit(T0, "a", "data.extracted", PRODUCT, {"port": "GOLD"})
    store.record_audit(T0, "a", "data.extracted", "other.product", {"port": "gold"})
    store.record_audit(T0, "a", "data.extracted", PRODUCT, {"port": "50%_off"})
    store.record_audit(T0, "a", "data.extracted", PRODUCT, {"port": "50x_off"})
    assert [e["action"] for e in grants.port_history(store, PRODUCT, "gold")] == [
        "data.extracted", "access.requested"]
    assert [e["detail"]["port"] for e in grants.port_history(store, PRODUCT, "50%_off")] == [
        "50%_off"]


def test_compliance_snapshots_add_up_per_time_and_replace_their_own_rows(
        store: StateStore) -> None:
    assert store.compliance_history() == []
    store.save_compliance("2024-01-01T00:00:00+00:00", [
        ("a.x", "a", "naming", True), ("a.x", "a", "owner", False), ("b.y", "b", "naming", True)])
    store.save_compliance("2024-01-02T00:00:00+00:00", [("a.x", "a", "naming", False)])
    store.save_compliance("2024-01-01T00:00:00+00:00", [("a.x", "a", "owner", True),
                                                        ("a.x", "a", "owner", True)])
    store.save_compliance("2024-01-03T00:00:00+00:00", [])
    assert store.compliance_history() == [
        {"taken_at": "2024-01-01T00:00:00+00:00", "checks": 3, "passed": 3},
        {"taken_at": "2024-01-02T00:00:00+00:00", "checks": 1, "passed": 0},
    ]
