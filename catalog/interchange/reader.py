"""Read one ODCS or ODPS file from outside the mesh and validate it like the loader does.

The two validation layers are the loader's own (:func:`catalog.manifests.documents.
parse_document`: JSON Schema, then the pydantic models, strict), so a file the importer
accepts is a file the mesh loads. Every refusal names file, line and field.

One shape is normalised before validation: ODPS v0.9 wrote ``team`` as a list of members;
ODPS v1.0 changed it to an object ``{name, description, members}`` ("Team structure aligned on
ODCS v3.1.0", ODPS changelog v1.0.0) and the vendored v1.1 JSON Schema accepts only the object.
A list is read as ``{members: [...]}``, so both shapes are accepted and the object is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.errors import ManifestError
from catalog.interchange.yaml_writer import dump_yaml
from catalog.manifests.documents import kind_of, parse_document
from catalog.manifests.yaml_source import (
    YamlProblem,
    decode,
    format_path,
    locate,
    parse_mapping,
)
from catalog.mesh import ManifestProblem

KINDS = {"DataContract": "odcs", "DataProduct": "odps"}
"""The ``kind`` field of each standard and the loader's name for it."""


class DocumentRejected(ManifestError):
    """A document failed validation; ``problems`` lists every error (file, line, field).

    Args:
        problems: the errors, at least one; the first also fills ``file``/``line``/``field``.
    """

    def __init__(self, problems: list[ManifestProblem]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.file, first.line, first.field, first.message)
        self.args = ("\n".join(str(p) for p in problems),)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class SourceFile:
    """A validated document read from outside the mesh.

    Attributes:
        path: the file as given.
        kind: ``odcs`` or ``odps``.
        raw: the file's bytes, unchanged.
        document: the parsed document, normalised (ODPS team as an object).
        normalised: True when ``document`` differs from what the file says (then it must be
            written anew rather than copied).
        warnings: problems of severity ``warning`` (e.g. a contract valid only against a
            later ODCS schema than its ``apiVersion``).
        name: how problems name the file (default: ``str(path)``).
    """

    path: Path
    kind: str
    raw: bytes
    document: dict[str, Any]
    normalised: bool = False
    warnings: list[ManifestProblem] = field(default_factory=list)
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            self.name = str(self.path)


def normalise_team(document: dict[str, Any]) -> dict[str, Any]:
    """The ODPS document with a v0.9 list-shaped ``team`` rewritten as ``{members: [...]}``
    (key order kept); the document itself when ``team`` is already an object or absent."""
    team = document.get("team")
    if not isinstance(team, list):
        return document
    return {k: ({"members": team} if k == "team" else v) for k, v in document.items()}


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_REQUIRED = re.compile(r"""^["']([^"']+)["'] is a required property""")


def _parts(field_path: str) -> list[str | int]:
    return [int(m[2]) if m[2] else m[1] for m in _PATH_PART.finditer(field_path)]


def _refine(problem: ManifestProblem, text: str, team_was_list: bool) -> ManifestProblem:
    """Name the missing field of a "required property" error and, when the team was a list,
    point team paths back at the user's own lines."""
    path = _parts(problem.field)
    missing = _REQUIRED.match(problem.message)
    if missing:
        path.append(missing[1])
    if team_was_list and path[:2] == ["team", "members"]:
        path = ["team", *path[2:]]
    line = locate(text, path) if team_was_list or missing else problem.line
    return ManifestProblem(problem.file, line or problem.line, format_path(path),
                           problem.message, problem.severity)


def _kind(path: Path, data: dict[str, Any], text: str, name: str) -> str:
    declared = data.get("kind")
    if declared in KINDS:
        return KINDS[declared]
    by_name = kind_of(path)
    if by_name in ("odcs", "odps") and declared is None:
        return by_name
    raise DocumentRejected([ManifestProblem(
        name, locate(text, ["kind"]), "kind",
        f"kind {declared!r} is neither DataContract (ODCS) nor DataProduct (ODPS)")])


def read_document(path: Path, display_name: str | None = None) -> SourceFile:
    """Read and validate one ODCS v3.0-v3.2 contract or ODPS v0.9-v1.1 product file.

    The kind comes from the document's ``kind`` (``DataContract``/``DataProduct``), else from
    the file name (``*.odcs.yaml``/``*.odps.yaml``). An ODCS document is checked against the
    JSON Schema of its own ``apiVersion`` (:mod:`catalog.manifests.schemas`).

    Args:
        path: the file.
        display_name: how problems name the file (default: ``path`` as given).

    Returns:
        The validated :class:`SourceFile`.

    Raises:
        DocumentRejected: unreadable, not YAML, or invalid; every error with its line and
            field (``file:line: field: message``).
    """
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DocumentRejected([ManifestProblem(name, None, "", err.strerror or str(err))]
                               ) from None
    return read_source(name, raw, path)


def read_source(name: str, raw: bytes, path: Path | None = None) -> SourceFile:
    """Validate one ODCS or ODPS document given as bytes (an upload, a file read elsewhere).

    Args:
        name: the document's file name; problems name it, and its suffix (``.odcs.yaml``,
            ``.odps.yaml``) gives the kind when the document has no ``kind``.
        raw: the document's bytes.
        path: where it was read from, if anywhere (default: ``Path(name)``).

    Returns:
        The validated :class:`SourceFile`.

    Raises:
        DocumentRejected: not UTF-8 YAML, or invalid; every error with its line and field.
    """
    where = path if path is not None else Path(name)
    try:
        text = decode(raw)
        data = parse_mapping(text)
    except YamlProblem as err:
        raise DocumentRejected([ManifestProblem(name, err.line, "", err.message)]) from None
    kind = _kind(where, data, text, name)
    document = normalise_team(data) if kind == "odps" else data
    normalised = document is not data
    loaded = parse_document(dump_yaml(document) if normalised else raw, name, kind, strict=True)
    problems = [_refine(p, text, normalised) for p in loaded.problems]
    errors = list(dict.fromkeys(p for p in problems if p.severity == "error"))
    if errors or loaded.model is None:
        raise DocumentRejected(errors or [ManifestProblem(name, None, "", "invalid document")])
    warnings = [p for p in problems if p.severity != "error"]
    return SourceFile(where, kind, raw, document, normalised, warnings, name)
