"""``python -m catalog build``: build every product's data into its DuckDB file.

See :mod:`catalog.build`. Products whose manifests have errors are skipped (and named).
"""

from __future__ import annotations

import argparse
import sys

from catalog.build import build_mesh
from catalog.config import Settings
from catalog.manifests.loader import load_mesh

NAME = "build"
HELP = "build the demo mesh's data into DuckDB"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The build command takes no arguments."""


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the mesh's data; returns 0."""
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
