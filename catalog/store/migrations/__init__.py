"""Schema migrations of the operational store (alembic), applied when a store is first used.

The revisions live in ``versions/``; ``r0001`` is the baseline, the schema the store had
before migrations were versioned (its tables are created only where missing, so a store made
by an older release is taken over as it is), and every later revision changes the schema one
step. :func:`upgrade` brings a database to the newest revision; one process migrates while the
others wait (the adapter's :meth:`~catalog.store.adapters.base.Adapter.migration_connection`)
and then find nothing left to do. See ``docs/state-store.md`` for adding a revision.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, Table, inspect, select
from sqlalchemy.engine import Connection

from catalog.store.adapters.base import Adapter

FOLDER = Path(__file__).resolve().parent
"""This folder: ``env.py``, ``script.py.mako`` and ``versions/``."""

VERSION_TABLE = "alembic_version"
"""The table where alembic keeps the revision a database is at."""

_version = Table(VERSION_TABLE, MetaData(), Column("version_num", String(32), primary_key=True))


def config(adapter: Adapter | None = None, connection: Connection | None = None) -> Config:
    """An alembic configuration for this folder.

    Args:
        adapter: the store's adapter (``env.py`` opens its own migration connection with it
            when no ``connection`` is given).
        connection: a connection inside the migration transaction, used as it is.

    Returns:
        The configuration (no ``alembic.ini`` needed).
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(FOLDER))
    cfg.attributes["adapter"] = adapter
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head() -> str:
    """The newest revision id in ``versions/`` (read once per process)."""
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None, "catalog/store/migrations/versions has no revision"
    return revision


def current(conn: Connection) -> str | None:
    """The revision the database of ``conn`` is at; None when never migrated (empty, or made
    before migrations were versioned)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(select(_version.c.version_num)).scalar()


def upgrade(adapter: Adapter, revision: str = "head") -> None:
    """Migrate the database of ``adapter`` to ``revision`` in one transaction, one process at a
    time.

    Args:
        adapter: the store's adapter.
        revision: the target revision (the newest by default).

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused a step (nothing of the upgrade is
            kept); :class:`~catalog.store.state.StateStore` turns it into a ``StoreError``.
    """
    with adapter.migration_connection() as conn:
        if revision == "head" and current(conn) == head():
            return
        command.upgrade(config(adapter, conn), revision)
