"""``python -m catalog request-access PRODUCT --port PORT [--port PORT ...] --purpose TEXT
[--days N | --permanent] [--column COLUMN ...] [--json]``: ask for access to output ports.

The request goes to the product's owners and data stewards, who decide it (``python -m catalog
decide``, or the portal's "My access" page). Prints ``<request id> <status>`` on standard output
and what was asked on standard error; ``--json`` prints the whole request as one JSON object.
Acts as the principal of ``MESH_API_TOKEN`` when set, else as the local user.

Exit codes: 0 requested; 2 refused (unknown product or port, purpose too short, not signed in).
"""

from __future__ import annotations

import argparse
import sys

from catalog import Catalog, Settings
from catalog.commands._output import duration, one_line, print_json
from catalog.commands._principal import acting_principal

NAME = "request-access"
HELP = "ask for access to output ports of a data product"
DEFAULT_DAYS = 90
"""Days asked for when neither ``--days`` nor ``--permanent`` is given (the portal's default)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("product", metavar="PRODUCT", help="product id, e.g. sales.orders")
    parser.add_argument("--port", dest="ports", action="append", required=True, metavar="PORT",
                        help="output port asked for (repeat for several)")
    parser.add_argument("--purpose", required=True,
                        help="why you need the data (the owners read it; 10 characters or more)")
    how_long = parser.add_mutually_exclusive_group()
    how_long.add_argument("--days", type=int, default=DEFAULT_DAYS,
                          help=f"how long, in days (default {DEFAULT_DAYS})")
    how_long.add_argument("--permanent", action="store_true", help="ask for no end date")
    parser.add_argument("--column", dest="columns", action="append", default=[],
                        metavar="COLUMN",
                        help="sensitive column asked for (repeat; masked otherwise)")
    parser.add_argument("--json", action="store_true", help="print the request as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """File the request; returns 0 (refusals raise and exit 2)."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    request = catalog.request_access(principal, args.product, args.ports, args.purpose,
                                     None if args.permanent else args.days, args.columns)
    if args.json:
        print_json(request)
    else:
        print(f"{request.id} {request.status}")
    print(f"Request #{request.id} by {one_line(request.requester)} for "
          f"{', '.join(request.ports)} of {request.product_id} "
          f"({duration(request.duration_days)}) is {request.status}; the product's owners "
          "decide it.", file=sys.stderr)
    return 0
