"""PostgreSQL adapter: the operational store on a database server, for several replicas.

Set ``MESH_STATE_URL=postgresql://user:password@host:5432/database`` (``postgres://`` and
``postgresql+psycopg://`` work too; query parameters such as ``sslmode=require`` are passed
to libpq). The driver is psycopg 3; each process keeps a small pool of connections (5, up to 15
under load), checked before use so a restarted server costs no failed request.

Transactions run at READ COMMITTED, PostgreSQL's default: writers of different rows never wait
for each other. A check-then-act write (deciding an access request, revoking, taking a publish
claim) names a lock key (:meth:`PostgreSQLAdapter.lock`): the transaction first takes
``pg_advisory_xact_lock`` on a 64-bit hash of the key, so two such writers on the same key, in
any process on any machine, run one after the other, and the second sees the first's commit.
Reads see one snapshot (REPEATABLE READ, read-only) while their connection is open. Schema
migrations take an advisory lock of their own inside the migration's single transaction
(PostgreSQL's DDL is transactional: a failed migration leaves nothing behind).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from sqlalchemy import Integer, Table, create_engine, false, func, literal, select
from sqlalchemy.engine import URL, Connection, Engine

from catalog.store.adapters.base import MIGRATION_LOCK, Adapter
from catalog.store.errors import StoreError

POOL_SIZE = 5
"""Connections each process keeps open."""
MAX_OVERFLOW = 10
"""Extra connections a busy process may open beyond :data:`POOL_SIZE` (closed when returned)."""
CONNECT_TIMEOUT_S = 10
"""How long opening a connection may take, in seconds."""


def lock_id(key: str) -> int:
    """The advisory lock number of ``key``: the first 8 bytes of its BLAKE2b hash, signed.

    Args:
        key: the lock key, e.g. ``access_request:12``.

    Returns:
        A 64-bit signed integer (what ``pg_advisory_xact_lock`` takes).
    """
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgreSQLAdapter(Adapter):
    """The operational store in a PostgreSQL database (psycopg 3).

    Args:
        url: a ``postgresql`` URL (any driver part is replaced by ``psycopg``).
    """

    scheme = "postgresql"

    def __init__(self, url: URL) -> None:
        super().__init__(url.set(drivername="postgresql+psycopg"))

    def _create_engine(self) -> Engine:
        """A pooled engine; connections are pinged before use."""
        return create_engine(
            self.url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW, pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                          "application_name": "data-mesh-portal"})

    def read_connection(self) -> Connection:
        """A connection reading one snapshot (REPEATABLE READ, read-only) until it closes."""
        return self.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True)

    def lock(self, conn: Connection, key: str) -> None:
        """``pg_advisory_xact_lock`` on ``key``'s number; released at commit or rollback."""
        conn.execute(select(func.pg_advisory_xact_lock(lock_id(key))))

    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """One transaction holding the migrations' advisory lock."""
        with self.engine.connect() as conn, conn.begin():
            self.lock(conn, MIGRATION_LOCK)
            yield conn

    def after_bulk_copy(self, conn: Connection, tables: Sequence[Table]) -> None:
        """Move each serial id's sequence past the largest id copied (rows copied with their
        ids leave it at 1, and the next insert would collide): ``setval`` to ``max + 1`` with
        ``is_called`` false, so the next id is exactly that."""
        for table in tables:
            for column in table.primary_key.columns:
                if not (isinstance(column.type, Integer) and column.autoincrement is True):
                    continue
                sequence = func.pg_get_serial_sequence(literal(table.name), literal(column.name))
                following = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
                conn.execute(select(func.setval(sequence, following, false())))

    def error(self, err: BaseException, doing: str) -> StoreError:
        """Server unreachable, wrong password, missing database, or a failed statement, in
        words (the URL and message never show the password)."""
        message = self._first_line(err)
        orig = getattr(err, "orig", None)
        where = self.description
        if isinstance(orig, psycopg.OperationalError) or isinstance(err, psycopg.OperationalError):
            lowered = message.lower()
            if "password" in lowered or "authentication" in lowered:
                hint = "check the user name and password in MESH_STATE_URL"
            elif "does not exist" in lowered:
                hint = "create the database first (createdb) or fix its name in MESH_STATE_URL"
            else:
                hint = ("check that the server is running and that host and port in "
                        "MESH_STATE_URL are right")
            return StoreError(f"The operational store at {where} cannot be reached ({message}); "
                              f"{hint}.")
        return StoreError(f"The operational store at {where} could not be {doing}: {message}")
