"""Publish claims (take, conflict, stale takeover, release), on every adapter."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.registration.errors import PublishConflict
from catalog.store import StateStore, new_holder
from tests.catalog.store.helpers import T0

STALE_S = 900


def test_one_holder_at_a_time_until_released(store: StateStore) -> None:
    store.claim("sales.orders", "a", STALE_S, now=T0)
    with pytest.raises(PublishConflict,
                       match="Someone else is publishing sales.orders right now"):
        store.claim("sales.orders", "b", STALE_S, now=T0 + dt.timedelta(seconds=STALE_S))
    store.claim("sales.refunds", "b", STALE_S, now=T0)  # another id is free
    assert store.claims() == {"sales.orders": ("a", "2024-03-01T09:30:15.123456"),
                              "sales.refunds": ("b", "2024-03-01T09:30:15.123456")}
    assert store.release("sales.orders", "b") is False  # not b's: left alone
    assert "sales.orders" in store.claims()
    assert store.release("sales.orders", "a") is True
    store.claim("sales.orders", "b", STALE_S, now=T0)
    assert store.claims()["sales.orders"][0] == "b"
    assert store.release("sales.orders", "a") is False


def test_a_stale_claim_is_taken_over_and_a_holder_renews_its_own(store: StateStore) -> None:
    store.claim("sales.orders", "crashed", STALE_S, now=T0)
    store.claim("sales.orders", "crashed", STALE_S, now=T0 + dt.timedelta(seconds=10))
    assert store.claims()["sales.orders"] == ("crashed", "2024-03-01T09:30:25.123456")
    later = T0 + dt.timedelta(seconds=10 + STALE_S + 1)
    store.claim("sales.orders", "rescuer", STALE_S, now=later)
    assert store.claims()["sales.orders"][0] == "rescuer"
    assert store.release("sales.orders", "crashed") is False
    assert store.release("sales.orders", "rescuer") is True
    assert store.claims() == {}


def test_holder_ids_are_unique() -> None:
    assert len({new_holder() for _ in range(100)}) == 100
