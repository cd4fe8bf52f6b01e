"""What every adapter of the operational store provides (see :mod:`catalog.store.adapters`)."""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Table
from sqlalchemy.engine import URL, Connection, Engine

from catalog.store.errors import StoreError

MIGRATION_LOCK = "catalog.store:migrations"
"""Lock key of schema migrations (one process migrates, the others wait and find it done)."""


class Adapter(ABC):
    """One database behind the operational store: its engine and its driver-specific rules.

    Subclasses build the engine (:meth:`_create_engine`) and say how writes start, how
    lock keys serialise, how migrations are kept to one process and what driver errors mean.

    Args:
        url: the database URL (already parsed); it may hold a password, which no message,
            ``repr`` or log line shows (see :attr:`description`).
    """

    scheme: ClassVar[str] = ""
    """The URL scheme (SQLAlchemy backend name) the adapter serves."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._pid = 0
        self._engine_lock = threading.Lock()

    # -- what it is ----------------------------------------------------------------------------
    @property
    def description(self) -> str:
        """The URL with the password replaced by ``***``, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @property
    def path(self) -> Path | None:
        """The database file, for a file database; None for a server."""
        return None

    def __repr__(self) -> str:
        """The adapter and its URL without password."""
        return f"{type(self).__name__}({self.description!r})"

    # -- connections -------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (and again in a forked child process,
        which must not share its parent's pooled connections)."""
        with self._engine_lock:
            if self._engine is not None and self._pid != os.getpid():
                self._engine.dispose(close=False)
                self._engine = None
            if self._engine is None:
                self._engine = self._create_engine()
                self._pid = os.getpid()
            return self._engine

    @abstractmethod
    def _create_engine(self) -> Engine:
        """A new engine for :attr:`url` with the adapter's connection settings."""

    def write_connection(self) -> Connection:
        """A connection whose next transaction is a write transaction.

        Returns:
            An open connection, no transaction begun yet.
        """
        return self.engine.connect()

    def read_connection(self) -> Connection:
        """A connection for reads (one consistent view while it is open, where the database
        offers one cheaply).

        Returns:
            An open connection.
        """
        return self.engine.connect()

    def lock(self, conn: Connection, key: str) -> None:
        """Serialise on ``key`` until ``conn``'s transaction ends.

        Two write transactions holding the same key never overlap, across threads and
        processes; different keys may. Adapters whose write transactions are serialised
        anyway (SQLite) do nothing.

        Args:
            conn: a connection inside a write transaction.
            key: any text naming what is checked and then changed, e.g.
                ``access_request:12``.
        """
        return None

    @abstractmethod
    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """A connection inside one transaction that no other process migrating the same
        database runs alongside; committed when the block ends without error.

        Yields:
            The connection.
        """

    @abstractmethod
    def error(self, err: BaseException, doing: str) -> StoreError:
        """The :class:`StoreError` for a driver error (the caller raises it).

        Args:
            err: the error (SQLAlchemy's wrapper of the driver error).
            doing: what was attempted, e.g. ``written`` or ``read``.

        Returns:
            An error saying what failed and what to check, without the password.
        """

    def after_bulk_copy(self, conn: Connection, tables: Sequence[Table]) -> None:
        """Make the database ready for ordinary writes after rows were copied into ``tables``
        with their ids (see :mod:`catalog.store.copy`); nothing by default (SQLite's
        ``AUTOINCREMENT`` continues after the largest id by itself).

        Args:
            conn: the connection of the copy's transaction.
            tables: the tables copied into.
        """
        return None

    def dispose(self) -> None:
        """Close pooled connections (a new one is opened on next use)."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # -- helpers -------------------------------------------------------------------------------
    def _first_line(self, err: BaseException) -> str:
        """The driver's message, first line only, with the password (if any) blotted out."""
        orig = getattr(err, "orig", None) or err
        text = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        password = self.url.password
        if password:
            text = text.replace(str(password), "***")
        return text
