"""``make run``'s engines: serve the demo's PostgreSQL-listed products from PostgreSQL when one
is available, then start the portal.

Usage (what ``make run`` does)::

    MESH_DEMO_POSTGRES_URL=postgresql://user@localhost:5432/mesh \\
        python -m catalog.engines.demo python -m streamlit run portal/server.py …

With ``MESH_DEMO_POSTGRES_URL`` set (a database the role may create schemas and tables in),
every product whose contract lists a ``postgres`` server entry and a ``duckdb`` one (the
``operations`` domain) is copied from the built DuckDB file into that database (``COPY``,
schema and table as the contract names them), and ``MESH_PG_URL_<SERVER>`` is set for the
portal, so the resolver reads them from PostgreSQL. Without it, or when the server does not
answer, nothing is set: those products are read from their DuckDB entry and the Home page says
so. The command after the options is then run in place of this process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from catalog.config import Settings
from catalog.engines.base import env_key
from catalog.engines.resolver import first_server
from catalog.manifests.loader import load_mesh
from catalog.sql import quote_identifier

DEMO_URL_ENV = "MESH_DEMO_POSTGRES_URL"
"""The PostgreSQL database the demo serves products from, when set."""


def serve_from_postgres(settings: Settings, url: str, say: object = print) -> dict[str, str]:
    """Copy every product listing a ``postgres`` and a ``duckdb`` server into ``url``.

    Args:
        settings: the mesh and its data folder (the built ``duckdb`` files).
        url: the PostgreSQL database (never printed).
        say: called with one line per product.

    Returns:
        The environment to add: ``MESH_PG_URL_<SERVER>`` → ``url`` for each server loaded;
        empty when the server does not answer.
    """
    import psycopg

    from catalog.engines.loading import load_into_postgres

    report = say if callable(say) else print
    out: dict[str, str] = {}
    for product in load_mesh(settings.mesh_root).products.values():
        for port in product.output_ports:
            contract = port.contract
            if contract is None:
                continue
            pg = first_server(contract.servers, ("postgres", "postgresql"))
            local = first_server(contract.servers, ("duckdb",))
            objects = port.schema_objects()
            if pg is None or local is None or not local.database or not objects:
                continue
            table = objects[0].physicalName or objects[0].name or ""
            source = f"src.{quote_identifier(local.schema_ or 'main')}.{quote_identifier(table)}"
            try:
                rows = load_into_postgres(source, url, pg.schema_ or "public", table,
                                          attach={"src": settings.data_dir / local.database},
                                          scratch=settings.data_dir)
            except psycopg.OperationalError as err:
                report(f"PostgreSQL does not answer ({str(err).splitlines()[0][:120]}); "
                       "products are read from DuckDB.")
                return {}
            report(f"{product.id}: {rows:,} rows served from PostgreSQL "
                   f"({pg.schema_}.{table})")
            out[f"MESH_PG_URL_{env_key(str(pg.server or 'postgres'))}"] = url
    return out


def main(argv: list[str], env: Mapping[str, str] | None = None) -> int:
    """Prepare the engines, then run ``argv`` in place of this process.

    Returns:
        2 when no command is given (otherwise it does not return).
    """
    env = dict(os.environ if env is None else env)
    if not argv:
        print("usage: python -m catalog.engines.demo COMMAND [ARGS…]", file=sys.stderr)
        return 2
    url = env.get(DEMO_URL_ENV, "").strip()
    if url:
        for key, value in serve_from_postgres(Settings.from_env(), url).items():
            env.setdefault(key, value)
    else:
        print(f"{DEMO_URL_ENV} is not set: every product is read from DuckDB.")
    os.execvpe(argv[0], argv, env)
    return 0  # pragma: no cover - execvpe does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
