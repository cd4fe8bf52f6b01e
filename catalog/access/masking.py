"""Column masking: what a principal without rights to sensitive columns sees instead of them.

Which properties are sensitive is decided in one place,
:func:`catalog.quality.derive.sensitive_columns`: an ODCS property whose ``classification`` is
``restricted`` or ``confidential`` (also ``secret``/``sensitive``), or that is marked as
personal data with ``customProperties: [{property: pii, value: true}]`` (ODCS v3.1 §schema,
``classification``; the PII flag convention of README.md). This module only
applies that rule.

Masking follows the practice of OWASP (Logging and Data Protection cheat sheets: never send a
protected value to a client that may not see it, rather than hiding it in the client) and of
OpenMetadata's column masking (a masked column keeps its name and place; every cell shows the
same mask):

* a masked column keeps its name and its position, and every cell, NULL included, shows
  :data:`MASK`; so the mask reveals nothing, not even whether a value exists (a NULL that stays
  NULL would tell who has, say, no loyalty number);
* the engine never reads a masked column for previews and extracts: it selects the literal
  :data:`MASK` under the column's name (:func:`masked_select`, :func:`mask_expression`), so no
  masked value leaves DuckDB; a row filter on a masked column is refused
  (:func:`refuse_masked_filters`), as counting filtered rows would reveal the values;
* quality results are stored once per run and shown to everybody, so the runner never stores a
  sensitive column in a failing-row sample and passes error messages of tables with sensitive
  columns through :func:`mask_message`; :func:`mask_sample` and :func:`mask_message` let a
  caller apply the same rule again at display time.

Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from catalog.errors import InvalidRequest
from catalog.sql import quote_identifier, quote_literal

if TYPE_CHECKING:  # pandas costs 0.15-0.35 s to import; the mesh's ODCS models ~0.15 s
    import pandas as pd

    from catalog.engine import Column
    from catalog.extracts import RowFilter
    from catalog.mesh import OutputPortView

MASK = "••••"
"""What a masked cell shows, whatever the column's type or value (NULL included)."""

_DATA_ERROR = re.compile(
    r"\b(Conversion|Out of Range|Invalid Input|Constraint|Mismatch Type|Invalid Type|"
    r"Type Mismatch|Serialization|Invalid Configuration) Error:.*",
    re.DOTALL,
)
"""DuckDB error kinds whose text may quote data values (a string that does not convert, a
number out of range); :func:`mask_message` keeps only their kind."""


def _object_name(port: OutputPortView, object_name: str | None) -> str:
    """``object_name``, or the first schema object's name in the raw contract."""
    if object_name:
        return object_name
    for obj in port.raw_contract.get("schema") or []:
        if isinstance(obj, dict):
            return str(obj.get("name") or "")
    return ""


def sensitive_properties(port: OutputPortView, object_name: str | None = None) -> list[str]:
    """The sensitive columns of a port's table, in schema order.

    Sensitive as defined by :func:`catalog.quality.derive.sensitive_columns` (ODCS v3.1
    §schema ``classification`` restricted/confidential/secret/sensitive, or the ``pii``
    custom property set to true).

    Args:
        port: the output port (its raw contract is read; no pydantic model is built).
        object_name: the schema object (table); the first one when None, which is the table
            the engine previews and extracts.

    Returns:
        Column names as stored (``physicalName`` when set, else ``name``); empty when the port
        has no contract.
    """
    # derive imports the ODCS models (~0.09 s) through catalog.wording; the engine imports
    # this module, so it is imported only when a contract is read.
    from catalog.quality.derive import declared_columns, sensitive_columns

    raw = port.raw_contract
    if not raw:
        return []
    name = _object_name(port, object_name)
    hidden = sensitive_columns(raw, name)
    return [c for c in declared_columns(raw, name) if c in hidden]


def masked_columns(port: OutputPortView, allowed: Iterable[str] | None,
                   object_name: str | None = None) -> list[str]:
    """The sensitive columns of the port a principal sees masked, in schema order.

    Args:
        port: the output port.
        allowed: ``None`` when the principal sees every column (the product's or its domain's
            team, a governance admin); otherwise the sensitive columns the principal's active
            grant names (possibly none).
        object_name: the schema object; the first one when None.

    Returns:
        :func:`sensitive_properties` minus ``allowed``; empty when ``allowed`` is None.
    """
    if allowed is None:
        return []
    opened = set(allowed)
    return [c for c in sensitive_properties(port, object_name) if c not in opened]


