"""Personal API tokens: create, list, revoke, authenticate; expired, revoked and unknown tokens
refused with a message saying what to do; the secret is never stored, logged or audited."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

import pytest

from catalog.access import tokens as api_tokens
from catalog.access.identity import AdminConfig, principal_for
from catalog.access.tokens import TokenNotFound
from catalog.catalog import Catalog
from catalog.errors import InvalidRequest, PermissionDenied, Unauthenticated
from catalog.models.principal import ANONYMOUS, GOVERNANCE_ADMIN, LOCAL_USER

NO_ADMINS = AdminConfig()
ANA = principal_for("ana@shop.example", "Ana Silva", "ana@shop.example",
                    groups=["sales", "analysts"], admins=NO_ADMINS)
CARL = principal_for("carl@elsewhere.example", "Carl", admins=NO_ADMINS)
T0 = dt.datetime(2026, 3, 1, 9, 0)


@pytest.fixture(autouse=True)
def _no_admins_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MESH_ADMINS", "MESH_ADMIN_GROUPS", "MESH_AUTH"):
        monkeypatch.delenv(name, raising=False)


def test_create_list_authenticate_revoke(fixture_catalog: Catalog) -> None:
    new = fixture_catalog.create_token(ANA, "  nightly   report ")
    assert new.name == "nightly report"
    assert new.id.startswith("tok_") and new.secret.startswith("mesh_")
    assert len(new.secret) == len("mesh_") + 43
    assert new.expires_at.tzinfo is not None
    days = (new.expires_at - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    assert 89.9 < days <= 90
    assert new.secret not in repr(new)

    [info] = fixture_catalog.tokens(ANA)
    assert (info.id, info.name, info.status, info.last_used_at) == (
        new.id, "nightly report", "active", None)
    assert new.secret.startswith(info.prefix) and len(info.prefix) < 16
    assert fixture_catalog.tokens(CARL) == []

    who = fixture_catalog.authenticate(new.secret)
    assert who == ANA  # the same principal as in the pages, groups and e-mail included
    assert fixture_catalog.tokens(ANA)[0].last_used_at is not None

    revoked = fixture_catalog.revoke_token(ANA, new.id)
    assert revoked.status == "revoked" and revoked.revoked_at is not None
    with pytest.raises(Unauthenticated, match=r"revoked on .*My tokens.*token create"):
        fixture_catalog.authenticate(new.secret)
    with pytest.raises(InvalidRequest, match="already revoked"):
        fixture_catalog.revoke_token(ANA, new.id)


def test_tokens_are_listed_newest_first(fixture_catalog: Catalog) -> None:
    store = fixture_catalog.store
    old = api_tokens.create(store, ANA, "old", 30, now=T0)
    new = api_tokens.create(store, ANA, "new", 30, now=T0 + dt.timedelta(days=1))
    assert [t.id for t in fixture_catalog.tokens(ANA)] == [new.id, old.id]


def test_expired_and_unknown_tokens_say_what_to_do(fixture_catalog: Catalog) -> None:
    store = fixture_catalog.store
    old = api_tokens.create(store, ANA, "last year", 1, now=T0 - dt.timedelta(days=400))
    with pytest.raises(Unauthenticated, match=r"expired on 2025-01-\d\d .*My tokens"):
        fixture_catalog.authenticate(old.secret)
    assert fixture_catalog.tokens(ANA)[0].status == "expired"
    with pytest.raises(Unauthenticated, match=r"unknown.*python -m catalog token create"):
        fixture_catalog.authenticate("mesh_" + "x" * 43)
    for junk in ("", "Bearer abc", "x" * 5000, "mesh_" + "y" * 500):
        with pytest.raises(Unauthenticated, match="My tokens"):
            fixture_catalog.authenticate(junk)


def test_only_signed_in_people_have_tokens(fixture_catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied, match="Sign in"):
        fixture_catalog.create_token(ANONYMOUS, "script")
    with pytest.raises(PermissionDenied, match="Sign in"):
        fixture_catalog.tokens(ANONYMOUS)
    with pytest.raises(PermissionDenied, match="Sign in"):
        fixture_catalog.revoke_token(ANONYMOUS, "tok_0000000000000000")


def test_someone_elses_token_is_not_theirs_to_revoke(fixture_catalog: Catalog,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    new = fixture_catalog.create_token(ANA, "script")
    with pytest.raises(PermissionDenied, match="not yours"):
        fixture_catalog.revoke_token(CARL, new.id)
    assert fixture_catalog.authenticate(new.secret) == ANA
    with pytest.raises(TokenNotFound, match="no API token"):
        fixture_catalog.revoke_token(CARL, "tok_nope")
    # A governance admin may revoke anyone's token.
    revoked = fixture_catalog.revoke_token(LOCAL_USER, new.id)
    assert revoked.revoked_by == "local" and revoked.owner == ANA.username
    # Case of the user id does not matter to ownership.
    other = fixture_catalog.create_token(ANA, "second")
    loud = principal_for("ANA@shop.example", "Ana", admins=NO_ADMINS)
    assert [t.id for t in fixture_catalog.tokens(loud)][0] == other.id
    assert fixture_catalog.revoke_token(loud, other.id).status == "revoked"


def test_name_and_days_are_bounded(fixture_catalog: Catalog) -> None:
    for name in ("", "   ", "x" * 81):
        with pytest.raises(InvalidRequest, match="name"):
            fixture_catalog.create_token(ANA, name)
    for days in (0, -1, 366, True, 3.5, "30"):
        with pytest.raises(InvalidRequest, match="1 to 365"):
            fixture_catalog.create_token(ANA, "script", days)  # type: ignore[arg-type]
    assert fixture_catalog.create_token(ANA, "x" * 80, 365).name == "x" * 80
    one = fixture_catalog.create_token(ANA, "short", 1)
    assert one.expires_at - dt.datetime.now(dt.UTC) < dt.timedelta(days=1)
    assert fixture_catalog.tokens(CARL) == []


def test_the_secret_is_never_stored_logged_or_audited(fixture_catalog: Catalog,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    new = fixture_catalog.create_token(ANA, "script")
    fixture_catalog.authenticate(new.secret)
    fixture_catalog.revoke_token(ANA, new.id)
    with pytest.raises(Unauthenticated) as refused:
        fixture_catalog.authenticate(new.secret)
    assert new.secret not in str(refused.value)
    random_part = new.secret[len("mesh_"):]
    store_bytes = b""
    for path in fixture_catalog.settings.data_dir.glob("state.sqlite*"):
        store_bytes += path.read_bytes()
    assert random_part.encode() not in store_bytes
    with sqlite3.connect(fixture_catalog.store.path) as conn:
        dump = "\n".join(conn.iterdump())
    assert random_part not in dump
    assert api_tokens.hash_secret(new.secret) in dump  # only the hash is kept
    events = fixture_catalog.audit_log(LOCAL_USER, action_prefix="token.")
    assert [e["action"] for e in events] == ["token.revoked", "token.created"]
    assert all(e["target"] == new.id for e in events)
    assert random_part not in str(events)
    assert random_part not in caplog.text


def test_admin_status_is_worked_out_again_at_each_use(fixture_catalog: Catalog,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    new = fixture_catalog.create_token(ANA, "script")
    assert GOVERNANCE_ADMIN not in fixture_catalog.authenticate(new.secret).roles
    monkeypatch.setenv("MESH_ADMIN_GROUPS", "analysts")
    assert GOVERNANCE_ADMIN in fixture_catalog.authenticate(new.secret).roles
    monkeypatch.delenv("MESH_ADMIN_GROUPS")
    monkeypatch.setenv("MESH_ADMINS", "ana@shop.example")
    assert GOVERNANCE_ADMIN in fixture_catalog.authenticate(new.secret).roles


def test_a_local_mode_token_works_only_in_local_mode(fixture_catalog: Catalog,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    new = fixture_catalog.create_token(LOCAL_USER, "my laptop")
    assert fixture_catalog.authenticate(new.secret) == LOCAL_USER
    monkeypatch.setenv("MESH_AUTH", "oidc")
    with pytest.raises(Unauthenticated, match="no longer runs in local mode"):
        fixture_catalog.authenticate(new.secret)
    # Someone whose identity provider calls them "local" is not the local-mode user.
    impostor = principal_for("local", "Local user", admins=NO_ADMINS)
    theirs = fixture_catalog.create_token(impostor, "mine")
    assert GOVERNANCE_ADMIN not in fixture_catalog.authenticate(theirs.secret).roles


def test_last_use_is_written_at_most_once_a_minute(fixture_catalog: Catalog) -> None:
    store = fixture_catalog.store
    new = api_tokens.create(store, ANA, "script", 30, now=T0)

    def last_used() -> dt.datetime | None:
        return api_tokens.token_by_id(store, new.id, now=T0).last_used_at

    api_tokens.authenticate(store, new.secret, now=T0 + dt.timedelta(seconds=5))
    first = last_used()
    assert first == (T0 + dt.timedelta(seconds=5)).replace(tzinfo=dt.UTC)
    api_tokens.authenticate(store, new.secret, now=T0 + dt.timedelta(seconds=50))
    assert last_used() == first
    api_tokens.authenticate(store, new.secret, now=T0 + dt.timedelta(seconds=70))
    assert last_used() == (T0 + dt.timedelta(seconds=70)).replace(tzinfo=dt.UTC)
