"""SQLite adapter: the operational store in one file, the embedded default.

The file is in WAL mode: every committed transaction survives a crash of the process or the
machine (``synchronous`` stays at SQLite's default, FULL), and readers never block writers. Each
write is one ``BEGIN IMMEDIATE`` transaction, so writers take the database's write lock before
they read anything and run one after the other; a writer that finds the file locked waits
(busy timeout 30 s) instead of failing, so the portal, ``python -m catalog check`` and any
number of other processes may write at the same time and nothing is lost. Because writers are
serialised as a whole, lock keys (:meth:`lock`) need no extra work here. Foreign keys are
enforced on every connection.

Each process keeps a few connections open (a pool of :data:`POOL_SIZE`): when the last
connection to a WAL file closes, SQLite checkpoints the log into the database and syncs it,
which made a connection per transaction cost several times the write itself. A forked child
opens its own (see :attr:`~catalog.store.adapters.base.Adapter.engine`).

Schema migrations hold an exclusive ``flock`` on ``<file>.migrate-lock`` beside the database
(and run in one ``BEGIN IMMEDIATE`` transaction with foreign keys off, so a table rebuilt by a
migration keeps the rows that refer to it).
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import QueuePool

from catalog.store.adapters.base import Adapter
from catalog.store.errors import StoreError

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another writer's lock before giving up, in seconds."""
POOL_SIZE = 5
"""Connections each process keeps open to the file."""
MAX_OVERFLOW = 10
"""Extra connections a busy process may open beyond :data:`POOL_SIZE` (closed when returned)."""

_BEGIN = "sqlite_begin"
"""Execution option naming the ``BEGIN`` mode of a connection's next transaction."""


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Every new connection: transactions begun by us (not the driver), busy timeout, foreign
    keys."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _on_begin(conn: Connection) -> None:
    """Start SQLAlchemy's transaction: ``BEGIN IMMEDIATE`` for writes, ``BEGIN`` for reads."""
    mode = conn.get_execution_options().get(_BEGIN, "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) inside the block."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class SQLiteAdapter(Adapter):
    """The operational store in a SQLite file (``sqlite:////absolute/path/state.sqlite``).

    Args:
        url: a ``sqlite`` URL naming a file (the folder is created on first use).

    Raises:
        StoreError: the URL names no file (an in-memory database would be a different, empty
            store on every connection).
    """

    scheme = "sqlite"

    def __init__(self, url: URL) -> None:
        super().__init__(url)
        database = url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            raise StoreError("A SQLite operational store must be a file: write MESH_STATE_URL "
                             "as sqlite:////absolute/path/state.sqlite (or leave it unset).")
        self._path = Path(database)

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self._path

    @property
    def description(self) -> str:
        """The file's path (SQLite URLs hold no password)."""
        return str(self._path)

    def _create_engine(self) -> Engine:
        """An engine with a small pool of connections, usable from any thread."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            URL.create("sqlite+pysqlite", database=str(self._path)), poolclass=QueuePool,
            pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
        return engine

    def write_connection(self) -> Connection:
        """A connection whose transactions start with ``BEGIN IMMEDIATE`` (the write lock)."""
        return self.engine.connect().execution_options(**{_BEGIN: "IMMEDIATE"})

    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """Under the file lock: WAL mode on, foreign keys off, one ``BEGIN IMMEDIATE``
        transaction committed at the end (the connection is then discarded, not pooled with
        foreign keys off)."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = self._path.with_name(self._path.name + ".migrate-lock")
        with _file_lock(lock_file), self.engine.connect() as conn:
            try:
                raw = conn.connection.dbapi_connection
                assert raw is not None
                raw.execute("PRAGMA journal_mode = WAL")
                raw.execute("PRAGMA foreign_keys = OFF")
                conn.execution_options(**{_BEGIN: "IMMEDIATE"})
                with conn.begin():
                    yield conn
            finally:
                conn.invalidate()

    def error(self, err: BaseException, doing: str) -> StoreError:
        """Locked too long, a file that is not a database, a full disk or a read-only folder,
        in words."""
        message = self._first_line(err)
        orig = getattr(err, "orig", None)
        if isinstance(orig, sqlite3.OperationalError) and "locked" in message:
            return StoreError(f"The operational store {self._path} could not be {doing}: "
                              f"another process held it locked for more than "
                              f"{BUSY_TIMEOUT_S:.0f} s ({message}). Try again.")
        if isinstance(orig, sqlite3.DatabaseError) and not isinstance(
                orig, sqlite3.OperationalError | sqlite3.IntegrityError):
            return StoreError(f"The operational store {self._path} cannot be opened: {message}. "
                              "Move the file away to start a fresh store.")
        return StoreError(f"Could not write to the operational store {self._path}: {message}"
                          if doing == "written" else
                          f"The operational store {self._path} could not be {doing}: {message}")
