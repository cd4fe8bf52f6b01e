"""Load one manifest file into a model, or into problems naming file, line and field.

Three kinds of file: ``domain.yaml`` (our domain format), ``product.odps.yaml`` (ODPS) and
``*.odcs.yaml`` (ODCS v3). Each goes through: UTF-8 decode → YAML parse → JSON-Schema check
(ODPS/ODCS) → pydantic model. Results are cached by (path, size, mtime) so an unchanged mesh
reloads without parsing anything.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from open_data_contract_standard.model import OpenDataContractStandard
from pydantic import BaseModel, ValidationError

from catalog.manifests import schemas
from catalog.manifests.yaml_source import (
    YamlProblem,
    decode,
    format_path,
    locate,
    parse_mapping,
    refine_path,
)
from catalog.mesh import ManifestProblem
from catalog.models.domain import DomainDocument
from catalog.models.odps import DataProductDocument

ODCS_READ_VERSIONS = ("v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0", "v3.2.0")
"""ODCS versions the portal reads (ARCHITECTURE.md decision 1)."""

_MODELS: dict[str, type[BaseModel]] = {
    "domain": DomainDocument,
    "odps": DataProductDocument,
    "odcs": OpenDataContractStandard,
}


@dataclass
class LoadedDocument:
    """The outcome of loading one file: a model, or ``None`` and the reasons."""

    kind: str
    model: Any | None
    problems: list[ManifestProblem] = field(default_factory=list)
    raw: dict[str, Any] | None = None
    path: Path | None = None


class LazyContract:
    """An ODCS document that passed the JSON Schema; its pydantic model is built on first use.

    Building the ODCS pydantic model is about a third of a cold load and the JSON Schema is the
    stricter layer (the models drop unknown nested keys), so the model waits until a page, the
    engine or ``validate --strict`` needs it. The raw document serves listing and search.

    Attributes:
        raw: the parsed, schema-valid document.
        id: the contract id.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.id = str(raw.get("id", ""))
        self._model: OpenDataContractStandard | None = None

    def model(self) -> OpenDataContractStandard:
        """The pydantic model (built once).

        Raises:
            pydantic.ValidationError: the document breaks the pydantic models.
        """
        if self._model is None:
            self._model = OpenDataContractStandard.model_validate(self.raw)
        return self._model


_cache: dict[str, tuple[int, int, LoadedDocument]] = {}
_cache_lock = threading.Lock()


def kind_of(path: Path) -> str | None:
    """``domain``, ``odps`` or ``odcs`` from the file name, ``None`` for other files."""
    name = path.name
    if name == "domain.yaml":
        return "domain"
    if name.endswith(".odps.yaml"):
        return "odps"
    if name.endswith(".odcs.yaml"):
        return "odcs"
    return None


def load_document(path: Path, display_name: str, kind: str) -> LoadedDocument:
    """Load ``path`` as a ``kind`` document, reusing the cached result if the file is unchanged.

    Args:
        path: the file.
        display_name: how problems name the file (relative to the mesh root).
        kind: ``domain``, ``odps`` or ``odcs``.

    Returns:
        The document; on failure ``model`` is None and ``problems`` says why (never raises for
        bad content; an unreadable file is a problem too).
    """
    try:
        st = os.stat(path)
    except OSError as err:
        return LoadedDocument(kind, None, [ManifestProblem(display_name, None, "", str(err))])
    key = str(path)
    with _cache_lock:
        hit = _cache.get(key)
    if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
        return hit[2]
    try:
        raw = path.read_bytes()
    except OSError as err:
        return LoadedDocument(kind, None, [ManifestProblem(display_name, None, "", str(err))])
    doc = parse_document(raw, display_name, kind)
    doc.path = path
    with _cache_lock:
        _cache[key] = (st.st_size, st.st_mtime_ns, doc)
    return doc


def parse_document(raw: bytes, display_name: str, kind: str, strict: bool = False
                   ) -> LoadedDocument:
    """Parse and validate manifest bytes (no cache, no file system).

    ODCS documents come back as a :class:`LazyContract`; with ``strict`` its pydantic model
    is built at once and a failure is reported as problems.

    Returns:
        A :class:`LoadedDocument`; ``problems`` holds errors (model is None) and warnings.
    """
    try:
        text = decode(raw)
        data = parse_mapping(text)
    except YamlProblem as err:
        problem = ManifestProblem(display_name, err.line, "", err.message)
        return LoadedDocument(kind, None, [problem])
    problems = _schema_problems(kind, data, text, display_name)
    if problems:
        return LoadedDocument(kind, None, problems, data)
    warnings = _version_warnings(kind, data, text, display_name)
    if kind == "odcs":
        contract = LazyContract(data)
        if strict:
            try:
                contract.model()
            except ValidationError as err:
                return LoadedDocument(kind, None, pydantic_problems(err, text, display_name), data)
        return LoadedDocument(kind, contract, warnings, data)
    try:
        model = _MODELS[kind].model_validate(data)
    except ValidationError as err:
        return LoadedDocument(kind, None, pydantic_problems(err, text, display_name), data)
    return LoadedDocument(kind, model, warnings, data)


def _schema_problems(
    kind: str, data: dict[str, Any], text: str, display_name: str
) -> list[ManifestProblem]:
    if kind == "domain":
        return []
    out = []
    for violation in schemas.validate(kind, data):
        path = refine_path(violation.path, violation.message)
        out.append(
            ManifestProblem(display_name, locate(text, path), format_path(path), violation.message)
        )
    return out


def pydantic_problems(err: ValidationError, text: str, display_name: str) -> list[ManifestProblem]:
    """Problems (with lines) for a pydantic validation error of the document ``text``."""
    out = []
    for item in err.errors()[:20]:
        path = [p for p in item["loc"] if isinstance(p, (str, int))]
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field; check its spelling against the documented fields"
        out.append(ManifestProblem(display_name, locate(text, path), format_path(path), message))
    return out


def _version_warnings(
    kind: str, data: dict[str, Any], text: str, display_name: str
) -> list[ManifestProblem]:
    if kind != "odcs" or data.get("apiVersion") in ODCS_READ_VERSIONS:
        return []
    return [
        ManifestProblem(
            display_name,
            locate(text, ["apiVersion"]),
            "apiVersion",
            f"ODCS {data.get('apiVersion')} is outside the versions read here "
            f"({', '.join(ODCS_READ_VERSIONS)}); loaded with the v3 schema, check the result",
            severity="warning",
        )
    ]
