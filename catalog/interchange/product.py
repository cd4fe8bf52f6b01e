"""ODPS documents in and out of the mesh: the mesh's product id, and a product built around a
bare contract.

Identity. The mesh names a product ``<domain>.<folder>`` and the loader requires the ODPS
``id`` to say so (README "Manifest conventions"). A product imported with another id (ODPS
allows any, e.g. a UUID) is stored with the mesh id, and its own id is kept in the custom
property ``importedId`` (ODPS ``customProperties``, "what the standard has no field for");
export puts it back, so the exported document equals the imported one key for key.

A product around a bare contract. ODCS describes one output port's contract; a product needs
an ODPS document too. :func:`product_around` derives it from the contract(s): id, name,
domain, version and status, tags, description (purpose, usage, limitations), team (ODPS v1
object shape), support channels that have a URL (ODPS requires ``url``), and one output port
per contract (``contractId``). Nested keys are copied only where the vendored ODPS v1.1 JSON
Schema has them, so the result always validates.
"""

from __future__ import annotations

from typing import Any

from catalog.manifests import schemas

ODPS_API_VERSION = "v1.1.0"
"""ODPS version written for products built here (the vendored schema's version)."""

IMPORTED_ID = "importedId"
"""Custom property holding an imported product's own id when the mesh had to change it."""

TITLE = "title"
"""Custom property holding a product's display title (as the registration wizard writes it):
for a product around a contract whose name is free text, that name as written."""


def _allowed(definition: str) -> set[str]:
    """Keys the vendored ODPS schema allows in ``$defs/<definition>``."""
    return set(schemas.odps_schema()["$defs"][definition]["properties"])


def _only(item: Any, definition: str) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    allowed = _allowed(definition)
    return {k: v for k, v in item.items() if k in allowed}


def with_mesh_id(document: dict[str, Any], product_id: str) -> dict[str, Any]:
    """The ODPS document as the mesh stores it: ``id`` is ``product_id``.

    Args:
        document: a validated ODPS document.
        product_id: ``<domain>.<folder>``.

    Returns:
        ``document`` itself when its id is already ``product_id``; else a copy (same key
        order) with ``id`` replaced and ``{property: importedId, value: <old id>}`` appended to
        ``customProperties``.
    """
    if document.get("id") == product_id:
        return document
    out = {k: (product_id if k == "id" else v) for k, v in document.items()}
    custom = list(out.get("customProperties") or [])
    custom.append({"property": IMPORTED_ID, "value": document.get("id")})
    out["customProperties"] = custom
    return out


def with_original_id(document: dict[str, Any]) -> dict[str, Any]:
    """Undo :func:`with_mesh_id`: the document with its imported id back (itself when it has
    no ``importedId``). A ``customProperties`` list left empty is dropped, as it was absent
    before import."""
    custom = document.get("customProperties") or []
    entry = next((c for c in reversed(custom)  # the last one: the mesh appended it
                  if isinstance(c, dict) and c.get("property") == IMPORTED_ID), None)
    if entry is None:
        return document
    rest = [c for c in custom if c is not entry]
    out = {}
    for key, value in document.items():
        if key == "id":
            out[key] = entry.get("value")
        elif key == "customProperties":
            if rest:
                out[key] = rest
        else:
            out[key] = value
    return out


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _team(team: Any) -> dict[str, Any] | None:
    """An ODCS team (v3.0 list of members or v3.1 object) as an ODPS v1 team object."""
    if isinstance(team, list):
        team = {"members": team}
    shaped = _only(team, "Team")
    if not shaped:
        return None
    members = [m for m in (_only(m, "TeamMember") for m in shaped.get("members") or [])
               if m and m.get("username")]
    if "members" in shaped:
        shaped["members"] = members
    return shaped


def _support(channels: Any) -> list[dict[str, Any]]:
    out = []
    for channel in channels or []:
        shaped = _only(channel, "Support")
        if shaped and shaped.get("channel") and shaped.get("url"):
            out.append(shaped)
    return out


def product_around(contracts: list[tuple[str, dict[str, Any]]], domain: str, name: str,
                   title: str | None = None) -> dict[str, Any]:
    """An ODPS v1.1 document for a product made of bare ODCS contracts.

    Args:
        contracts: ``(port name, contract document)`` per output port, in order; the first
            contract gives the product's version, status, tags, description, team and support.
        domain: the owning domain (a mesh name).
        name: the product's folder name (a mesh name).
        title: the free text ``name`` was made from, kept as the custom property
            :data:`TITLE` (``None``: no title).

    Returns:
        The ODPS document (valid against the vendored schema).
    """
    first = contracts[0][1]
    doc: dict[str, Any] = {"apiVersion": ODPS_API_VERSION, "kind": "DataProduct",
                           "id": f"{domain}.{name}", "name": name}
    for key in ("version", "status"):
        if isinstance(first.get(key), str):
            doc[key] = first[key]
    doc["domain"] = domain
    tags = [t for t in first.get("tags") or [] if isinstance(t, str)]
    if tags:
        doc["tags"] = tags
    description = {k: v for k, v in _mapping(first.get("description")).items()
                   if k in ("purpose", "usage", "limitations") and isinstance(v, str)}
    if description:
        doc["description"] = description
    team = _team(first.get("team"))
    if team:
        doc["team"] = team
    support = _support(first.get("support"))
    if support:
        doc["support"] = support
    ports = []
    for port, contract in contracts:
        entry: dict[str, Any] = {"name": port}
        purpose = _mapping(contract.get("description")).get("purpose")
        if isinstance(purpose, str):
            entry["description"] = purpose
        if isinstance(contract.get("version"), str):
            entry["version"] = contract["version"]
        entry["contractId"] = str(contract.get("id"))
        ports.append(entry)
    doc["outputPorts"] = ports
    if title:
        doc["customProperties"] = [{"property": TITLE, "value": title}]
    return doc
