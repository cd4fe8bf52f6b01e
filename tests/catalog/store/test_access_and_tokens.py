"""Access requests, grants and API tokens, on every adapter."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.access import grants, tokens
from catalog.access.grants import GrantNotFound, RequestNotFound
from catalog.errors import InvalidRequest, PermissionDenied, Unauthenticated
from catalog.store import StateStore
from tests.catalog.store.helpers import T0, person

ANA = person("ana@x.example", email="Ana.Alt@x.example")
BEN, OLGA = person("ben@x.example"), person("olga@x.example")
PURPOSE = "Monthly on-time performance report for the operations board"
PRODUCT = "operations.flights"
HOUR = dt.timedelta(hours=1)


def test_a_request_is_filed_decided_and_its_grants_made(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold", "silver"], PURPOSE, 30,
                                    columns=["email"], now=T0)
    assert (request.status, request.ports, request.columns, request.created_at) == (
        "pending", ("gold", "silver"), ("email",), T0)
    assert grants.request_by_id(store, request.id) == request
    with pytest.raises(InvalidRequest, match="already asked for gold"):
        grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 30, now=T0)
    decided = grants.decide_request(store, OLGA, request.id, True, now=T0 + HOUR)
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        "approved", "olga@x.example", T0 + HOUR)
    made = grants.grants(store, consumer=ANA)
    assert sorted(g.port for g in made) == ["gold", "silver"]
    assert all(g.expires_at == T0 + HOUR + dt.timedelta(days=30) for g in made)
    assert all(g.columns == ("email",) for g in made)
    assert grants.granted_ports(store, person("ANA@x.example"), PRODUCT,
                                now=T0 + 2 * HOUR) == {"gold", "silver"}
    assert grants.granted_columns(store, ANA, PRODUCT, "gold", now=T0 + 2 * HOUR) == {"email"}
    by_email = person("ana-sso-id", email="ANA@x.example")  # the grant names her e-mail
    assert {g.port for g in grants.active_grants(store, by_email, now=T0 + 2 * HOUR)} == {
        "gold", "silver"}
    with pytest.raises(InvalidRequest, match="already approved by olga@x.example"):
        grants.decide_request(store, OLGA, request.id, False, "late")
    with pytest.raises(RequestNotFound):
        grants.decide_request(store, OLGA, 999, True)
    assert [e["action"] for e in store.audit(PRODUCT)] == ["access.granted",
                                                          "access.requested"]


def test_a_denial_and_a_withdrawal_make_no_grant(store: StateStore) -> None:
    first = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, None, now=T0)
    with pytest.raises(InvalidRequest, match="Say why"):
        grants.decide_request(store, OLGA, first.id, False)
    denied = grants.decide_request(store, OLGA, first.id, False, "Ask for silver", now=T0)
    assert (denied.status, denied.note) == ("denied", "Ask for silver")
    second = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 7, now=T0 + HOUR)
    with pytest.raises(InvalidRequest, match="only they can withdraw"):
        grants.withdraw(store, BEN, second.id)
    withdrawn = grants.withdraw(store, ANA, second.id, now=T0 + 2 * HOUR)
    assert (withdrawn.status, withdrawn.decided_by) == ("withdrawn", "ana@x.example")
    assert grants.grants(store) == []
    assert [r.status for r in grants.requests(store, requester=ANA)] == ["withdrawn", "denied"]
    assert [r.id for r in grants.requests(store, status="denied")] == [first.id]
    assert grants.requests(store, product_ids=["other.product"]) == []
    with pytest.raises(InvalidRequest, match="not a request status"):
        grants.requests(store, status="lost")


def test_grants_are_renewed_revoked_and_expire(store: StateStore) -> None:
    request = grants.request_access(store, ANA, PRODUCT, ["gold"], PURPOSE, 10, now=T0)
    grants.decide_request(store, OLGA, request.id, True, now=T0)
    [grant] = grants.grants(store)
    assert grant.active(T0 + dt.timedelta(days=9)) and not grant.active(T0 + dt.timedelta(days=10))
    assert [g.id for g in grants.expiring(store, ANA, 14, now=T0)] == [grant.id]
    assert grants.grants(store, include_inactive=False, now=T0 + dt.timedelta(days=11)) == []
    renewed = grants.renew(store, OLGA, grant.id, 60, now=T0 + dt.timedelta(days=11))
    assert renewed.expires_at == T0 + dt.timedelta(days=71)
    permanent = grants.renew(store, OLGA, grant.id, None, now=T0 + dt.timedelta(days=12))
    assert permanent.expires_at is None and grants.expiring(store, ANA, 3650, now=T0) == []
    revoked = grants.revoke(store, OLGA, grant.id, "Project ended",
                            now=T0 + dt.timedelta(days=20))
    assert (revoked.revoked_by, revoked.note) == ("olga@x.example", "Project ended")
    assert revoked.state(T0 + dt.timedelta(days=21)) == "revoked"
    assert grants.granted_ports(store, ANA, PRODUCT, now=T0 + dt.timedelta(days=21)) == set()
    with pytest.raises(InvalidRequest, match="already revoked"):
        grants.revoke(store, OLGA, grant.id, "again")
    with pytest.raises(InvalidRequest, match="cannot be renewed"):
        grants.renew(store, OLGA, grant.id, 5)
    with pytest.raises(GrantNotFound):
        grants.grant_by_id(store, 999)
    story = grants.port_history(store, PRODUCT, "gold")
    assert [e["action"] for e in story] == ["access.requested", "access.granted",
                                            "access.renewed", "access.renewed",
                                            "access.revoked"]


def test_many_product_ids_are_asked_for_in_chunks_newest_first(store: StateStore) -> None:
    made = []
    for i in range(3):
        made.append(grants.request_access(store, ANA, f"p.n{i}", ["gold"], PURPOSE, 30,
                                          now=T0 + i * HOUR))
    wanted = [f"p.unknown{i:04d}" for i in range(1200)] + ["p.n0", "p.n2", "p.n1"]
    assert [r.id for r in grants.requests(store, product_ids=wanted)] == [
        made[2].id, made[1].id, made[0].id]


def test_tokens_are_created_listed_used_and_revoked(store: StateStore) -> None:
    new = tokens.create(store, ANA, "  nightly   report ", days=30, now=T0)
    assert new.name == "nightly report" and new.secret.startswith("mesh_")
    other = tokens.create(store, BEN, "ben's", now=T0 + HOUR)
    listed = tokens.tokens_of(store, person("ANA@x.example"), now=T0)
    assert [t.id for t in listed] == [new.id]
    assert listed[0].status == "active" and listed[0].last_used_at is None
    assert tokens.authenticate(store, new.secret, now=T0 + HOUR).username == "ana@x.example"
    used = tokens.token_by_id(store, new.id).last_used_at
    assert used == (T0 + HOUR).replace(tzinfo=dt.UTC)
    tokens.authenticate(store, new.secret, now=T0 + HOUR + dt.timedelta(seconds=30))
    assert tokens.token_by_id(store, new.id).last_used_at == used  # at most once a minute
    tokens.authenticate(store, new.secret, now=T0 + 2 * HOUR)
    assert tokens.token_by_id(store, new.id).last_used_at == (T0 + 2 * HOUR).replace(
        tzinfo=dt.UTC)
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.authenticate(store, new.secret, now=T0 + dt.timedelta(days=31))
    with pytest.raises(Unauthenticated, match="unknown"):
        tokens.authenticate(store, "mesh_" + "x" * 43)
    with pytest.raises(PermissionDenied):
        tokens.revoke(store, BEN, new.id)
    revoked = tokens.revoke(store, ANA, new.id, now=T0 + 3 * HOUR)
    assert revoked.status == "revoked" and revoked.revoked_by == "ana@x.example"
    with pytest.raises(InvalidRequest, match="already revoked"):
        tokens.revoke(store, ANA, new.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        tokens.authenticate(store, new.secret, now=T0 + 4 * HOUR)
    assert tokens.revoke(store, OLGA, other.id, may_revoke_any=True).status == "revoked"
    with pytest.raises(tokens.TokenNotFound):
        tokens.token_by_id(store, "tok_missing")
    assert [e["action"] for e in store.audit(new.id)] == ["token.revoked", "token.created"]
    assert new.secret not in str(store.audit(limit=100))
