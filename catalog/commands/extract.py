"""``python -m catalog extract PRODUCT [--port PORT] [--column COLUMN ...]
[--filter column:operator:value ...] [--limit N] [--format csv|parquet] [--output PATH]``:
download an output port's data as a CSV or Parquet file.

The same extract as the portal's Data tab and the HTTP API's ``data.csv`` / ``data.parquet``:
the same rights (a restricted port needs a grant), masking of sensitive columns, formula guard
for spreadsheets, row filters and audit record; written by the product's own engine (DuckDB,
PostgreSQL or Spark) to a temporary file in flat memory, then moved to ``--output``
(default: the file name the portal offers, in the current folder, named after the data's
period). Prints the file's path on standard output and what was written on standard error.
Acts as the principal of ``MESH_API_TOKEN`` when set, else as the local user.

Filters are written as in the HTTP API: ``column:operator:value`` with an operator among
``equals``, ``not_equals``, ``less``, ``less_or_equal``, ``greater``, ``greater_or_equal``,
``contains``, ``is_empty`` and ``not_empty`` (the last two take no value); all must hold.

Exit codes: 0 written; 2 refused (unknown product, port, column or operator, a bad filter value,
no grant, the data cannot be read, or ``--output`` exists without ``--force``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from catalog import Catalog, ExtractRequest, InvalidRequest, Settings, parse_filter
from catalog.commands._principal import acting_principal

NAME = "extract"
HELP = "download a data product's output port as a CSV or Parquet file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("product", metavar="PRODUCT", help="product id, e.g. weather.daily")
    parser.add_argument("--port", help="output port (default: the product's first)")
    parser.add_argument("--column", dest="columns", action="append", default=[],
                        metavar="COLUMN", help="column to include, in order (repeat; "
                        "default: every column)")
    parser.add_argument("--filter", dest="filters", action="append", default=[],
                        metavar="COLUMN:OPERATOR:VALUE",
                        help="keep rows where it holds (repeat: all must hold), e.g. "
                        "time_hour:greater_or_equal:2013-12-01")
    parser.add_argument("--limit", type=int, help="at most this many rows")
    parser.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv",
                        help="file format (default csv)")
    parser.add_argument("--output", type=Path,
                        help="where to write the file (default: the offered name, here)")
    parser.add_argument("--force", action="store_true", help="replace --output if it exists")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write the extract; returns 0 (refusals raise and exit 2)."""
    if args.limit is not None and args.limit < 1:
        raise InvalidRequest(f"--limit must be 1 or more; {args.limit} is not.")
    request = ExtractRequest(columns=tuple(args.columns),
                             filters=tuple(parse_filter(text) for text in args.filters),
                             limit=args.limit)
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    extract = catalog.extract_file(principal, args.product, args.port, request, args.fmt)
    target: Path = args.output or Path.cwd() / extract.file_name
    try:
        if target.exists() and not args.force:
            raise InvalidRequest(f"{target} exists; pick another --output or add --force.")
        shutil.move(extract.path, target)
    finally:
        extract.path.unlink(missing_ok=True)
    print(target)
    print(f"{extract.rows:,} rows of {args.product} ({extract.bytes:,} bytes, "
          f"{args.fmt}) written to {target}", file=sys.stderr)
    return 0
