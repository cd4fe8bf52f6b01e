"""``python -m catalog requests [--to-decide] [--json]``: access requests.

Without option, the acting principal's own requests (newest first); with ``--to-decide`` (or
``--queue``), the pending requests on products the principal decides (oldest first), as the
portal's "Requests to decide". Prints a table, or with ``--json`` a JSON array of requests.
Decide one with ``python -m catalog decide ID --approve|--deny``. Acts as the principal of
``MESH_API_TOKEN`` when set, else as the local user.

Exit codes: 0 listed (even when empty); 2 refused.
"""

from __future__ import annotations

import argparse

from catalog import Catalog, Settings
from catalog.commands._output import duration, print_json, print_table
from catalog.commands._principal import acting_principal

NAME = "requests"
HELP = "list your access requests, or the requests waiting for your decision"
PURPOSE_WIDTH = 60
"""Characters of the purpose a table row shows (``--json`` has all of it)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("--to-decide", "--queue", dest="to_decide", action="store_true",
                        help="pending requests on the products you decide, oldest first")
    parser.add_argument("--json", action="store_true", help="print a JSON array of requests")


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= PURPOSE_WIDTH else line[:PURPOSE_WIDTH - 1] + "…"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """List the requests; returns 0 (refusals raise and exit 2)."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    requests = (catalog.access_queue(principal) if args.to_decide
                else catalog.my_requests(principal))
    if args.json:
        print_json(requests)
        return 0
    print_table(("ID", "PRODUCT", "PORTS", "REQUESTER", "DURATION", "STATUS", "FILED", "PURPOSE"),
                [(r.id, r.product_id, r.ports, r.requester, duration(r.duration_days), r.status,
                  r.created_at, _short(r.purpose)) for r in requests],
                "No access request is waiting for your decision." if args.to_decide
                else "You have no access request.")
    return 0
