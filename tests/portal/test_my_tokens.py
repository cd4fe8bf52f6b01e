"""My tokens page (local mode): create a token and see its secret exactly once, refuse a token
without a name, revoke one after a confirmation (or cancel); names are shown literally."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from portal import routes
from portal.components import tokens_view
from tests.portal.pagetest import MeshDirs, assert_clean, open_page, texts, use_mesh


@pytest.fixture()
def mesh(fixture_mesh: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The portal in local mode on the small fixture mesh, with a store of its own."""
    for name in ("MESH_AUTH", "MESH_STATE_DB", "MESH_ADMINS", "MESH_ADMIN_GROUPS"):
        monkeypatch.delenv(name, raising=False)
    with use_mesh(MeshDirs(fixture_mesh.mesh_root, fixture_mesh.data_dir)):
        yield fixture_mesh


def _create(at: AppTest, name: str, days: int) -> None:
    at.text_input(key=tokens_view.NEW_NAME).input(name)
    at.number_input(key=tokens_view.NEW_DAYS).set_value(days)
    at.button(key=tokens_view.NEW_SUBMIT).click()
    at.run()
    assert_clean(at)


def _secrets(at: AppTest) -> list[str]:
    return [str(c.value) for c in at.code if str(c.value).startswith("mesh_")]


def test_a_new_token_shows_its_secret_once(mesh: Settings) -> None:
    at = open_page(routes.MY_TOKENS)
    assert_clean(at)
    assert at.title[0].value == "My tokens"
    assert "no API tokens yet" in texts(at)

    _create(at, "ci *script* :red[x]", 30)
    [secret] = _secrets(at)
    assert tokens_view.SHOWN_ONCE in [w.value for w in at.warning]
    assert any("was revoked" not in s.value and "created" in s.value for s in at.success)
    catalog = Catalog(mesh)
    assert catalog.authenticate(secret) == LOCAL_USER
    [info] = catalog.tokens(LOCAL_USER)
    assert info.name == "ci *script* :red[x]"
    assert dt.timedelta(days=29) < info.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(
        days=30)
    assert "ci \\*script\\* :\u2060red\\[x\\]" in texts(at)  # the name, literally
    assert at.dataframe[0].value["Starts with"].tolist() == [info.prefix + "…"]
    assert at.text_input(key=tokens_view.NEW_NAME).value == ""

    at.run()  # any later run: the secret is gone for good
    assert_clean(at)
    assert _secrets(at) == []
    assert tokens_view.NEW_SECRET not in at.session_state
    assert secret not in texts(at)


def test_a_token_needs_a_name(mesh: Settings) -> None:
    at = open_page(routes.MY_TOKENS)
    _create(at, "   ", 90)
    assert _secrets(at) == []
    assert any("Give the token a name" in e.value for e in at.error)
    assert Catalog(mesh).tokens(LOCAL_USER) == []


def test_revoking_asks_first(mesh: Settings) -> None:
    catalog = Catalog(mesh)
    token = catalog.create_token(LOCAL_USER, "old laptop")
    at = open_page(routes.MY_TOKENS)
    assert_clean(at)
    at.button(key=tokens_view.revoke_button(token.id)).click()
    at.run()
    assert any("Revoke old laptop" in w.value for w in at.warning)
    at.button(key=tokens_view.cancel_button(token.id)).click()
    at.run()
    assert catalog.tokens(LOCAL_USER)[0].status == "active"
    assert not any(b.key == tokens_view.confirm_button(token.id) for b in at.button)

    at.button(key=tokens_view.revoke_button(token.id)).click()
    at.run()
    at.button(key=tokens_view.confirm_button(token.id)).click()
    at.run()
    assert_clean(at)
    assert any("was revoked" in s.value for s in at.success)
    assert catalog.tokens(LOCAL_USER)[0].status == "revoked"
    assert at.dataframe[0].value["Status"].tolist() == ["revoked"]
    assert not any(b.key == tokens_view.revoke_button(token.id) for b in at.button)
