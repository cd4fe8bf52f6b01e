"""Rows for the portal's tables (schema, quality rules, servers, team); no Streamlit here.

Each function takes catalog objects and returns plain dicts whose keys are the column labels a
reader sees, so the components only choose how to display them.
"""

from __future__ import annotations

from typing import Any

from open_data_contract_standard.model import OpenDataContractStandard

from catalog import OutputPortView, Team, quality_lines
from portal.safe_text import safe_url

SCHEMA_COLUMNS = ("Property", "Business name", "Required", "Unique", "Key", "Personal data",
                  "Classification", "Type", "Description")
"""Column labels of :func:`schema_rows`, in display order: the flags a reader decides on come
right after the name (never off-screen to the right), the long description last."""


def _business_names(port: OutputPortView) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for obj in port.schema_objects():
        for prop in obj.properties or []:
            if prop.businessName:
                names[(obj.name or "", prop.name or "")] = prop.businessName
    return names


def _type_text(logical: str | None, physical: str | None) -> str:
    if logical and physical:
        return f"{logical} ({physical})"
    return logical or physical or ""


def schema_rows(port: OutputPortView, object_name: str | None = None) -> list[dict[str, Any]]:
    """One row per property of the port's contract (optionally of one schema object).

    Args:
        port: an output port; no contract gives no rows.
        object_name: keep only this schema object's properties when given.

    Returns:
        Dicts keyed by :data:`SCHEMA_COLUMNS`; booleans for Required, Unique, Key, Personal data.
    """
    business = _business_names(port)
    rows = []
    for prop in port.properties():
        if object_name is not None and prop.object_name != object_name:
            continue
        rows.append({
            "Property": prop.name,
            "Business name": business.get((prop.object_name, prop.name), ""),
            "Type": _type_text(prop.logical_type, prop.physical_type),
            "Description": prop.description or "",
            "Required": prop.required,
            "Unique": prop.unique,
            "Key": prop.primary_key,
            "Classification": prop.classification or "unclassified",
            "Personal data": prop.pii,
        })
    return rows


def quality_rows(contract: OpenDataContractStandard | None) -> list[dict[str, str]]:
    """:func:`quality_lines` as table rows: Rule, Why, Applies to, Dimension, Severity, Id."""
    return [
        {"Rule": line.sentence, "Why": line.detail, "Applies to": line.applies_to,
         "Dimension": line.dimension, "Severity": line.severity, "Id": line.rule_id}
        for line in quality_lines(contract)
    ]


_LOCATION_FIELDS = ("host", "port", "account", "project", "catalog", "database", "dataset",
                    "schema_", "location", "path")


def server_rows(contract: OpenDataContractStandard | None) -> list[dict[str, str]]:
    """Where the data lives: one row per ODCS server (Server, Type, Environment, Location)."""
    if contract is None:
        return []
    rows = []
    for server in contract.servers or []:
        parts = [str(getattr(server, f)) for f in _LOCATION_FIELDS if getattr(server, f, None)]
        rows.append({
            "Server": server.server or "",
            "Type": server.type or "",
            "Environment": server.environment or "",
            "Location": " / ".join(parts),
            "Description": server.description or "",
        })
    return rows


EMPTY_CELL = "–"
"""What a table cell without a value shows (a data grid would otherwise write "None")."""
ROW_HEIGHT = 35
"""Pixels per row of ``st.dataframe`` (and of its header)."""
WRAP_ROW_HEIGHT = 66
"""Row height that lets long text wrap over two lines (a data grid wraps text only in rows
taller than 64 px)."""


def table_height(rows: int, max_rows: int = 40, row_height: int | None = None) -> int:
    """Pixel height of ``st.dataframe`` showing ``rows`` rows (up to ``max_rows``) without
    scrolling: ``row_height`` (35 px by default) per row plus a 35 px header."""
    return (row_height or ROW_HEIGHT) * min(max(rows, 1), max_rows) + ROW_HEIGHT + 3


def cell_text(value: Any) -> str:
    """A value as a table cell shows it to a reader: ``""`` for None, items of a list or set
    joined by ", " (never ``['a', 'b']``), ``a 1, b 2`` for a mapping, else its text."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k} {cell_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(cell_text(v) for v in items)
    return str(value)


def member_rows(team: Team | None) -> list[dict[str, str | None]]:
    """Team members as rows: Name, Role, Contact.

    Contact is a mailto link when the user name is an e-mail address (checked with
    :func:`portal.safe_text.safe_url`), else None: a user name is never used as a link.
    """
    rows: list[dict[str, str | None]] = []
    for member in team.members if team else []:
        contact = (member.username or "").strip()
        if "@" in contact and not contact.lower().startswith("mailto:"):
            contact = f"mailto:{contact}"
        rows.append({"Name": member.name or member.username, "Role": member.role or "",
                     "Contact": safe_url(contact) if "@" in contact else None})
    return rows
