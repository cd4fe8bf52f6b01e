"""``python -m catalog copy-store --to URL``: copy the operational store into another, empty
database — how a mesh that started on the embedded SQLite file moves to the PostgreSQL database
its replicas will share.

The source is the store this process is configured with (``MESH_STATE_URL``, else the SQLite
file ``<MESH_DATA_DIR>/state.sqlite``); the target is created or migrated to the newest schema,
must hold no rows, and receives every quality run, check result, compliance snapshot, audit
event, access request, grant, API token and publish claim with its id, in one transaction
(see :mod:`catalog.store.copy`). Stop the portal first so nothing is written meanwhile; then
point ``MESH_STATE_URL`` at the target. Keep a password out of the command line (and the
shell's history): leave it out of the URL and set ``PGPASSWORD`` or a ``~/.pgpass`` entry,
which psycopg reads.

Only a governance admin may copy (the local user, or ``MESH_API_TOKEN``'s owner). Prints the
rows copied per table. Exit codes: 0 copied; 2 refused (not an admin, target not empty or the
same store, a database that cannot be reached); nothing is copied then.
"""

from __future__ import annotations

import argparse
import sys

from catalog import Catalog, Settings
from catalog.commands._principal import acting_principal

NAME = "copy-store"
HELP = "copy the operational store into another, empty database (e.g. SQLite → PostgreSQL)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("--to", required=True, metavar="URL", dest="target",
                        help="the empty target, e.g. postgresql://mesh@db:5432/mesh "
                             "(password from PGPASSWORD or ~/.pgpass)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the store; returns 0, or raises a catalog error (exit code 2) with nothing copied."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    copied = catalog.copy_store(
        principal, args.target,
        progress=lambda table, rows: print(f"{table}: {rows:,} rows", flush=True))
    print(f"copied {sum(copied.values()):,} rows in {len(copied)} tables; point MESH_STATE_URL "
          "at the target to use it.", file=sys.stderr)
    return 0
