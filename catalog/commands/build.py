"""``python -m catalog build``: build every product's data into its DuckDB file.

See :mod:`catalog.build`. First, leftovers of killed builds and writers in the data folder are
removed (:mod:`catalog.housekeeping`). Products whose manifests have errors are skipped (and
named). Then the quality history is rebuilt from the data as it stood at each month end
(:mod:`catalog.quality.backfill`) unless ``--no-history``; it replaces the previous history in
one transaction, so an interrupted build keeps the old one. Last, every product is checked once
more on its data as it is now (a ``build`` run, :func:`catalog.quality.backfill.current_runs`):
that run, not a past month end, is the verdict every page shows after a build.
"""

from __future__ import annotations

import argparse
import sys

from catalog.build import build_mesh
from catalog.config import Settings
from catalog.housekeeping import clean_stale_build_files
from catalog.manifests.loader import load_mesh
from catalog.quality.backfill import current_runs, rebuild_history
from catalog.quality.runner import quality_engine
from catalog.store import open_store

NAME = "build"
HELP = "build the demo mesh's data into DuckDB"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``.

    Args:
        parser: the sub-command's parser.
    """
    parser.add_argument("--no-history", action="store_true",
                        help="skip rebuilding the quality history from the built data")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Remove leftovers of killed processes, build the mesh's data, its quality history and a
    current quality run of every product.

    Args:
        args: the parsed arguments (``no_history``).
        settings: where the manifests, the data folder and the store are.

    Returns:
        0.
    """
    for leftover in clean_stale_build_files(settings.data_dir):
        print(f"removed leftover of an interrupted run: {leftover}")
    mesh = load_mesh(settings.mesh_root)
    for problem in mesh.problems:
        if problem.severity == "error":
            print(f"skipped: {problem}", file=sys.stderr)
    report = build_mesh(mesh, settings.data_dir, report=print)
    for database in report.databases:
        print(f"wrote {database} ({len(report.tables)} tables)")
    for pid in report.skipped:
        print(f"no build code: {pid}")
    if not args.no_history:
        stored = rebuild_history(quality_engine(settings.data_dir), mesh,
                                 open_store(settings), report=print)
        print(f"stored {stored} quality runs (history at each month end of the data)")
    current = current_runs(quality_engine(settings.data_dir), mesh, open_store(settings))
    print(f"stored {current} current quality runs (the data as it is now)")
    return 0
