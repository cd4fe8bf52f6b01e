"""Generate a product's ``product.odps.yaml`` and ``<port>.odcs.yaml`` from the wizard's form.

The documents follow the demo mesh's conventions (``domains/``): ODPS ``apiVersion: v1.1.0``
with the human title in ``customProperties`` (``title``), the owning team and support
channels, one output port of type ``tables`` whose ``contractId`` is
``<domain>.<name>.<port>``, and for a derived product one input port per product its query
reads; ODCS ``apiVersion: v3.1.0`` with one schema object named
after the port, a ``type: local`` server reading ``format: parquet`` from a ``path`` relative
to the data folder, property flags, PII as ``customProperties: [{property: pii, value:
true}]``, quality rules, SLA properties, and the owner as a custom property.

Both documents go through the loader's own validation (:func:`parse_document`: JSON Schema of
the standard, then the pydantic models), so the form and ``python -m catalog validate`` never
disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from catalog.manifests.documents import parse_document
from catalog.mesh import ManifestProblem
from catalog.quality.derive import SNAPSHOT_PROPERTY
from catalog.registration import rules as rule_mod
from catalog.registration import sla
from catalog.registration.forms import RegistrationForm
from catalog.registration.sources import PRODUCTS_FOLDER, InputRef

ODPS_API_VERSION = "v1.1.0"
ODCS_API_VERSION = "v3.1.0"
PRODUCT_FILE = "product.odps.yaml"
BUILD_FILE = "build.sql"
"""A derived product's query, kept beside its manifests as its build code."""


def data_path(domain: str, name: str, version: str) -> str:
    """Where a version's data lives, relative to the data folder:
    ``products/<domain>/<name>/<version>.parquet``."""
    return f"{PRODUCTS_FOLDER}/{domain}/{name}/{version}.parquet"


def contract_file(form: RegistrationForm) -> str:
    """File name of the output port's contract: ``<port>.odcs.yaml``."""
    return f"{form.port}.odcs.yaml"


def contract_id(form: RegistrationForm) -> str:
    """The contract id: ``<domain>.<name>.<port>`` (the demo mesh's convention), or the
    published contract's own id for a new version (ids never change)."""
    return str(form.carried_odcs.get("id") or f"{form.product_id}.{form.port}")


def _support(url: str, channel: str) -> dict[str, Any]:
    low = url.lower()
    tool = "email" if low.startswith("mailto:") else next(
        (t for t in ("slack", "teams", "discord", "jira") if t in low), "other")
    return {"channel": channel, "url": url, "tool": tool, "scope": "interactive"}


def _description(form: RegistrationForm) -> dict[str, str]:
    b = form.basics
    out = {"purpose": b.purpose.strip(), "usage": b.usage.strip()}
    if b.limitations.strip():
        out["limitations"] = b.limitations.strip()
    return out


def build_odps(form: RegistrationForm, inputs: tuple[InputRef, ...] = ()) -> dict[str, Any]:
    """The ODPS v1.1.0 product document (``product.odps.yaml``) as a dict.

    Args:
        form: the completed form.
        inputs: upstream products of a derived product (become ``inputPorts``).

    Returns:
        The document; ``type`` is ``aggregate`` when there are inputs, else the form's
        product type; ``status`` is ``proposed``.
    """
    b = form.basics
    members = [{"username": b.owner.strip(), "name": b.owner_name.strip() or b.owner.strip(),
                "role": "owner"}]
    members += [{"username": m.strip(), "role": "team member"} for m in b.members
                if m.strip() and m.strip() != b.owner.strip()]
    doc: dict[str, Any] = {
        "apiVersion": ODPS_API_VERSION, "kind": "DataProduct", "id": form.product_id,
        "name": b.name, "version": form.version, "status": form.status, "domain": b.domain,
        "type": "aggregate" if inputs else b.product_type,
        "tags": [t.strip() for t in b.tags if t.strip()],
        "description": _description(form),
        "team": {"name": b.team_name.strip(), "members": members},
        "support": [_support(b.support_url.strip(), b.support_channel.strip())],
    }
    if not doc["tags"]:
        del doc["tags"]
    if inputs:
        doc["inputPorts"] = [{"name": i.product_id, "version": i.version,
                              "contractId": i.contract_id} for i in inputs]
    doc["outputPorts"] = [{
        "name": form.port, "type": "tables", "version": form.version,
        "description": f"Table of {b.title.strip() or b.name}.",
        "contractId": contract_id(form),
    }]
    doc["customProperties"] = [{"property": "title", "value": b.title.strip()}]
    return _carry(doc, form.carried_odps)


def _carry(doc: dict[str, Any], carried: dict[str, Any]) -> dict[str, Any]:
    """Add published fields the form does not edit; custom properties are merged by name."""
    for key, value in carried.items():
        if key == "customProperties":
            have = {c.get("property") for c in doc.get(key, [])}
            doc.setdefault(key, []).extend(c for c in value if c.get("property") not in have)
        elif key not in doc:
            doc[key] = value
    return doc


