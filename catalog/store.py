"""The operational store: quality runs, compliance snapshots, access requests and grants, and
the audit log.

Embedded default: one SQLite file in WAL mode. SQLite's journal
makes every committed run survive a crash, and its locking lets the portal and
``python -m catalog check`` write at the same time: each write is one ``BEGIN IMMEDIATE``
transaction on a fresh connection, and a writer that finds the file locked waits (busy timeout
30 s) instead of failing, so no run is lost. Readers never block writers (WAL).

New tables are added with ``CREATE TABLE IF NOT EXISTS``, so an existing store gains them the
next time it is opened; ``meta.schema_version`` then says the newest schema that opened it
(version 2 added ``access_requests`` and ``access_grants``, version 3
``api_tokens``).

A PostgreSQL store for shared deployments would implement the same public methods; it is not
built yet.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from catalog.errors import CatalogError, InvalidRequest

SCHEMA_VERSION = 3

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS quality_runs (
    run_id          TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL,
    product_version TEXT NOT NULL,
    started_at      TEXT NOT NULL,      -- ISO 8601 UTC, when the run started
    as_of           TEXT NOT NULL,      -- ISO 8601 UTC, the data cut-off the run saw
    duration_s      REAL NOT NULL,      -- seconds
    trigger         TEXT NOT NULL,      -- portal | cli | history | registration
    score           REAL,               -- 0..100, NULL when no check could be scored
    summary_json    TEXT NOT NULL       -- per-dimension pass rates and counts
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
    taken_at     TEXT NOT NULL,          -- ISO 8601 UTC
    product_id   TEXT NOT NULL,
    domain       TEXT NOT NULL,
    policy_id    TEXT NOT NULL,
    passed       INTEGER NOT NULL,       -- 1 passed, 0 violated
    PRIMARY KEY (taken_at, product_id, policy_id)
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,          -- ISO 8601 UTC
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,          -- e.g. product.approved, product.sent_back
    target       TEXT NOT NULL,          -- e.g. a product id
    detail_json  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_target ON audit_log (target, seq);
CREATE TABLE IF NOT EXISTS access_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    requester      TEXT NOT NULL,        -- user id of the consumer asking
    requester_name TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    ports_json     TEXT NOT NULL,        -- JSON list of output port names
    columns_json   TEXT NOT NULL,        -- JSON list of sensitive columns asked for
    purpose        TEXT NOT NULL,
    duration_days  INTEGER,              -- days, NULL = permanent
    status         TEXT NOT NULL,        -- pending | approved | denied | withdrawn
    created_at     TEXT NOT NULL,        -- ISO 8601 UTC
    decided_by     TEXT,
    decided_at     TEXT,                 -- ISO 8601 UTC
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS access_requests_product ON access_requests (product_id, status);
CREATE INDEX IF NOT EXISTS access_requests_requester ON access_requests (requester, status);
CREATE TABLE IF NOT EXISTS access_grants (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id     INTEGER NOT NULL REFERENCES access_requests (id),
    consumer       TEXT NOT NULL,        -- user id of the grantee
    consumer_name  TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    port           TEXT NOT NULL,        -- one output port per grant
    columns_json   TEXT NOT NULL,        -- JSON list of sensitive columns opened
    starts_at      TEXT NOT NULL,        -- ISO 8601 UTC
    expires_at     TEXT,                 -- ISO 8601 UTC, NULL = permanent
    revoked_at     TEXT,                 -- ISO 8601 UTC
    revoked_by     TEXT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS access_grants_consumer ON access_grants (consumer, product_id);
CREATE INDEX IF NOT EXISTS access_grants_product ON access_grants (product_id, port);
CREATE TABLE IF NOT EXISTS api_tokens (
    id             TEXT PRIMARY KEY,     -- public id, e.g. tok_3f9a0c1d2e4b5a69
    secret_sha256  TEXT NOT NULL UNIQUE, -- hex SHA-256 of the secret (never the secret itself)
    prefix         TEXT NOT NULL,        -- first characters of the secret, safe to show
    name           TEXT NOT NULL,        -- what the owner calls it
    username       TEXT NOT NULL,        -- the owner's user id
    display_name   TEXT NOT NULL,        -- the owner's snapshot at creation: name, e-mail,
    email          TEXT NOT NULL DEFAULT '',
    groups_json    TEXT NOT NULL DEFAULT '[]',  -- JSON list of group names
    local_mode     INTEGER NOT NULL DEFAULT 0,  -- 1: created by the local-mode user
    created_at     TEXT NOT NULL,        -- ISO 8601 UTC
    expires_at     TEXT NOT NULL,        -- ISO 8601 UTC
    last_used_at   TEXT,                 -- ISO 8601 UTC, updated at most once a minute
    revoked_at     TEXT,                 -- ISO 8601 UTC
    revoked_by     TEXT
);
CREATE INDEX IF NOT EXISTS api_tokens_owner ON api_tokens (username, created_at);
"""


class StoreError(CatalogError):
    """The operational store cannot be opened or written (disk full, wrong file, …)."""


def insert_audit(conn: sqlite3.Connection, at: str, actor: str, action: str, target: str,
                 detail: dict[str, Any] | None = None) -> int:
    """Append one audit event on ``conn``, inside the caller's write transaction.

    Use it to make a change and its audit record one transaction (both or neither);
    :meth:`StateStore.record_audit` is the same in a transaction of its own.

    Args:
        conn: a connection from :meth:`StateStore.write`.
        at: ISO 8601 UTC time of the event.
        actor: who did it (a principal's user name).
        action: what was done, dotted, e.g. ``access.granted``.
        target: what it was done to, e.g. a product id.
        detail: extra JSON-serialisable facts (a reason, the old and new status).

    Returns:
        The event's sequence number.
    """
    cur = conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, detail_json) VALUES (?, ?, ?, ?, ?)",
        [at, actor, action, target, json.dumps(detail or {}, default=str)],
    )
    return int(cur.lastrowid or 0)


