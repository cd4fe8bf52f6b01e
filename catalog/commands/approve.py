"""``python -m catalog approve PRODUCT [--json]``: approve a proposed data product.

The product's status becomes ``active`` (its ``product.odps.yaml`` is rewritten in place) and
the decision is recorded in the audit log. The catalog decides who may: an owner or data
steward of the product's domain, or a governance admin, never whoever submitted it (four eyes);
a product with ``error`` findings is refused until they are fixed. Prints ``<product id>
<new status>`` on standard output (``--json``: the decision as one JSON object). Acts as the
principal of ``MESH_API_TOKEN`` when set, else as the local user.

Exit codes: 0 approved; 2 refused (unknown product, not proposed, not allowed, error findings).
"""

from __future__ import annotations

import argparse
import sys

from catalog import Catalog, Settings
from catalog.commands._output import print_json
from catalog.commands._principal import acting_principal

NAME = "approve"
HELP = "approve a proposed data product (four eyes: not its submitter)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("product", metavar="PRODUCT", help="id of the proposed product")
    parser.add_argument("--json", action="store_true", help="print the decision as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Approve the product; returns 0 (refusals raise and exit 2)."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    decision = catalog.approve(principal, args.product)
    if args.json:
        print_json(decision)
    else:
        print(f"{decision.product_id} {decision.new_status}")
    print(f"Approved {decision.product_id}: it is now {decision.new_status}.", file=sys.stderr)
    return 0
