"""Printing manifest problems for the import, export and diff commands (not a command)."""

from __future__ import annotations

import sys

from catalog.mesh import ManifestProblem


def print_problems(problems: list[ManifestProblem]) -> None:
    """Print problems to standard error as ``file:line: severity: field: message`` (line 0
    when unknown), the format ``python -m catalog validate`` uses."""
    for problem in problems:
        field = f"{problem.field}: " if problem.field else ""
        print(f"{problem.file}:{problem.line or 0}: {problem.severity}: {field}"
              f"{problem.message}", file=sys.stderr)
