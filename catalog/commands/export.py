"""``python -m catalog export PRODUCT_ID --out DIR [--markdown] [--force] [--root DIR]``:
write a product's ODPS + ODCS files into DIR for other tools.

Writes ``product.odps.yaml`` and each ``<port>.odcs.yaml`` as the mesh holds them (an imported
product gets its original id back, so import then export gives the same documents); with
``--markdown`` also ``<PRODUCT_ID>.md``, the product's documentation for people who never open
the portal (:func:`catalog.interchange.markdown.product_markdown`). Every file is validated
before anything is written; existing files in DIR are kept unless ``--force``. Prints the paths
written.

Exit codes: 0 exported; 2 refused (unknown product, invalid manifest, existing files).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from catalog import Catalog, DocumentRejected, Settings
from catalog.commands._principal import acting_principal
from catalog.commands._problems import print_problems
from catalog.interchange.exporter import write_export

NAME = "export"
HELP = "export a product as ODPS + ODCS files (and Markdown documentation)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("product", metavar="PRODUCT_ID", help="e.g. operations.flights")
    parser.add_argument("--out", required=True, metavar="DIR", help="destination folder")
    parser.add_argument("--markdown", action="store_true",
                        help="also write <PRODUCT_ID>.md, the product's documentation")
    parser.add_argument("--force", action="store_true", help="replace existing files in DIR")
    parser.add_argument("--root", help="mesh root folder (default: the configured mesh root)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Export the product; returns 0, or 2 after printing why nothing was written."""
    if args.root:
        settings = dataclasses.replace(settings, mesh_root=Path(args.root).resolve())
    catalog = Catalog(settings)
    try:
        files = catalog.export_product(acting_principal(catalog), args.product,
                                       markdown=args.markdown)
    except DocumentRejected as err:
        print_problems(err.problems)
        return 2
    for path in write_export(files, Path(args.out), overwrite=args.force):
        print(path)
    return 0
