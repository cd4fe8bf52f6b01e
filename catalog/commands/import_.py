"""``python -m catalog import FILE [FILE ...] [--domain DOMAIN] [--name NAME] [--root DIR]``:
bring ODCS v3.0-v3.2 contracts (and at most one ODPS product file) into the mesh.

Every file is validated as the loader validates manifests; a bare contract gets a product built
around it (:mod:`catalog.interchange.importer`). The product is written to
``<root>/<domain>/<product>/`` (default root: the configured mesh root) all at once, never over
an existing product. Prints the new product's id on standard output; warnings (the input's,
and what the loader now says about the new product, e.g. a port whose contract was not
imported) and refusals go to standard error as ``file:line: severity: field: message``.

Exit codes: 0 imported; 2 refused (invalid file, bad or clashing name, unknown domain,
existing product); nothing is written when refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from catalog.commands._problems import print_problems
from catalog.config import Settings
from catalog.interchange.importer import import_files
from catalog.interchange.reader import DocumentRejected
from catalog.manifests.loader import load_mesh

NAME = "import"
HELP = "import ODCS contracts and an ODPS product into the mesh"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ODCS contract files and at most one ODPS product file")
    parser.add_argument("--domain", help="owning domain (default: the files' domain)")
    parser.add_argument("--name", help="product folder name (default: from the files)")
    parser.add_argument("--root", help="mesh root folder (default: the configured mesh root)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Import the files; returns 0, or 2 after printing why nothing was imported."""
    root = Path(args.root).resolve() if args.root else settings.mesh_root
    try:
        result = import_files([Path(f) for f in args.files], root, args.domain, args.name)
    except DocumentRejected as err:
        print_problems(err.problems)
        return 2
    print_problems(list(result.warnings))
    folder = str(result.directory.relative_to(root.parent))
    print_problems([p for p in load_mesh(root).problems if p.file.startswith(folder)])
    print(result.product_id)
    return 0
