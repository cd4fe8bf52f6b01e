"""alembic's entry point for the operational store (online migrations only).

Called by :func:`catalog.store.migrations.upgrade` with a connection already inside the
migration transaction, or by the ``alembic`` command line (``alembic -c
catalog/store/migrations/alembic.ini …``), which opens the store named by ``MESH_STATE_URL``
(default: the SQLite file of the current settings) through its adapter.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from catalog.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise SystemExit("The operational store's migrations run online only; drop --sql.")
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    adapter = context.config.attributes.get("adapter")
    if adapter is None:
        from catalog.config import Settings
        from catalog.store.adapters import adapter_for

        adapter = adapter_for(Settings.from_env().store_url)
    with adapter.migration_connection() as connection:
        _run(connection)


_main()
