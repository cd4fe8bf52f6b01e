"""``python -m catalog grants [--mine | --product PRODUCT] [--json]``: access grants.

``--mine`` (the default) lists the acting principal's own grants; ``--product`` every grant on
one product, for its owners and data stewards (others are refused). Prints a table, newest
first, with each grant's state now (``active``, ``expired``, ``revoked``, ``not started``), or
with ``--json`` a JSON array of grants (each with its ``state``). Acts as the principal of
``MESH_API_TOKEN`` when set, else as the local user.

Exit codes: 0 listed (even when empty); 2 refused (unknown product, not a decider).
"""

from __future__ import annotations

import argparse
import datetime as dt

from catalog import Catalog, Grant, Settings
from catalog.commands._output import day, plain, print_json, print_table
from catalog.commands._principal import acting_principal

NAME = "grants"
HELP = "list your access grants, or the grants on a product you decide"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--mine", action="store_true", help="your own grants (the default)")
    which.add_argument("--product", metavar="PRODUCT",
                       help="every grant on this product (its owners and data stewards)")
    parser.add_argument("--json", action="store_true", help="print a JSON array of grants")


def state(grant: Grant, now: dt.datetime) -> str:
    """``active``, ``expired``, ``revoked`` or ``not started`` at ``now`` (naive UTC)."""
    if grant.revoked_at is not None and now >= grant.revoked_at:
        return "revoked"
    if now < grant.starts_at:
        return "not started"
    return "active" if grant.active(now) else "expired"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """List the grants; returns 0 (refusals raise and exit 2)."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    grants = (catalog.product_grants(principal, args.product) if args.product
              else catalog.my_grants(principal))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if args.json:
        print_json([{**plain(g), "state": state(g, now)} for g in grants])
        return 0
    print_table(("ID", "PRODUCT", "PORT", "CONSUMER", "COLUMNS", "FROM", "UNTIL", "STATE"),
                [(g.id, g.product_id, g.port, g.consumer, g.columns, day(g.starts_at),
                  day(g.expires_at), state(g, now)) for g in grants],
                "No access grant." if args.product else "You have no access grant.")
    return 0
