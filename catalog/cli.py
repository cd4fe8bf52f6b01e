"""Command line: ``python -m catalog validate | build``.

``validate [PATH ...]`` loads the mesh (default: the configured mesh root) and prints one line
per problem as ``file:line: severity: field: message``; exit code 1 when any error is found.
``build`` builds every product's data into its DuckDB file (see :mod:`catalog.build`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from catalog.build import build_mesh
from catalog.config import Settings
from catalog.errors import CatalogError
from catalog.manifests.loader import check_contract_models, load_mesh


def _validate(args: argparse.Namespace, settings: Settings) -> int:
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


def _build(args: argparse.Namespace, settings: Settings) -> int:
    mesh = load_mesh(settings.mesh_root)
    for problem in mesh.problems:
        if problem.severity == "error":
            print(f"skipped: {problem}", file=sys.stderr)
    report = build_mesh(mesh, settings.data_dir, report=print)
    for database in report.databases:
        print(f"wrote {database} ({len(report.tables)} tables)")
    for pid in report.skipped:
        print(f"no build code: {pid}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m catalog", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check manifests against the standards")
    validate.add_argument("paths", nargs="*", help="mesh folders (default: the mesh root)")
    sub.add_parser("build", help="build the demo mesh's data into DuckDB")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    try:
        return {"validate": _validate, "build": _build}[args.command](args, settings)
    except CatalogError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
