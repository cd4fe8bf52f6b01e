"""Command line: ``python -m catalog <command>``; the commands live in :mod:`catalog.commands`.

Exit codes: 0 success, 1 findings at or above the requested threshold (validate, check), 2 a
refusal (bad arguments, unknown product, unreadable file) with a message on standard error.
"""

from __future__ import annotations

import argparse
import logging
import sys

from catalog.commands import command_modules
from catalog.config import Settings
from catalog.errors import CatalogError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m catalog", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    runners = {}
    for module in command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__)
        module.add_arguments(command)
        runners[module.NAME] = module.run
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    try:
        return int(runners[args.command](args, settings))
    except CatalogError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
