"""``python -m catalog send-back PRODUCT --reason TEXT [--json]``: send a proposed data product
back to its team.

The product's status becomes ``draft`` until its team proposes it again; the reason is kept in
the audit log for the team to read. The catalog decides who may, as for ``approve`` (four eyes:
never the submitter). Prints ``<product id> <new status>`` on standard output (``--json``: the
decision as one JSON object). Acts as the principal of ``MESH_API_TOKEN`` when set, else as
the local user.

Exit codes: 0 sent back; 2 refused (unknown product, not proposed, no reason, not allowed).
"""

from __future__ import annotations

import argparse
import sys

from catalog import Catalog, Settings
from catalog.commands._output import print_json
from catalog.commands._principal import acting_principal

NAME = "send-back"
HELP = "send a proposed data product back to its team, with a reason"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("product", metavar="PRODUCT", help="id of the proposed product")
    parser.add_argument("--reason", required=True,
                        help="what the team should change (they read it)")
    parser.add_argument("--json", action="store_true", help="print the decision as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Send the product back; returns 0 (refusals raise and exit 2)."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    decision = catalog.send_back(principal, args.product, args.reason)
    if args.json:
        print_json(decision)
    else:
        print(f"{decision.product_id} {decision.new_status}")
    print(f"Sent {decision.product_id} back to its team: it is now {decision.new_status}.",
          file=sys.stderr)
    return 0
