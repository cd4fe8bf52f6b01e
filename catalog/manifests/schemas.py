"""JSON-Schema validators of the standards (the first of two validation layers).

- ODCS v3: each document is checked against the JSON Schema of its own ``apiVersion``: Bitol's
  official schemas for v3.0.0, v3.0.1, v3.0.2, v3.1.0 and v3.2.0, vendored in ``schemas/``
  (source, tag and commit of each in ``schemas/SOURCE.md``). A v3.2.x patch version is checked
  with the v3.2.0 schema; any other version is refused with the supported ones named.
- ODPS v1.x: vendored ``schemas/odps-1.1.0.schema.json``.

Each schema is read and compiled once per process, on first use (:func:`functools.cache`).
Validation uses ``jsonschema-rs`` (Draft 2019-09, the ``$schema`` of every vendored file):
about 0.05 ms a document against 8 ms for the pure-Python ``jsonschema``, with the same
verdicts on the shared positive and negative examples.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

_VENDORED = Path(__file__).parent / "schemas"

ODCS_VERSIONS: tuple[str, ...] = ("v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0", "v3.2.0")
"""ODCS ``apiVersion`` values with a vendored schema, oldest first."""

ODCS_LATEST = ODCS_VERSIONS[-1]
"""The newest ODCS version read (and the schema for a document without ``apiVersion``)."""

_PATCH_OF_LATEST = re.compile(r"^v3\.2\.(?:0|[1-9][0-9]*)$")
"""ODCS v3.2.x: patch versions of v3.2.0 are checked with its schema (semantic versioning: a
patch release adds no field)."""

SUPPORTED_ODCS = ", ".join(ODCS_VERSIONS) + " (and v3.2.x patch versions)"
"""The supported ODCS versions as messages name them."""


@dataclass(frozen=True)
class SchemaViolation:
    """One JSON-Schema error: where (JSON path) and what."""

    path: list[str | int]
    message: str


def odcs_schema_version(api_version: object) -> str | None:
    """The vendored ODCS schema that checks a document declaring ``api_version``.

    Args:
        api_version: the document's ``apiVersion`` value (any type, as parsed).

    Returns:
        ``api_version`` itself when it is one of :data:`ODCS_VERSIONS`, ``"v3.2.0"`` for a
        v3.2.x patch version, ``None`` for anything else (unsupported).
    """
    if not isinstance(api_version, str):
        return None
    if api_version in ODCS_VERSIONS:
        return api_version
    return ODCS_LATEST if _PATCH_OF_LATEST.match(api_version) else None


@cache
def odcs_schema(version: str = ODCS_LATEST) -> dict[str, Any]:
    """The vendored ODCS JSON Schema of one version, as a dict (read once).

    Args:
        version: one of :data:`ODCS_VERSIONS`.

    Returns:
        The schema.

    Raises:
        ValueError: ``version`` has no vendored schema.
    """
    if version not in ODCS_VERSIONS:
        raise ValueError(f"no ODCS schema for {version!r}; supported: {SUPPORTED_ODCS}")
    path = _VENDORED / f"odcs-json-schema-{version}.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def odps_schema() -> dict[str, Any]:
    """The vendored ODPS v1.1.0 JSON Schema as a dict (read once)."""
    schema: dict[str, Any] = json.loads(
        (_VENDORED / "odps-1.1.0.schema.json").read_text(encoding="utf-8"))
    return schema


@cache
def _odcs_validator(version: str) -> jsonschema_rs.Draft201909Validator:
    return jsonschema_rs.Draft201909Validator(odcs_schema(version))


@cache
def _odps_validator() -> jsonschema_rs.Draft201909Validator:
    return jsonschema_rs.Draft201909Validator(odps_schema())


def _message(err: jsonschema_rs.ValidationError) -> str:
    """The validator's message, with an enum's allowed values spelled out in full."""
    options = getattr(err.kind, "options", None)
    if type(err.kind).__name__ == "Enum" and isinstance(options, list):
        return f"{err.instance!r} is not one of {options}"
    return err.message


def _violations(validator: jsonschema_rs.Draft201909Validator, document: dict[str, Any],
                limit: int) -> list[SchemaViolation]:
    """The document's violations; a valid one is settled by ``is_valid`` (about 35% cheaper
    than collecting no errors), the errors are collected only when there are some."""
    if validator.is_valid(document):
        return []
    out: list[SchemaViolation] = []
    for err in validator.iter_errors(document):
        out.append(SchemaViolation(list(err.instance_path), _message(err)))
        if len(out) >= limit:
            break
    return out


def unsupported_odcs_version(api_version: object) -> SchemaViolation:
    """The violation for an ODCS ``apiVersion`` with no schema here (path ``apiVersion``).

    Args:
        api_version: the declared value.

    Returns:
        A violation naming the value and the supported versions.
    """
    return SchemaViolation(
        ["apiVersion"],
        f"ODCS apiVersion {api_version!r} is not supported; use one of {SUPPORTED_ODCS}")


def validate_odcs(document: dict[str, Any], limit: int = 20) -> list[SchemaViolation]:
    """Check an ODCS document against the JSON Schema of its own ``apiVersion``.

    Rules: Bitol's ODCS JSON Schema of the declared version (v3.0.0 to v3.2.0, vendored); a
    v3.2.x patch version with the v3.2.0 schema; a document without ``apiVersion`` with the
    newest schema (which requires the field).

    Args:
        document: the parsed YAML.
        limit: at most this many violations are returned.

    Returns:
        Violations in the order the validator reports them; empty when valid. An unsupported
        ``apiVersion`` is one violation at path ``apiVersion`` (nothing else is checked).

    Raises:
        ValueError: a key of the document is not text (the validator takes text keys only).
    """
    if "apiVersion" not in document:
        return _violations(_odcs_validator(ODCS_LATEST), document, limit)
    declared = document["apiVersion"]
    version = odcs_schema_version(declared)
    if version is None:
        return [unsupported_odcs_version(declared)]
    if version != declared:  # a patch version: its schema's enum names the x.y.0 release
        document = {**document, "apiVersion": version}
    return _violations(_odcs_validator(version), document, limit)


def later_valid_odcs_version(document: dict[str, Any]) -> str | None:
    """The oldest ODCS version after the declared one whose schema accepts ``document``.

    Bitol's own examples at v3.1.0 and later include files that still declare
    ``apiVersion: v3.0.2`` but use v3.1 fields; such a file is read with a warning rather than
    refused (see :mod:`catalog.manifests.documents`).

    Args:
        document: an ODCS document with a supported ``apiVersion``.

    Returns:
        e.g. ``"v3.1.0"``, or ``None`` when no later schema accepts it either.
    """
    version = odcs_schema_version(document.get("apiVersion"))
    if version is None:
        return None
    for later in ODCS_VERSIONS[ODCS_VERSIONS.index(version) + 1:]:
        if _odcs_validator(later).is_valid({**document, "apiVersion": later}):
            return later
    return None


def validate(kind: str, document: dict[str, Any], limit: int = 20) -> list[SchemaViolation]:
    """Check a raw document against the standard's JSON Schema.

    Args:
        kind: ``"odcs"`` for a data contract (the schema of its ``apiVersion``, see
            :func:`validate_odcs`), ``"odps"`` for a data product (ODPS v1.1.0 schema).
        document: the parsed YAML.
        limit: at most this many violations are returned.

    Returns:
        Violations in the order the validator reports them; empty when valid.

    Raises:
        ValueError: a key of the document is not text.
    """
    if kind == "odcs":
        return validate_odcs(document, limit)
    return _violations(_odps_validator(), document, limit)
