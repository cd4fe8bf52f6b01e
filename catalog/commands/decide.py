"""``python -m catalog decide REQUEST_ID (--approve | --deny) [--note TEXT] [--json]``: decide
a pending access request.

Approving makes one grant per requested port, from now, for the duration asked; denying needs a
``--note`` (the requester reads it). Only the product's or its domain's owners and data
stewards, or a governance admin, decide: the catalog refuses anyone else. Prints ``<request
id> <status>`` on standard output (``--json``: the request as one JSON object). Acts as the
principal of ``MESH_API_TOKEN`` when set, else as the local user.

Exit codes: 0 decided; 2 refused (unknown request, no longer pending, denial without a note,
not a decider).
"""

from __future__ import annotations

import argparse
import sys

from catalog import Catalog, Settings
from catalog.commands._output import duration, one_line, print_json
from catalog.commands._principal import acting_principal

NAME = "decide"
HELP = "approve or deny a pending access request"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("request_id", type=int, metavar="REQUEST_ID",
                        help="the request's number (python -m catalog requests --to-decide)")
    verdict = parser.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true",
                         help="grant the ports asked for, for the duration asked")
    verdict.add_argument("--deny", action="store_true", help="refuse (a --note is required)")
    parser.add_argument("--note", default="",
                        help="note to the requester (required to deny: say why)")
    parser.add_argument("--json", action="store_true", help="print the request as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Decide the request; returns 0 (refusals raise and exit 2)."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    request = catalog.decide_request(principal, args.request_id, bool(args.approve), args.note)
    if args.json:
        print_json(request)
    else:
        print(f"{request.id} {request.status}")
    if args.approve:
        print(f"Approved request #{request.id}: {one_line(request.requester)} may now read "
              f"{', '.join(request.ports)} of {request.product_id} "
              f"({duration(request.duration_days)}).", file=sys.stderr)
    else:
        print(f"Denied request #{request.id} of {one_line(request.requester)}; they can read "
              "your note.", file=sys.stderr)
    return 0