def mask_frame(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with every cell of ``columns`` replaced by :data:`MASK`.

    NULLs are masked too (see the module docstring). Masked columns become ``object`` dtype;
    the others, the column order and the index are unchanged. Names not in the frame are
    ignored.

    Use it on data that already left DuckDB (a frame from elsewhere); the engine's own previews
    never read masked columns (:meth:`catalog.engine.Engine.preview` with ``masked``).
    """
    import pandas as pd

    out = frame.copy()
    for name in dict.fromkeys(columns):
        if name in out.columns:
            out[name] = pd.Series([MASK] * len(out), index=out.index, dtype=object)
    return out


def mask_expression(name: str, alias: str | None = None) -> str:
    """SELECT-list item that stands for a masked column: ``CAST('••••' AS VARCHAR) AS "name"``.

    The column itself is not read, so its values never leave DuckDB.

    Args:
        name: the column's real name.
        alias: the output name (e.g. a formula-guarded CSV header); ``name`` when None.
    """
    return f"CAST({quote_literal(MASK)} AS VARCHAR) AS {quote_identifier(alias or name)}"


def masked_select(columns: Sequence[Column], masked: Iterable[str]) -> list[str]:
    """SELECT-list items for ``columns`` in their order, masked ones as the literal mask.

    Args:
        columns: the table's columns as the engine reports them.
        masked: names of the columns to mask.

    Returns:
        One item per column: ``"name"`` or :func:`mask_expression`.
    """
    hidden = set(masked)
    return [mask_expression(c.name) if c.name in hidden else quote_identifier(c.name)
            for c in columns]


def refuse_masked_filters(filters: Iterable[RowFilter], masked: Iterable[str]) -> None:
    """Refuse row filters on masked columns: the filtered rows (or their count) would reveal
    the values, one question at a time.

    Raises:
        InvalidRequest: a filter names a masked column.
    """
    hidden = set(masked)
    for flt in filters:
        if flt.column in hidden:
            raise InvalidRequest(f"Cannot filter on '{flt.column}': it is a protected column; "
                                 "ask for access to it.")


def mask_sample(rows: Iterable[dict[str, Any]], masked: Iterable[str]) -> list[dict[str, Any]]:
    """Failing-row sample rows with the masked columns' values replaced by :data:`MASK`.

    Stored samples never hold sensitive columns (:mod:`catalog.quality.runner`); this is the
    same rule applied again where samples are shown. Keys and their order are kept.
    """
    hidden = set(masked)
    return [{k: (MASK if k in hidden else v) for k, v in row.items()} for row in rows]


def _spellings(value: Any) -> list[str]:
    """How a value may appear in a message: its text, its ``repr``, a time to the minute."""
    if value is None or isinstance(value, bool):
        return []
    forms = [value.isoformat() if hasattr(value, "isoformat") else str(value), str(value),
             repr(value)]
    if hasattr(value, "hour"):  # a date and time, as quality messages write it
        forms.append(value.strftime("%Y-%m-%d %H:%M"))
    return [s for s in dict.fromkeys(forms) if s.strip()]


def mask_message(text: str, values: Iterable[Any] = ()) -> str:
    """A quality or error message that shows none of ``values`` and no quoted data.

    Every occurrence of one of ``values`` (as text or as Python ``repr``; longest first)
    becomes :data:`MASK`, and a DuckDB error of a kind that quotes data (conversion, out of
    range, invalid input, …) keeps only its kind: ``Conversion Error: ••••``.

    Args:
        text: the message.
        values: values that must not appear (e.g. what a rule's query returned).

    Returns:
        The message, masked.
    """
    spellings = sorted({s for v in values for s in _spellings(v)}, key=len, reverse=True)
    for spelling in spellings:
        text = text.replace(spelling, MASK)
    return _DATA_ERROR.sub(lambda m: f"{m.group(1)} Error: {MASK}", text)
