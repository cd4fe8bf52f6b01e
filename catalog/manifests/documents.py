"""Load one manifest file into a model, or into problems naming file, line and field.

Three kinds of file: ``domain.yaml`` (our domain format), ``product.odps.yaml`` (ODPS) and
``*.odcs.yaml`` (ODCS v3). Each goes through: a confined read (a regular file inside the mesh
folder, at most :data:`~catalog.manifests.yaml_source.MAX_MANIFEST_BYTES`, see
:mod:`catalog.confine`) → UTF-8 decode → nesting pre-scan and YAML parse → JSON-Schema check
(ODPS/ODCS) → pydantic model. Results are cached by (path, size, mtime) so an unchanged mesh
reloads without parsing anything.

Hostile files (symbolic links out of the mesh, named pipes, huge or deeply nested documents,
alias bombs, odd keys) become problems naming file, line and field; nothing here raises for
content, and a problem never quotes a file from outside the mesh.
"""

from __future__ import annotations

import logging
import marshal
import os
import pickle
import stat
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from open_data_contract_standard.model import OpenDataContractStandard
from pydantic import BaseModel, ValidationError

from catalog.config import Settings
from catalog.confine import PathRefused, read_regular_file
from catalog.manifests import schemas
from catalog.manifests.line_index import LineIndex
from catalog.manifests.yaml_source import (
    LARGE_TEXT_CHARS,
    MAX_MANIFEST_BYTES,
    Locator,
    YamlProblem,
    decode,
    format_path,
    parse_mapping,
    refine_path,
)
from catalog.mesh import ManifestProblem
from catalog.models.domain import DomainDocument
from catalog.models.odps import DataProductDocument

logger = logging.getLogger(__name__)

ODCS_READ_VERSIONS = schemas.ODCS_VERSIONS
"""ODCS versions the portal reads, each checked with its own JSON Schema (plus v3.2.x patch
versions, checked with the v3.2.0 schema)."""

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

    __slots__ = ("id", "_raw", "_blob", "_model")

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw: dict[str, Any] | None = raw
        self._blob: bytes | None = None
        self.id = str(raw.get("id", ""))
        self._model: OpenDataContractStandard | None = None

    @property
    def raw(self) -> dict[str, Any]:
        """The parsed document; read back from its compact form on first use after a
        process started from the persisted mesh index (:mod:`catalog.mesh_index`)."""
        raw = self._raw
        if raw is None:
            raw = self._raw = _unpack(self._blob or b"")
        return raw

    def __getstate__(self) -> tuple[str, bytes]:
        """Pickled as ``(id, compact document)``: the model is rebuilt on demand and the
        document is decoded only when read (most contracts are never read by a process that
        only lists and searches)."""
        if self._blob is None:
            self._blob = _pack(self.raw)
        return self.id, self._blob

    def __setstate__(self, state: tuple[str, bytes]) -> None:
        self.id, self._blob = state
        self._raw = None
        self._model = None

    def model(self) -> OpenDataContractStandard:
        """The pydantic model (built once).

        Raises:
            pydantic.ValidationError: the document breaks the pydantic models.
        """
        if self._model is None:
            self._model = OpenDataContractStandard.model_validate(self.raw)
        return self._model


