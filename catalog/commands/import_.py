"""``python -m catalog import FILE [FILE ...] [--domain DOMAIN] [--name NAME] [--root DIR]``:
bring ODCS v3.0-v3.2 contracts (and at most one ODPS product file) into the mesh.

Every file is validated as the loader validates manifests; a bare contract gets a product built
around it (:mod:`catalog.interchange.importer`). The product is written to
``<root>/<domain>/<product>/`` (default root: the configured mesh root) all at once, never over
an existing product. Prints the new product's id on standard output; warnings (the input's,
and what the loader now says about the new product, e.g. a port whose contract was not
imported) and refusals go to standard error as ``file:line: severity: field: message``.

The import goes through the catalog's one publish path: the acting principal (the local user,
or the owner of ``MESH_API_TOKEN``) must be allowed to register in the domain; the id is
claimed; the files are validated and the domain's policies evaluated (``error`` findings
refuse the import); the product folder is written all at once and the import is recorded in
the audit log. ``--dry-run`` does every check and writes nothing.

Exit codes: 0 imported (or a clean dry run); 1 a dry run found problems; 2 refused (invalid
file, bad or clashing name, unknown domain, existing product, policy errors, no right to
register); nothing is written when refused.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from catalog import Catalog, DocumentRejected, Settings
from catalog.commands._principal import acting_principal
from catalog.commands._problems import print_problems

NAME = "import"
HELP = "import ODCS contracts and an ODPS product into the mesh"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ODCS contract files and at most one ODPS product file")
    parser.add_argument("--domain", help="owning domain (default: the files' domain)")
    parser.add_argument("--name", help="product folder name (default: from the files)")
    parser.add_argument("--root", help="mesh root folder (default: the configured mesh root)")
    parser.add_argument("--dry-run", action="store_true",
                        help="check everything (validation, governance), write nothing")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Import the files; returns 0, 1 for a dry run with problems, or 2 after printing why
    nothing was imported."""
    if args.root:
        settings = dataclasses.replace(settings, mesh_root=Path(args.root).resolve())
    catalog = Catalog(settings)
    try:
        outcome = catalog.import_contracts(acting_principal(catalog),
                                           [Path(f) for f in args.files], args.domain,
                                           args.name, dry_run=args.dry_run)
    except DocumentRejected as err:
        print_problems(err.problems)
        return 2
    print_problems(outcome.warnings)
    for problem in outcome.problems:
        print(f"error: {problem}", file=sys.stderr)
    folder = f"{settings.mesh_root.name}/{outcome.product_id.replace('.', '/', 1)}"
    print_problems([p for p in catalog.problems() if p.file.startswith(folder)])
    print(outcome.product_id)
    return 1 if outcome.problems else 0
