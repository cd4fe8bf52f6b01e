"""The operational store's interface: transactions, the audit log, compliance snapshots and
publish claims, on whichever database the adapter connects to."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from catalog.errors import InvalidRequest
from catalog.store import migrations
from catalog.store.adapters import adapter_for
from catalog.store.adapters.base import Adapter
from catalog.store.errors import StoreError
from catalog.store.tables import audit_log, compliance_snapshots, publish_claims
from catalog.store.times import utc_text

if TYPE_CHECKING:
    from catalog.config import Settings

logger = logging.getLogger(__name__)


def insert_audit(conn: Connection, at: dt.datetime | str, actor: str, action: str, target: str,
                 detail: dict[str, Any] | None = None) -> int:
    """Append one audit event on ``conn``, inside the caller's write transaction.

    Use it to make a change and its audit record one transaction (both or neither);
    :meth:`StateStore.record_audit` is the same in a transaction of its own.

    Args:
        conn: a connection from :meth:`StateStore.write`.
        at: when it happened: an ISO 8601 string (``Z`` or an offset, or naive = UTC) or a
            datetime; stored as naive UTC with microseconds.
        actor: who did it (a principal's user name).
        action: what was done, dotted, e.g. ``access.granted``.
        target: what it was done to, e.g. a product id.
        detail: extra JSON-serialisable facts (a reason, the old and new status).

    Returns:
        The event's sequence number.

    Raises:
        InvalidRequest: ``at`` is not a date and time.
    """
    seq = conn.execute(insert(audit_log).values(
        at=utc_text(at, "at"), actor=actor, action=action, target=target,
        detail_json=json.dumps(detail or {}, default=str)).returning(audit_log.c.seq)).scalar_one()
    return int(seq)


def _event(row: Row[Any, Any, Any, Any, Any, Any]) -> dict[str, Any]:
    seq, at, actor, action, target, detail = row
    return {"seq": int(seq), "at": at, "actor": actor, "action": action, "target": target,
            "detail": json.loads(detail)}


_EVENT_COLUMNS = (audit_log.c.seq, audit_log.c.at, audit_log.c.actor, audit_log.c.action,
                  audit_log.c.target, audit_log.c.detail_json)


def _naive_utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_holder() -> str:
    """A claim holder id unique to this call: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class StateStore:
    """The operational store (quality runs, compliance snapshots, access requests and grants,
    API tokens, publish claims, the audit log); safe for threads and for several processes.

    Open it with :func:`open_store` (from the settings) or :meth:`from_url`; ``StateStore(path)``
    opens a SQLite file. The schema is migrated to the newest revision on first use.

    Args:
        path: a SQLite file (created with its folder on first use); or None with ``url``.
        url: a database URL (``sqlite:///…``, ``postgresql://…``) instead of ``path``.

    Raises:
        StoreError: neither or both of ``path`` and ``url``, or a URL no adapter serves.
    """

    def __init__(self, path: Path | str | None = None, *, url: str | None = None) -> None:
        if (path is None) == (url is None):
            raise StoreError("Open the operational store with a SQLite path or a URL.")
        if url is None:
            url = f"sqlite:///{Path(str(path)).resolve()}"
        self.adapter: Adapter = adapter_for(url)
        self._init_lock = threading.Lock()
        self._ready = False

    @classmethod
    def from_url(cls, url: str) -> StateStore:
        """The store at ``url`` (see :mod:`catalog.store.adapters` for the schemes).

        Raises:
            StoreError: no adapter for the URL's scheme, or a malformed URL.
        """
        return cls(url=url)

    # -- what it is ----------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        """The SQLite file of a SQLite store; None for a database server."""
        return self.adapter.path

    @property
    def url(self) -> str:
        """The database URL *with* its password (to open the same store in another process;
        never log it; :attr:`description` is the printable form)."""
        if self.adapter.path is not None:
            return f"sqlite:///{self.adapter.path}"
        return self.adapter.url.render_as_string(hide_password=False)

    @property
    def description(self) -> str:
        """Where the store is, for people: the SQLite file, or the URL without password."""
        return self.adapter.description

    def __repr__(self) -> str:
        """The store without any password."""
        return f"StateStore({self.description!r})"

    def dispose(self) -> None:
        """Close pooled connections (they are opened again on next use)."""
        self.adapter.dispose()

    # -- schema ----------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._init_lock:
            if self._ready:
                return
            try:
                with self.adapter.read_connection() as conn:
                    at = migrations.current(conn)
                if at != migrations.head():
                    migrations.upgrade(self.adapter)
                    logger.info("operational store %s migrated from %s to %s",
                                self.description, at or "no revision", migrations.head())
            except SQLAlchemyError as err:
                raise self.adapter.error(err, "opened") from None
            self._ready = True

    def schema_revision(self) -> str | None:
        """The migration revision the database is at (after migrating it on first use).

        Raises:
            StoreError: the store cannot be opened.
        """
        with self.read() as conn:
            return migrations.current(conn)

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def write(self, lock: str | None = None) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on any error.

        Args:
            lock: a key naming what the block checks and then changes (e.g.
                ``access_request:12``); two write transactions with the same key never
                overlap, in any process (see the adapters for how).

        Yields:
            A SQLAlchemy connection inside the transaction.

        Raises:
            StoreError: the store cannot be written (nothing of the block is kept).
        """
        self._ensure_schema()
        try:
            with self.adapter.write_connection() as conn, conn.begin():
                if lock is not None:
                    self.adapter.lock(conn, lock)
                yield conn
        except DBAPIError as err:
            raise self.adapter.error(err, "written") from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (its transaction is rolled back at the end).

        Yields:
            A SQLAlchemy connection.

        Raises:
            StoreError: the store cannot be read.
        """
        self._ensure_schema()
        try:
            with self.adapter.read_connection() as conn:
                yield conn
        except DBAPIError as err:
            raise self.adapter.error(err, "read") from None

    # -- audit log -------------------------------------------------------------------------
    def record_audit(self, at: dt.datetime | str, actor: str, action: str, target: str,
                     detail: dict[str, Any] | None = None) -> int:
        """Append one audit event in a transaction of its own.

        Args:
            at: when it happened (ISO 8601 string or datetime; naive = UTC); stored as naive
                UTC with microseconds.
            actor: who did it (a principal's user name).
            action: what was done, dotted, e.g. ``product.approved``.
            target: what it was done to, e.g. a product id.
            detail: extra JSON-serialisable facts (a reason, the old and new status).

        Returns:
            The event's sequence number.

        Raises:
            InvalidRequest: ``at`` is not a date and time.
            StoreError: the store cannot be written.
        """
        with self.write() as conn:
            return insert_audit(conn, at, actor, action, target, detail)

    def audit(self, target: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Audit events, newest first.

        Args:
            target: only events about this target (e.g. a product id); all when None.
            limit: at most this many events.

        Returns:
            Dicts ``seq``, ``at`` (naive UTC ISO 8601), ``actor``, ``action``, ``target``,
            ``detail`` (parsed JSON).
        """
        query = select(*_EVENT_COLUMNS)
        if target is not None:
            query = query.where(audit_log.c.target == target)
        query = query.order_by(audit_log.c.seq.desc()).limit(int(limit))
        with self.read() as conn:
            return [_event(r) for r in conn.execute(query)]

    def audit_events(self, actor: str | None = None, action_prefix: str | None = None,
                     target: str | None = None, since: dt.datetime | str | None = None,
                     until: dt.datetime | str | None = None, limit: int = 1000
                     ) -> list[dict[str, Any]]:
        """Audit events matching every filter given, newest first (for the audit page).

        Times are compared as instants: stored times are normalised to naive UTC when
        written (and by a migration for older rows), and ``since``/``until`` are converted the
        same way, so ``…Z``, ``…+02:00`` and naive UTC all filter alike.

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
        query = select(*_EVENT_COLUMNS)
        if actor is not None:
            query = query.where(func.lower(audit_log.c.actor) == func.lower(actor.strip()))
        if action_prefix:
            query = query.where(func.substr(audit_log.c.action, 1, len(action_prefix))
                                == action_prefix)
        if target is not None:
            query = query.where(audit_log.c.target == target)
        if since is not None:
            query = query.where(audit_log.c.at >= utc_text(since, "since"))
        if until is not None:
            query = query.where(audit_log.c.at < utc_text(until, "until"))
        query = query.order_by(audit_log.c.seq.desc()).limit(int(limit))
        with self.read() as conn:
            return [_event(r) for r in conn.execute(query)]

    # -- compliance snapshots ----------------------------------------------------------------
    def save_compliance(self, taken_at: str,
                        rows: Sequence[tuple[str, str, str, bool]]) -> None:
        """Store one compliance snapshot; a row already stored for the same time, product and
        policy is replaced.

        Args:
            taken_at: the snapshot time (ISO 8601 UTC, as given: it is the snapshot's key).
            rows: ``(product_id, domain, policy_id, passed)`` tuples.

        Raises:
            StoreError: the store cannot be written.
        """
        latest = {(pid, pol): (dom, ok) for pid, dom, pol, ok in rows}
        if not latest:
            return
        table = compliance_snapshots
        values = [{"taken_at": taken_at, "product_id": pid, "domain": dom, "policy_id": pol,
                   "passed": int(bool(ok))} for (pid, pol), (dom, ok) in latest.items()]
        with self.write(lock=f"compliance_snapshot:{taken_at}") as conn:
            stored = {(p, q) for p, q in conn.execute(
                select(table.c.product_id, table.c.policy_id)
                .where(table.c.taken_at == taken_at))}
            replaced = [v for v in values if (v["product_id"], v["policy_id"]) in stored]
            if replaced:
                conn.execute(delete(table).where(
                    table.c.taken_at == bindparam("at"),
                    table.c.product_id == bindparam("product"),
                    table.c.policy_id == bindparam("policy")),
                    [{"at": taken_at, "product": v["product_id"], "policy": v["policy_id"]}
                     for v in replaced])
            conn.execute(insert(table), values)

    def compliance_history(self) -> list[dict[str, Any]]:
        """Per snapshot time, oldest first: dicts ``taken_at``, ``checks`` (policy outcomes
        stored) and ``passed`` (how many passed)."""
        table = compliance_snapshots
        query = (select(table.c.taken_at, func.count().label("checks"),
                        func.sum(table.c.passed).label("passed"))
                 .group_by(table.c.taken_at).order_by(table.c.taken_at))
        with self.read() as conn:
            return [{"taken_at": t, "checks": int(c), "passed": int(p or 0)}
                    for t, c, p in conn.execute(query)]

    # -- publish claims ----------------------------------------------------------------------
    def claim(self, key: str, holder: str, stale_after_s: float,
              now: dt.datetime | None = None) -> None:
        """Take the claim on ``key`` for ``holder`` (e.g. a product id being published).

        Of several processes claiming one key at once exactly one succeeds. A claim older
        than ``stale_after_s`` is from a holder that died and is taken over; the holder's own
        claim is renewed.

        Args:
            key: what is claimed, e.g. ``sales.orders``.
            holder: who claims (:func:`new_holder` makes a unique id).
            stale_after_s: age in seconds after which someone else's claim is taken over.
            now: the moment of the claim (naive UTC); the clock by default.

        Raises:
            catalog.registration.errors.PublishConflict: someone else holds a fresh claim.
            StoreError: the store cannot be written.
        """
        from catalog.registration.errors import PublishConflict

        moment = now or _naive_utc_now()
        stale = utc_text(moment - dt.timedelta(seconds=stale_after_s))
        table = publish_claims
        with self.write(lock=f"publish_claim:{key}") as conn:
            found = conn.execute(select(table.c.holder, table.c.taken_at)
                                 .where(table.c.claim_key == key)).first()
            if found is None:
                conn.execute(insert(table).values(claim_key=key, holder=holder,
                                                  taken_at=utc_text(moment)))
                return
            other, taken_at = found
            if other != holder and taken_at >= stale:  # at most stale_after_s old: fresh
                raise PublishConflict(
                    f"Someone else is publishing {key} right now. Wait a minute and search "
                    "for it: if it is there, choose another name.")
            if other != holder:
                logger.warning("publish claim on %s by %s (taken %s) is stale; taken over by %s",
                               key, other, taken_at, holder)
            conn.execute(update(table).where(table.c.claim_key == key)
                         .values(holder=holder, taken_at=utc_text(moment)))

    def release(self, key: str, holder: str) -> bool:
        """Give up ``holder``'s claim on ``key`` (someone else's claim is left alone).

        Returns:
            True when the claim was ``holder``'s and is gone.

        Raises:
            StoreError: the store cannot be written.
        """
        table = publish_claims
        with self.write(lock=f"publish_claim:{key}") as conn:
            gone = conn.execute(delete(table).where(table.c.claim_key == key,
                                                    table.c.holder == holder))
            return bool(gone.rowcount)

    def claims(self) -> dict[str, tuple[str, str]]:
        """Claims held now: key → ``(holder, taken_at)``."""
        table = publish_claims
        with self.read() as conn:
            return {k: (h, t) for k, h, t in conn.execute(
                select(table.c.claim_key, table.c.holder, table.c.taken_at))}


def open_store(settings: Settings) -> StateStore:
    """The operational store of ``settings``: ``MESH_STATE_URL`` when set, else the SQLite file
    ``settings.state_path``.

    Raises:
        StoreError: the URL names no supported database.
    """
    return StateStore.from_url(settings.store_url)