def _pack(raw: dict[str, Any]) -> bytes:
    """A parsed document as compact bytes: ``marshal`` (parsed YAML is only dicts, lists,
    text, numbers, booleans and None), zlib-compressed; ``pickle`` for anything marshal
    refuses. The first byte says which."""
    try:
        return b"m" + zlib.compress(marshal.dumps(raw), 1)
    except ValueError:  # a type marshal cannot write
        return b"p" + zlib.compress(pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(blob: bytes) -> dict[str, Any]:
    """The document :func:`_pack` wrote (only ever bytes this package wrote itself).

    Raises:
        ValueError: the bytes are not such a document (a damaged cache file).
    """
    kind, body = blob[:1], zlib.decompress(blob[1:])
    if kind == b"m":
        data = marshal.loads(body)
    elif kind == b"p":
        data = pickle.loads(body)  # noqa: S301 - written by this process or a sibling
    else:
        raise ValueError("not a packed document")
    if not isinstance(data, dict):
        raise ValueError("not a packed document")
    return data


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


def load_document(path: Path, display_name: str, kind: str, root: Path | None = None
                  ) -> LoadedDocument:
    """Load ``path`` as a ``kind`` document, reusing the cached result if the file is unchanged.

    Args:
        path: the file.
        display_name: how problems name the file (relative to the mesh root).
        kind: ``domain``, ``odps`` or ``odcs``.
        root: the mesh folder the file must be inside (symbolic links are followed only within
            it). ``None`` (callers outside :func:`~catalog.manifests.loader.load_mesh`, which
            passes its root): the configured mesh root (``MESH_ROOT``) when ``path`` is under
            it, else the file's own folder.

    Returns:
        The document; on failure ``model`` is None and ``problems`` says why (never raises for
        bad content; a file that is refused or unreadable is a problem on line 1 too).
    """
    key = str(path)
    try:
        info: os.stat_result | None = os.lstat(path)  # never follows a link, never opens
    except OSError:
        info = None
    regular = info is not None and stat.S_ISREG(info.st_mode)
    if info is not None and regular:
        with _cache_lock:
            hit = _cache.get(key)
        if hit and hit[0] == info.st_size and hit[1] == info.st_mtime_ns:
            return hit[2]
    try:
        raw = read_regular_file(path, root if root is not None else _default_root(path),
                                MAX_MANIFEST_BYTES)
    except PathRefused as err:
        return LoadedDocument(kind, None, [ManifestProblem(display_name, 1, "",
                                                           f"file {err.reason}")])
    doc = parse_document(raw, display_name, kind)
    doc.path = path
    if info is not None and regular:  # a linked file is read again each time (rare)
        with _cache_lock:
            _cache[key] = (info.st_size, info.st_mtime_ns, doc)
    return doc


def _default_root(path: Path) -> Path:
    """The configured mesh root when ``path`` is under it, else the file's own folder."""
    absolute = Path(os.path.abspath(path))
    mesh_root = Settings.from_env().mesh_root
    return mesh_root if mesh_root in absolute.parents else absolute.parent


def parse_document(raw: bytes, display_name: str, kind: str, strict: bool = False
                   ) -> LoadedDocument:
    """Parse and validate manifest bytes (no cache, no file system).

    ODCS documents come back as a :class:`LazyContract`; with ``strict`` its pydantic model
    is built at once and a failure is reported as problems. Never raises: a document that
    breaks a validator itself is reported as a problem too (and logged).

    Returns:
        A :class:`LoadedDocument`; ``problems`` holds errors (model is None) and warnings, each
        with a line (1 when the problem is about the whole file).
    """
    try:
        text = decode(raw)
        data = parse_mapping(text)
    except YamlProblem as err:
        problem = ManifestProblem(display_name, err.line or 1, "", _bounded(err.message))
        return LoadedDocument(kind, None, [problem])
    try:
        return _validated(kind, data, text, display_name, strict)
    except (RecursionError, MemoryError) as err:
        message = f"document is too complex to check ({type(err).__name__}); simplify it"
    except Exception as err:  # noqa: BLE001 - a validator choking on odd input is a finding
        logger.exception("validating %s failed", display_name)
        message = f"document could not be checked ({type(err).__name__}); check its structure"
    return LoadedDocument(kind, None, [ManifestProblem(display_name, 1, "", message)], data)


def _validated(kind: str, data: dict[str, Any], text: str, display_name: str, strict: bool
               ) -> LoadedDocument:
    """JSON Schema, version check and (for ``domain``/``odps``, or ``strict``) pydantic."""
    lines = _Lines(text, checked=True)
    problems = _schema_problems(kind, data, lines, display_name)
    warnings: list[ManifestProblem] = []
    if problems and kind == "odcs":
        later = _later_version(data)
        if later is not None:
            warnings, problems = [_version_mismatch(data, later, problems[0], lines,
                                                    display_name)], []
    if problems:
        return LoadedDocument(kind, None, problems, data)
    if kind == "odcs":
        contract = LazyContract(data)
        if strict:
            try:
                contract.model()
            except ValidationError as err:
                return LoadedDocument(kind, None, _pydantic_problems(err, lines, display_name),
                                      data)
        return LoadedDocument(kind, contract, warnings, data)
    try:
        model = _MODELS[kind].model_validate(data)
    except ValidationError as err:
        return LoadedDocument(kind, None, _pydantic_problems(err, lines, display_name), data)
    return LoadedDocument(kind, model, warnings, data)


class _Lines:
    """Lines of paths in one document text (``checked``: it passed the nesting pre-scan).

    Above :data:`LARGE_TEXT_CHARS` the lines come from :class:`LineIndex` (regular
    expressions) when it follows the text, instead of reading every parser event.
    """

    def __init__(self, text: str, checked: bool = False) -> None:
        index = LineIndex(text) if len(text) > LARGE_TEXT_CHARS else None
        self._finder: LineIndex | Locator = (
            index if index is not None and index.exact else Locator(text, checked=checked))

    def line(self, path: list[Any]) -> int | None:
        """1-based line of the node at ``path`` (or its deepest ancestor), ``None`` if unknown."""
        return self._finder.line(path)


MAX_PROBLEM_CHARS = 500
"""Problem messages are cut to this many characters (validators quote offending values)."""


def _bounded(message: str) -> str:
    return message if len(message) <= MAX_PROBLEM_CHARS else message[:MAX_PROBLEM_CHARS] + "…"


def _schema_problems(
    kind: str, data: dict[str, Any], lines: _Lines, display_name: str
) -> list[ManifestProblem]:
    if kind == "domain":
        return []
    try:
        violations = schemas.validate(kind, data)
    except ValueError:  # the validator takes text keys only
        path, key = _non_text_key(data)
        return [ManifestProblem(display_name, lines.line(path) or 1, _bounded(format_path(path)),
                                _bounded(f"key {key!r} is not text ({type(key).__name__}); "
                                         "keys must be text, so put it in quotes"))]
    out = []
    for violation in violations:
        path = refine_path(violation.path, violation.message)
        out.append(ManifestProblem(display_name, lines.line(path) or 1, _bounded(format_path(path)),
                                   _bounded(violation.message)))
    return out


def _non_text_key(data: dict[str, Any]) -> tuple[list[Any], Any]:
    """Path of the mapping holding the first key that is not text (a number, a boolean, null,
    a list), and that key; a loop, not recursion."""
    pending: list[tuple[list[Any], Any]] = [([], data)]
    while pending:
        path, node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    return path, key
                pending.append(([*path, key], value))
        elif isinstance(node, list):
            pending.extend(([*path, index], item) for index, item in enumerate(node))
    return [], None


def pydantic_problems(err: ValidationError, text: str, display_name: str) -> list[ManifestProblem]:
    """Problems (with lines, 1 when unknown) for a pydantic validation error of ``text``."""
    return _pydantic_problems(err, _Lines(text), display_name)


def _pydantic_problems(err: ValidationError, lines: _Lines, display_name: str
                       ) -> list[ManifestProblem]:
    out = []
    for item in err.errors()[:20]:
        path = [p for p in item["loc"] if isinstance(p, (str, int))]
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field; check its spelling against the documented fields"
        out.append(ManifestProblem(display_name, lines.line(path) or 1,
                                   _bounded(format_path(path)), _bounded(message)))
    return out


def _later_version(data: dict[str, Any]) -> str | None:
    """A later ODCS version whose schema accepts ``data`` (``None``: none, or not checkable)."""
    try:
        return schemas.later_valid_odcs_version(data)
    except ValueError:  # a key that is not text: reported by the declared version's check
        return None


def _version_mismatch(data: dict[str, Any], later: str, first: ManifestProblem, lines: _Lines,
                      display_name: str) -> ManifestProblem:
    """The warning for a contract valid only against a later ODCS schema than it declares.

    Bitol's own examples at v3.1.0 and later keep ``apiVersion: v3.0.2`` on files that use
    v3.1 fields; the ecosystem writes such files, so they are read (with that later schema's
    verdict) and the author is told which version to declare.
    """
    declared = data.get("apiVersion")
    where = f"{first.field}: " if first.field else ""
    return ManifestProblem(
        display_name, lines.line(["apiVersion"]) or 1, "apiVersion",
        _bounded(f"the document declares ODCS {declared} but uses fields of a later version: "
                 f"set apiVersion to {later} (it is valid against the {later} schema; the "
                 f"{declared} schema says: {where}{first.message})"),
        severity="warning")
