"""The operational store: quality runs, compliance snapshots, access requests and grants, API
tokens, publish claims and the audit log, behind one interface with one adapter per database.

* :mod:`catalog.store.tables`: the schema (SQLAlchemy Core tables), the one definition of it.
* :mod:`catalog.store.state`: :class:`StateStore`, the interface: ``write(lock=…)`` and
  ``read()`` transactions yielding SQLAlchemy connections, plus the audit log, compliance
  snapshots and publish claims. Domain modules (:mod:`catalog.quality.history`,
  :mod:`catalog.access.grants`, :mod:`catalog.access.tokens`) build Core statements against the
  tables, so they run unchanged on every adapter.
* :mod:`catalog.store.adapters`: one adapter per database, chosen by the URL's scheme:
  ``sqlite`` (the embedded default, one file in WAL mode, writers serialised by
  ``BEGIN IMMEDIATE``) and ``postgresql`` (psycopg 3, advisory locks for check-then-act
  writes). Only adapters import a driver.
* :mod:`catalog.store.migrations`: alembic revisions, applied to the newest at first use, one
  process at a time.

:func:`open_store` opens the store of the settings: ``MESH_STATE_URL`` when set, else the SQLite
file ``<data dir>/state.sqlite`` (``MESH_STATE_DB``). ``docs/state-store.md`` describes the
adapters, migrations, locking and backups.
"""

from __future__ import annotations

from catalog.store.errors import StoreError
from catalog.store.state import StateStore, insert_audit, new_holder, open_store

__all__ = ["StateStore", "StoreError", "insert_audit", "new_holder", "open_store"]
