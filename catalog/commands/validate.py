"""``python -m catalog validate [PATH ...]``: check manifests against the standards.

Prints one line per problem as ``file:line: severity: field: message``; exit code 1 when any
error is found, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog.config import Settings
from catalog.manifests.loader import check_contract_models, load_mesh

NAME = "validate"
HELP = "check manifests against the standards"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("paths", nargs="*", help="mesh folders (default: the mesh root)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Validate each path; returns 1 when any error was found, else 0."""
    roots = [Path(p).resolve() for p in args.paths] or [settings.mesh_root]
    errors = 0
    for root in roots:
        mesh = load_mesh(root)
        for problem in [*mesh.problems, *check_contract_models(mesh)]:
            where = f"{problem.file}:{problem.line or 0}"
            field = f"{problem.field}: " if problem.field else ""
            print(f"{where}: {problem.severity}: {field}{problem.message}")
            errors += problem.severity == "error"
        print(f"{root}: {len(mesh.domains)} domains, {len(mesh.products)} products, "
              f"{errors} errors", file=sys.stderr)
    return 1 if errors else 0
