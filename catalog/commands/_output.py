"""Printing results of the access, token and registration commands (not a command).

``--json`` output is one JSON document on standard output: result dataclasses become objects,
times ISO 8601 strings, tuples and sets arrays. Tables are plain aligned text for people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (dicts, lists, strings, numbers, booleans, None).

    Args:
        value: a result: dataclasses, pydantic models, mappings, sequences, times, paths, enums
            and scalars, nested in any way.

    Returns:
        The same data built from JSON types only.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return plain(value.model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def print_json(value: Any) -> None:
    """Print ``value`` (see :func:`plain`) as one indented JSON document on standard output."""
    json.dump(plain(value), sys.stdout, indent=2, ensure_ascii=False)
    print()


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> None:
    """Print rows as aligned columns on standard output, or ``empty`` on standard error.

    Args:
        headers: column titles.
        rows: one sequence of cells per row (``None`` shows as ``-``).
        empty: what to say when there is no row.
    """
    if not rows:
        print(empty, file=sys.stderr)
        return
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    """One table cell on one line (control characters of user text shown as spaces)."""
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, tuple)):
        return one_line(", ".join(str(v) for v in value)) or "-"
    return one_line(str(value))


def one_line(text: str) -> str:
    """``text`` safe to print in a terminal line: control characters (escape sequences, line
    breaks) of names and texts people typed become spaces."""
    return "".join(c if c.isprintable() else " " for c in text)


def day(moment: dt.datetime | None, none: str = "permanent") -> str:
    """A time as a date (``2026-03-01``); ``none`` when there is no time."""
    return moment.strftime("%Y-%m-%d") if moment else none


def duration(days: int | None) -> str:
    """``30 days``, ``1 day`` or ``permanent``."""
    if days is None:
        return "permanent"
    return f"{days} day{'' if days == 1 else 's'}"
