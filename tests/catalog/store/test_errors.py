"""What a store that cannot be used says: where, what to check, and never a password."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.store import StateStore, StoreError, open_store
from catalog.store.adapters import adapter_for
from tests.support import postgres


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_server_is_named_without_its_password() -> None:
    store = StateStore.from_url(f"postgresql://portal:s3cr3t-pw@127.0.0.1:{_closed_port()}/mesh")
    with pytest.raises(StoreError) as refused:
        store.record_audit("2024-01-01T00:00:00Z", "a", "x.y", "t")
    message = str(refused.value)
    assert "s3cr3t-pw" not in message and "cannot be reached" in message
    assert "postgresql+psycopg://portal:***@127.0.0.1" in message
    assert "MESH_STATE_URL" in message
    assert "s3cr3t-pw" not in repr(store) and "s3cr3t-pw" not in store.description
    assert "s3cr3t-pw" in store.url  # to open the same store in another process


def test_a_wrong_password_and_a_missing_database_say_what_to_fix(postgres_url: str) -> None:
    base = postgres_url.rsplit("/", 1)[0]
    missing = StateStore.from_url(base + "/no_such_database")
    with pytest.raises(StoreError, match="create the database first"):
        missing.audit()
    right = postgres.password_database(postgres_url, "right-horse-battery-staple")
    if right is None:
        pytest.skip("this server does not ask any role for a password")
    wrong = StateStore.from_url(right.replace("right-horse-battery-staple", "wrong-pony-42"))
    with pytest.raises(StoreError) as refused:
        wrong.audit()
    message = str(refused.value)
    assert "cannot be reached" in message and "password authentication failed" in message
    assert "check the user name and password in MESH_STATE_URL" in message
    assert "wrong-pony-42" not in message and "right-horse" not in message
    opened = StateStore.from_url(right)  # the right one opens and migrates it
    assert opened.schema_revision()
    opened.dispose()


def test_a_file_that_is_not_a_store_says_to_move_it_away(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"this is not a database, " * 100)
    with pytest.raises(StoreError, match="cannot be opened.*Move the file away"):
        StateStore(path).audit()


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://u:p@h/db", "cannot use 'mysql' databases"),
    ("sqlite://", "must be a file"),
    ("sqlite:///:memory:", "must be a file"),
    ("not a url at all", "not a database URL"),
])
def test_urls_no_adapter_serves_are_refused(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        StateStore.from_url(url)


def test_the_settings_choose_the_store(tmp_path: Path) -> None:
    settings = Settings(mesh_root=tmp_path, data_dir=tmp_path)
    assert open_store(settings).path == tmp_path / "state.sqlite"
    remote = Settings(mesh_root=tmp_path, data_dir=tmp_path,
                      state_url="postgres://portal:pw@db.internal:5433/mesh?sslmode=require")
    store = open_store(remote)
    assert store.path is None
    assert store.description == ("postgresql+psycopg://portal:***@db.internal:5433/mesh"
                                 "?sslmode=require")
    assert "pw" not in repr(remote)
    assert type(adapter_for("postgresql+psycopg://h/db")).__name__ == "PostgreSQLAdapter"
    assert StateStore(tmp_path / "x.sqlite").url == f"sqlite:///{tmp_path / 'x.sqlite'}"