def _example(value: str, logical: str) -> Any:
    try:
        if logical == "integer":
            return int(value)
        if logical == "number":
            return float(value)
    except ValueError:
        pass
    return value


def _properties(form: RegistrationForm) -> list[dict[str, Any]]:
    by_column: dict[str | None, list[dict[str, Any]]] = {}
    logical = {p.name: p.logical_type for p in form.properties}
    for rule in form.rules:
        if rule.enabled:
            by_column.setdefault(rule.property, []).append(
                rule_mod.to_odcs(rule, logical.get(rule.property or "")))
    out = []
    keys = [p for p in form.properties if p.primary_key]
    for prop in form.properties:
        entry: dict[str, Any] = {"name": prop.name, **prop.carried,
                                 "logicalType": prop.logical_type,
                                 "physicalType": prop.physical_type}
        if prop.description.strip():
            entry["description"] = prop.description.strip()
        if prop.primary_key:
            entry["primaryKey"] = True
            entry["primaryKeyPosition"] = keys.index(prop) + 1
        if prop.required or prop.primary_key:
            entry["required"] = True
        if prop.unique:
            entry["unique"] = True
        entry["classification"] = prop.classification
        if prop.examples:
            entry["examples"] = [_example(v, prop.logical_type) for v in prop.examples]
        if prop.pii:
            entry["customProperties"] = [{"property": "pii", "value": True}]
        if by_column.get(prop.name):
            entry["quality"] = by_column[prop.name]
        out.append(entry)
    return out


def build_odcs(form: RegistrationForm) -> dict[str, Any]:
    """The ODCS v3.1.0 contract of the output port (``<port>.odcs.yaml``) as a dict.

    Args:
        form: the completed form (its rules must have no :func:`rules.rule_problems`).

    Returns:
        The document, serving ``products/<domain>/<name>/<version>.parquet``.
    """
    b = form.basics
    obj: dict[str, Any] = {
        "name": form.port, "physicalName": form.port, "physicalType": "table",
        "businessName": b.title.strip(), "description": b.purpose.strip(),
        "properties": _properties(form),
    }
    table_rules = [rule_mod.to_odcs(r) for r in form.rules
                   if r.enabled and r.property is None]
    if table_rules:
        obj["quality"] = table_rules
    element = f"{form.port}.{form.sla.freshness_column}" if form.sla.freshness_column else None
    sla_props = [dict(p) for p in form.sla.carried] + sla.sla_properties(form.sla.choices,
                                                                        element)
    doc: dict[str, Any] = {
        "apiVersion": ODCS_API_VERSION, "kind": "DataContract", "id": contract_id(form),
        "name": form.port, "version": form.version, "status": form.status, "domain": b.domain,
        "dataProduct": b.name, "description": _description(form),
    }
    if b.tags:
        doc["tags"] = [t.strip() for t in b.tags if t.strip()]
    doc["servers"] = [{"server": "local", "type": "local", "format": "parquet",
                       "path": data_path(b.domain, b.name, form.version)}]
    doc["schema"] = [obj]
    if sla_props:
        doc["slaProperties"] = sla_props
    doc["support"] = [_support(b.support_url.strip(), b.support_channel.strip())]
    doc["customProperties"] = [*_snapshot(form),
                               {"property": "owner", "value": b.owner.strip()}]
    return _carry(doc, form.carried_odcs)


def _snapshot(form: RegistrationForm) -> list[dict[str, Any]]:
    """The ``historicalSnapshot`` custom property of data that is not updated any more (its
    ages are then measured at the last day it covers; :data:`sla.SNAPSHOT`); empty otherwise.
    A new version without a day of its own keeps the published one (carried)."""
    if form.sla.choices.get("freshness", sla.DEFAULTS["freshness"]) != sla.SNAPSHOT:
        return []
    carried = any(c.get("property") == SNAPSHOT_PROPERTY
                  for c in form.carried_odcs.get("customProperties") or [])
    day = form.sla.snapshot_end or (None if carried else dt.date.today().isoformat())
    if day is None:
        return []
    return [{"property": SNAPSHOT_PROPERTY, "value": day,
             "description": f"Not updated any more: the data ends on {day}, so the ages of "
                            "its records are measured at that day"}]


def to_yaml(document: dict[str, Any]) -> str:
    """YAML text of a document: keys in the order built, Unicode kept, block style."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)


def validate(odps_text: str, odcs_text: str, form: RegistrationForm) -> list[ManifestProblem]:
    """Problems the loader would report for the generated files (errors and warnings).

    Runs the same :func:`catalog.manifests.documents.parse_document` as ``python -m catalog
    validate`` (JSON Schema, then pydantic models, strict for the contract).

    Returns:
        Problems naming ``<domain>/<name>/<file>``, line and field; empty when both are valid.
    """
    folder = f"{form.basics.domain}/{form.basics.name}"
    problems = parse_document(odps_text.encode("utf-8"), f"{folder}/{PRODUCT_FILE}",
                              "odps").problems
    problems += parse_document(odcs_text.encode("utf-8"), f"{folder}/{contract_file(form)}",
                               "odcs", strict=True).problems
    return list(problems)

