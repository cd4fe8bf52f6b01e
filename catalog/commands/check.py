"""``python -m catalog check [PRODUCT_ID ...] [--json] [--fail-on warning|failed]``.

Runs every quality check of the named products (default: all), stores the runs in the
operational store and prints one line per check (or, with ``--json``, a JSON array with one
object per check: ``product_id``, ``check_id``, ``kind``, ``object``, ``property`` (null at
object level), ``dimension``, ``status``, ``observed``, ``threshold``, ``failing_rows`` and more).

Exit codes: 0 when no check reaches the threshold; 1 when one does (``--fail-on failed``, the
default: a ``failed`` or ``error`` result — a check that could not run is not a pass;
``--fail-on warning``: also ``warning``); 2 for an unknown product id.
``--history`` instead rebuilds the stored history from the data as it stood at each month end.
"""

from __future__ import annotations

import argparse
import json
import sys

from catalog import Catalog, CheckResult, Settings, Status
from catalog.commands._principal import acting_principal
from catalog.quality.operators import threshold_text

NAME = "check"
HELP = "run the quality checks of data contracts (for domain CI)"

FAILING = {"failed": {Status.FAILED, Status.ERROR},
           "warning": {Status.WARNING, Status.FAILED, Status.ERROR}}
"""Statuses that make the command exit 1, per ``--fail-on`` level."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("products", nargs="*", metavar="PRODUCT_ID",
                        help="products to check (default: every product of the mesh)")
    parser.add_argument("--json", action="store_true", help="print a JSON array of results")
    parser.add_argument("--fail-on", choices=sorted(FAILING), default="failed",
                        help="lowest status that makes the exit code 1 (default: failed)")
    parser.add_argument("--no-store", action="store_true",
                        help="do not record the runs in the operational store")
    parser.add_argument("--history", action="store_true",
                        help="rebuild the quality history at each month end of the data")


def _line(result: CheckResult) -> str:
    c = result.check
    observed = "-" if result.observed is None else f"{result.observed:,.6g}"
    unit = "%" if c.unit == "percent" else (f" {c.unit}" if c.unit != "rows" else "")
    target = f"{c.object}.{c.property}" if c.property else c.object
    want = threshold_text(c.operator, c.threshold, c.unit) if c.operator else "-"
    extra = f" — {result.message}" if result.message else ""
    return (f"{c.product_id}: {result.status.upper():7s} {c.id} [{c.kind} on {target}, "
            f"{c.dimension}, {c.severity}] observed {observed}{unit}, expected {want}{extra}")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the checks; returns the exit code described in the module docstring."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    if args.history:
        stored = catalog.rebuild_quality_history(
            principal, report=lambda line: print(line, file=sys.stderr))
        print(f"stored {stored} history runs", file=sys.stderr)
        return 0
    ids = args.products or [p.id for p in sorted(catalog.all_products(principal),
                                                 key=lambda p: p.id)]
    for pid in ids:
        catalog.product(principal, pid)  # an unknown id is refused before any check runs
    results: list[CheckResult] = []
    for pid in ids:
        run_ = catalog.run_quality(principal, pid, trigger="cli", store=not args.no_store)
        results += run_.results
        if not args.json:
            for result in run_.results:
                print(_line(result))
            print(f"{pid}: score {run_.score.value} ({run_.score.grade}) "
                  f"in {run_.duration_s:.2f} s", file=sys.stderr)
    if args.json:
        json.dump([r.as_json() for r in results], sys.stdout, indent=2, default=str)
        print()
    failing = [r for r in results if r.status in FAILING[args.fail_on]]
    print(f"{len(results)} checks, {len(failing)} at or above '{args.fail_on}'", file=sys.stderr)
    return 1 if failing else 0
