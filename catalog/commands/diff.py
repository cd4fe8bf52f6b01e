"""``python -m catalog diff OLD NEW [--format text|json]``: classify the changes between two
versions of a data contract (ODCS) and name the version bump they need.

Both files are validated first, as the loader validates them. Text output: one line per change,
breaking changes first, as ``breaking|non-breaking: <bump>: <kind>: <path>: <message>``; then
``bump: <major|minor|patch|none> (<old version> -> <suggested version>)``; then, when NEW's own
``version`` is lower than that, a ``warning:`` line. ``--format json`` prints one object:
``old_version``, ``new_version``, ``bump``, ``suggested_version``, ``version_ok``, ``breaking``
and ``changes`` (``kind``, ``path``, ``old``, ``new``, ``breaking``, ``message``, ``bump``).
The rules: :mod:`catalog.contracts.diff`.

Exit codes: 0 when no change is breaking, 1 when at least one is, 2 when a file is unreadable or
invalid (each problem printed as ``file:line: error: field: message``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalog.commands._problems import print_problems
from catalog.config import Settings
from catalog.contracts.diff import ContractDiff, diff_contracts
from catalog.contracts.semver import is_semver, precedence
from catalog.interchange.reader import DocumentRejected, read_document

NAME = "diff"
HELP = "classify changes between two versions of a data contract (breaking or not)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("old", metavar="OLD", help="the current contract (.odcs.yaml)")
    parser.add_argument("new", metavar="NEW", help="the proposed contract (.odcs.yaml)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")


def version_ok(result: ContractDiff) -> bool | None:
    """Whether NEW's declared version is at least the suggested one (None when either version
    is missing or not semantic)."""
    suggested, declared = result.suggested_version(), result.new_version
    if suggested is None or declared is None or not is_semver(declared):
        return None
    return precedence(declared) >= precedence(suggested)


def _text(result: ContractDiff) -> None:
    for c in result.changes:
        label = "breaking" if c.breaking else "non-breaking"
        print(f"{label}: {c.bump}: {c.kind}: {c.path}: {c.message}")
    suggested = result.suggested_version()
    versions = f" ({result.old_version} -> {suggested})" if suggested else ""
    print(f"bump: {result.bump}{versions}")
    if version_ok(result) is False:
        print(f"warning: the new contract declares version {result.new_version}; these "
              f"changes need {suggested} or later")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Compare OLD with NEW; returns the exit code described in the module docstring."""
    try:
        old = read_document(Path(args.old))
        new = read_document(Path(args.new))
    except DocumentRejected as err:
        print_problems(err.problems)
        return 2
    for source in (old, new):
        if source.kind != "odcs":
            print(f"{source.path}: error: kind: a data contract (ODCS, kind DataContract) is "
                  "expected", file=sys.stderr)
            return 2
    print_problems(old.warnings + new.warnings)
    result = diff_contracts(old.document, new.document)
    if args.format == "json":
        print(json.dumps({**result.to_dict(), "version_ok": version_ok(result)}, indent=2,
                         ensure_ascii=False, default=str))
    else:
        _text(result)
    return 1 if result.breaking else 0
