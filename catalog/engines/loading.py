"""Copy a table into PostgreSQL with ``COPY … FROM STDIN``: how the demo, the tests and the
benchmark serve DuckDB-built data from PostgreSQL.

Trusted code only (the platform's own builds and benchmark data, never user SQL): it writes.
DuckDB writes the rows as CSV to a temporary file, which is streamed to the server in 1 MiB
blocks, so memory stays flat whatever the size.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import duckdb

from catalog.engines.base import postgres_type_of_duckdb
from catalog.sql import quote_identifier, quote_literal

logger = logging.getLogger(__name__)

BLOCK_BYTES = 1024 * 1024
"""Bytes sent to the server per write."""


def load_into_postgres(relation: str, url: str, schema: str, table: str, *,
                       attach: dict[str, Path] | None = None,
                       scratch: Path | None = None) -> int:
    """Replace ``schema.table`` in a PostgreSQL database with the rows of a DuckDB relation.

    Args:
        relation: what to copy, in DuckDB SQL (``read_parquet('…')``, ``db.schema.table``).
        url: the PostgreSQL database (a libpq URL; the role must be allowed to create the
            schema and table). Never logged.
        schema: target schema (created when missing).
        table: target table (dropped and created with the relation's columns, typed by
            :func:`catalog.engines.base.postgres_type_of_duckdb`).
        attach: DuckDB files to attach read-only first, by alias.
        scratch: folder for the temporary CSV file (default: the system's).

    Returns:
        The number of rows loaded.

    Raises:
        psycopg.Error: the server refused the load (it is rolled back).
        duckdb.Error: the relation cannot be read.
    """
    import psycopg

    con = duckdb.connect()
    try:
        for alias, path in (attach or {}).items():
            con.execute(f"ATTACH {quote_literal(str(path))} AS {quote_identifier(alias)} "
                        "(READ_ONLY)")
        columns = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        fd, name = tempfile.mkstemp(suffix=".csv", prefix="pg-load-", dir=scratch)
        os.close(fd)
        try:
            con.execute(f"COPY (SELECT * FROM {relation}) TO {quote_literal(name)} "
                        "(FORMAT csv, HEADER true)")
            qualified = f"{quote_identifier(schema)}.{quote_identifier(table)}"
            ddl = ", ".join(f"{quote_identifier(str(c[0]))} {postgres_type_of_duckdb(str(c[1]))}"
                            for c in columns)
            with psycopg.connect(url) as pg, pg.cursor() as cur:
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
                cur.execute(f"DROP TABLE IF EXISTS {qualified}")
                cur.execute(f"CREATE TABLE {qualified} ({ddl})")
                with open(name, "rb") as data, cur.copy(
                        f"COPY {qualified} FROM STDIN (FORMAT csv, HEADER true)") as copy:
                    while block := data.read(BLOCK_BYTES):
                        copy.write(block)
                rows = cur.rowcount
                cur.execute(f"ANALYZE {qualified}")
        finally:
            Path(name).unlink(missing_ok=True)
    finally:
        con.close()
    logger.info("loaded %s rows into PostgreSQL table %s.%s", rows, schema, table)
    return int(rows)