def _event(row: sqlite3.Row) -> dict[str, Any]:
    return {**{k: row[k] for k in ("seq", "at", "actor", "action", "target")},
            "detail": json.loads(row["detail_json"])}


def _instant(value: dt.datetime | str, name: str) -> str:
    """``value`` as an ISO 8601 UTC string SQLite's ``julianday`` reads."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRequest(f"'{value}' is not a date and time for '{name}'; write it as "
                                 "2024-05-31 or 2024-05-31T14:00.") from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


class StateStore:
    """SQLite-backed operational store; safe for threads and for several processes.

    Args:
        path: the SQLite file; created (with its folder) on first use.

    Raises:
        StoreError: the file exists but is not a usable store.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._init_lock = threading.Lock()
        self._ready = False

    # -- connections -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._init_lock:
            if self._ready:
                return
            conn = self._connect()
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                for statement in _DDL.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                             "WHERE CAST(meta.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
                             [str(SCHEMA_VERSION)])
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as err:
                raise StoreError(f"The operational store {self.path} cannot be opened: {err}. "
                                 "Move the file away to start a fresh store.") from None
            finally:
                conn.close()
            self._ready = True

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error).

        Raises:
            StoreError: the store cannot be written.
        """
        self._ensure_schema()
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.OperationalError as err:
            raise StoreError(f"Could not write to the operational store {self.path}: {err}"
                             ) from None
        finally:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection (rows as :class:`sqlite3.Row`)."""
        self._ensure_schema()
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    # -- audit log -------------------------------------------------------------------------
    def record_audit(self, at: str, actor: str, action: str, target: str,
                     detail: dict[str, Any] | None = None) -> int:
        """Append one audit event; returns its sequence number.

        Args:
            at: ISO 8601 UTC time of the event.
            actor: who did it (a principal's user name).
            action: what was done, dotted, e.g. ``product.approved``.
            target: what it was done to, e.g. a product id.
            detail: extra JSON-serialisable facts (a reason, the old and new status).
        """
        with self.write() as conn:
            return insert_audit(conn, at, actor, action, target, detail)

    def audit(self, target: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Audit events, newest first, optionally for one target; dicts with ``detail`` parsed."""
        sql = "SELECT seq, at, actor, action, target, detail_json FROM audit_log"
        params: list[Any] = []
        if target is not None:
            sql += " WHERE target = ?"
            params.append(target)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(int(limit))
        with self.read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [_event(r) for r in rows]

    def audit_events(self, actor: str | None = None, action_prefix: str | None = None,
                     target: str | None = None, since: dt.datetime | str | None = None,
                     until: dt.datetime | str | None = None, limit: int = 1000
                     ) -> list[dict[str, Any]]:
        """Audit events matching every filter given, newest first (for the audit page).

        Times are compared as instants, so events stored as ``…Z``, ``…+00:00`` or naive UTC
        ISO strings all filter alike.

        Args:
            actor: only events by this user id (letter case ignored).
            action_prefix: only actions starting with this, e.g. ``access.`` or
                ``product.approved``.
            target: only events about this target (a product id).
            since: only events at or after this time (naive = UTC; ISO 8601 string or datetime).
            until: only events strictly before this time (naive = UTC).
            limit: at most this many events (the newest).

        Returns:
            Dicts ``seq``, ``at``, ``actor``, ``action``, ``target``, ``detail`` (parsed JSON).

        Raises:
            InvalidRequest: ``since`` or ``until`` is not a date and time, or ``limit`` < 1.
        """
        if int(limit) < 1:
            raise InvalidRequest("Ask for at least one audit event (limit 1 or more).")
        where: list[str] = []
        params: list[Any] = []
        if actor is not None:
            where.append("lower(actor) = lower(?)")
            params.append(actor.strip())
        if action_prefix:
            where.append("substr(action, 1, ?) = ?")
            params += [len(action_prefix), action_prefix]
        if target is not None:
            where.append("target = ?")
            params.append(target)
        if since is not None:
            where.append("julianday(at) >= julianday(?)")
            params.append(_instant(since, "since"))
        if until is not None:
            where.append("julianday(at) < julianday(?)")
            params.append(_instant(until, "until"))
        sql = "SELECT seq, at, actor, action, target, detail_json FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(int(limit))
        with self.read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [_event(r) for r in rows]

    # -- compliance snapshots ----------------------------------------------------------------
    def save_compliance(self, taken_at: str,
                        rows: list[tuple[str, str, str, bool]]) -> None:
        """Store one compliance snapshot: ``(product_id, domain, policy_id, passed)`` rows."""
        with self.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO compliance_snapshots VALUES (?, ?, ?, ?, ?)",
                [(taken_at, pid, dom, pol, int(ok)) for pid, dom, pol, ok in rows],
            )

    def compliance_history(self) -> list[dict[str, Any]]:
        """Per snapshot time: ``taken_at``, ``checks``, ``passed`` (counts), oldest first."""
        with self.read() as conn:
            rows = conn.execute(
                "SELECT taken_at, count(*) AS checks, sum(passed) AS passed "
                "FROM compliance_snapshots GROUP BY taken_at ORDER BY taken_at"
            ).fetchall()
        return [dict(r) for r in rows]
