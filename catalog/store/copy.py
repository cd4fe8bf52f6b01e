"""Copy every row of one operational store into another, empty one: how a mesh that started on
the embedded SQLite file moves to a shared PostgreSQL database (or back, or to a new server).

Both stores are migrated to the newest schema first (the source too: the rows are read in the
schema both share). Then, in **one transaction on the target**, every table of
:mod:`catalog.store.tables` is checked to be empty, the rows are copied table by table in
dependency order (SQLAlchemy's ``sorted_tables``: ``quality_runs`` before ``check_results``,
``access_requests`` before ``access_grants``), in batches, with their ids, and the target's
adapter gets the database ready for ordinary writes (PostgreSQL moves its id sequences past
the largest id copied). A failure anywhere rolls the target back to empty: the copy is all or
nothing, and it can simply be run again.

The source is read in one snapshot (SQLite: one read transaction; PostgreSQL: ``REPEATABLE
READ``), so writers on the source while it runs are either wholly in the copy or not at all;
stop the portal's replicas first so none is written after the copy.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from catalog.store.errors import StoreError
from catalog.store.state import StateStore
from catalog.store.tables import metadata

BATCH_ROWS = 1000
"""Rows inserted per statement."""


def copy_rows(source: StateStore, target: StateStore, *, batch_rows: int = BATCH_ROWS,
              progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every row of ``source`` into the empty store ``target``.

    Args:
        source: the store to copy (left unchanged, apart from being migrated to the newest
            schema like any process opening it would).
        target: an empty store (a new SQLite file or an empty PostgreSQL database; its schema
            is created on first use).
        batch_rows: rows per insert statement.
        progress: called with each table's name and the rows copied into it, once the table is
            done.

    Returns:
        Table name → rows copied, in the order the tables were copied.

    Raises:
        StoreError: source and target are the same database; the target already holds rows
            (named with the table and count; nothing is copied); either store cannot be opened
            or written (the target is left as it was).
    """
    if source.url == target.url:
        raise StoreError(f"The source and the target are the same store ({source.description});"
                         " name another database as the target.")
    tables = list(metadata.sorted_tables)
    copied: dict[str, int] = {}
    with target.write(lock="catalog.store:copy") as out:
        for table in tables:
            present = out.execute(select(func.count()).select_from(table)).scalar_one()
            if present:
                raise StoreError(
                    f"The target store {target.description} is not empty: its table "
                    f"{table.name} holds {present:,} rows. Copy into a new, empty database "
                    "(nothing was copied).")
        with source.read() as into:
            for table in tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = into.execute(select(table).order_by(*order))
                count = 0
                for batch in rows.partitions(batch_rows):
                    try:
                        out.execute(insert(table), [dict(row._mapping) for row in batch])
                    except DBAPIError as err:  # the target's error, not the source's
                        raise target.adapter.error(err, "written") from None
                    count += len(batch)
                copied[table.name] = count
                if progress is not None:
                    progress(table.name, count)
        target.adapter.after_bulk_copy(out, tables)
    return copied
