"""Schema migrations, on every adapter: a new database gets the newest schema exactly as
``catalog/store/tables.py`` describes it, a SQLite store made before migrations were versioned is
taken over with its rows, and every revision can be undone and done again."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalog.access import grants, tokens
from catalog.quality import history
from catalog.store import StateStore, migrations
from catalog.store.tables import metadata
from tests.catalog.store.helpers import T0, person, quality_run

SCHEMA_3 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS quality_runs (
    run_id          TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL,
    product_version TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    as_of           TEXT NOT NULL,
    duration_s      REAL NOT NULL,
    trigger         TEXT NOT NULL,
    score           REAL,
    summary_json    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quality_runs_product ON quality_runs (product_id, as_of);
CREATE TABLE IF NOT EXISTS check_results (
    run_id       TEXT NOT NULL REFERENCES quality_runs (run_id) ON DELETE CASCADE,
    check_id     TEXT NOT NULL,
    position     INTEGER NOT NULL,
    result_json  TEXT NOT NULL,
    status       TEXT NOT NULL,
    PRIMARY KEY (run_id, check_id)
);
CREATE TABLE IF NOT EXISTS compliance_snapshots (
    taken_at     TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    domain       TEXT NOT NULL,
    policy_id    TEXT NOT NULL,
    passed       INTEGER NOT NULL,
    PRIMARY KEY (taken_at, product_id, policy_id)
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL,
    detail_json  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_target ON audit_log (target, seq);
CREATE TABLE IF NOT EXISTS access_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    requester      TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    ports_json     TEXT NOT NULL,
    columns_json   TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    duration_days  INTEGER,
    status         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    decided_by     TEXT,
    decided_at     TEXT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS access_requests_product ON access_requests (product_id, status);
CREATE INDEX IF NOT EXISTS access_requests_requester ON access_requests (requester, status);
CREATE TABLE IF NOT EXISTS access_grants (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id     INTEGER NOT NULL REFERENCES access_requests (id),
    consumer       TEXT NOT NULL,
    consumer_name  TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    port           TEXT NOT NULL,
    columns_json   TEXT NOT NULL,
    starts_at      TEXT NOT NULL,
    expires_at     TEXT,
    revoked_at     TEXT,
    revoked_by     TEXT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS access_grants_consumer ON access_grants (consumer, product_id);
CREATE INDEX IF NOT EXISTS access_grants_product ON access_grants (product_id, port);
CREATE TABLE IF NOT EXISTS api_tokens (
    id             TEXT PRIMARY KEY,
    secret_sha256  TEXT NOT NULL UNIQUE,
    prefix         TEXT NOT NULL,
    name           TEXT NOT NULL,
    username       TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    groups_json    TEXT NOT NULL DEFAULT '[]',
    local_mode     INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    last_used_at   TEXT,
    revoked_at     TEXT,
    revoked_by     TEXT
);
CREATE INDEX IF NOT EXISTS api_tokens_owner ON api_tokens (username, created_at);
"""
"""The store's DDL before migrations were versioned (schema version 3), as it shipped."""

SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
                        actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
                        detail_json TEXT NOT NULL);
"""
"""The first store: the audit log only."""

OLD_AUDIT = [("2023-01-01T00:00:00Z", "2023-01-01T00:00:00.000000"),
             ("2023-01-02T12:00:00+02:00", "2023-01-02T10:00:00.000000"),
             ("2023-01-03T08:15:00", "2023-01-03T08:15:00.000000"),
             ("2023-01-04T08:15:00.5+00:00", "2023-01-04T08:15:00.500000"),
             ("not a time", "not a time")]
"""Audit times as older releases wrote them, and as the migration rewrites them."""


def _differences(store: StateStore) -> list[object]:
    """What alembic's autogenerate finds between the database and ``tables.py``."""
    with store.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _old_store(path: Path, ddl: str) -> None:
    """A SQLite store as an older release left it, with audit events in its time spellings."""
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(ddl)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.executemany("INSERT INTO audit_log (at, actor, action, target, detail_json) "
                         "VALUES (?, 'olga', 'product.approved', 'a.b', '{}')",
                         [(old,) for old, _ in OLD_AUDIT])
        conn.commit()


def test_a_new_database_gets_exactly_the_schema_of_tables_py(store: StateStore) -> None:
    assert store.schema_revision() == migrations.head()
    assert _differences(store) == []


def test_opening_again_finds_nothing_to_do(store_url: str) -> None:
    first = StateStore.from_url(store_url)
    first.record_audit(T0, "olga", "x.y", "t")
    first.dispose()
    again = StateStore.from_url(store_url)
    assert again.schema_revision() == migrations.head()
    assert len(again.audit()) == 1
    again.dispose()


def test_every_revision_can_be_undone_and_done_again(store: StateStore) -> None:
    store.record_audit(T0, "olga", "x.y", "t")
    with store.adapter.migration_connection() as conn:
        command.downgrade(migrations.config(store.adapter, conn), "base")
        assert migrations.current(conn) is None
        assert [t for t in inspect(conn).get_table_names() if t in metadata.tables] == []
    migrations.upgrade(store.adapter)
    assert store.schema_revision() == migrations.head()
    assert _differences(store) == [] and store.audit() == []


@pytest.mark.parametrize("ddl", [SCHEMA_1, SCHEMA_3], ids=["schema-1", "schema-3"])
def test_a_store_from_before_versioned_migrations_is_taken_over(tmp_path: Path,
                                                                ddl: str) -> None:
    path = tmp_path / "state.sqlite"
    _old_store(path, ddl)
    store = StateStore(path)
    assert store.schema_revision() == migrations.head()
    assert [e["at"] for e in store.audit()][::-1] == [new for _, new in OLD_AUDIT]
    later = store.audit_events(since="2023-01-02T09:00:00Z", until="2023-01-04")
    assert [e["at"] for e in later] == ["2023-01-03T08:15:00.000000",
                                        "2023-01-02T10:00:00.000000"]
    with store.read() as conn:
        found = inspect(conn)
        for table in metadata.sorted_tables:
            assert found.has_table(table.name)
            columns = {c["name"] for c in found.get_columns(table.name)}
            assert columns == set(table.columns.keys()), table.name
    # Every part works on the old file: runs (and their results going with them), access,
    # tokens and claims.
    history.save_run(store, quality_run("a.b"))
    assert history.clear_history(store, "cli") == 1 and history.all_runs(store) == []
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM check_results").fetchone()[0] == 0
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    request = grants.request_access(store, person("ana@x.example"), "a.b", ["gold"],
                                    "Monthly report for the board", 30, now=T0)
    grants.decide_request(store, person("olga@x.example"), request.id, True, now=T0)
    assert len(grants.grants(store)) == 1
    assert tokens.create(store, person("ana@x.example"), "script", now=T0).id
    store.claim("a.b", "me", 900)
    assert store.claims()["a.b"][0] == "me"
